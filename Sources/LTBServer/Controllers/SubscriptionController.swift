import Foundation
import Hummingbird
import HummingbirdWebSocket
import LTBAPI
import LTBAuth
import LTBObservability

/// GraphQL subscriptions: `/graphql` upgrades to a WebSocket when the client offers
/// graphql-transport-ws, and ``GraphQLWebSocket`` serves the connection.
struct SubscriptionController {
  let gateway: Gateway

  /// Adds the WebSocket route.
  func addRoutes(to router: Router<GatewayWebSocketContext>) {
    router.ws("/graphql") { request, _ in
      let offered = request.headers[values: .secWebSocketProtocol].flatMap {
        $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
      }
      guard offered.contains(GraphQLWebSocket.subprotocol) else { return .dontUpgrade }
      return .upgrade([.secWebSocketProtocol: GraphQLWebSocket.subprotocol])
    } onUpgrade: { [gateway] inbound, outbound, context in
      gateway.metrics.webSocketConnections(1)
      defer { gateway.metrics.webSocketConnections(-1) }
      let headers = context.request.headers
      await GraphQLWebSocket.serve(
        inbound: inbound, outbound: outbound, graphQL: gateway.graphQL,
        initTimeout: gateway.limits.initTimeout,
        maxMessageBytes: gateway.limits.maxBodyBytes, auth: gateway.services.auth,
        upgradeCredential: AuthenticationMiddleware.credential(
          headers[.authorization], apiKey: headers[.xAPIKey]),
        client: ClientInfo(
          ipAddress: context.requestContext.remoteAddress?.ipAddress, userAgent: headers[.userAgent]))
    }
  }
}
