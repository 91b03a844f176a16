import Foundation
import Hummingbird
import HummingbirdWebSocket
import LTBAPI
import LTBAuth
import LTBConfig
import LTBCore
import LTBObservability
import NIOWebSocket

/// GraphQL subscriptions: `/graphql` upgrades to a WebSocket when the client offers
/// graphql-transport-ws, and ``GraphQLWebSocket`` serves the connection.
struct SubscriptionController {
  let gateway: Gateway

  /// Adds the WebSocket route.
  func addRoutes(to router: Router<GatewayWebSocketContext>) {
    let features = gateway.services.configuration.features
    // With realtime or GraphQL off a client is upgraded only to be told so: closed at once with
    // 4404 and the flag to set (a refused upgrade could only answer an empty 400).
    let closed = [FeatureFlags.Feature.graphql, .realtime].first { !features.isEnabled($0) }
    router.ws("/graphql") { request, _ in
      let offered = request.headers[values: .secWebSocketProtocol].flatMap {
        $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
      }
      guard offered.contains(GraphQLWebSocket.subprotocol) else { return .dontUpgrade }
      return .upgrade([.secWebSocketProtocol: GraphQLWebSocket.subprotocol])
    } onUpgrade: { [gateway] inbound, outbound, context in
      if let closed {
        try? await outbound.close(
          .unknown(4404), reason: "FEATURE_DISABLED: set features.\(closed.rawValue) = true")
        return
      }
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
