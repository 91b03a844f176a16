import Foundation
import GraphQL
public import Hummingbird
public import HummingbirdWebSocket
public import LTBAPI
import LTBCore
public import LTBStorage
import NIOFoundationCompat

/// The HTTP side of the API gateway: GraphQL over HTTP (POST, and GET for queries), the REST
/// shim from the generated route table, `/health` (liveness) and `/ready` (the database
/// answers). Request bodies are capped.
public enum APIServer {
  /// Limits against abuse.
  public struct Limits: Sendable {
    /// The largest request body, in bytes.
    public var maxBodyBytes: Int
    /// How long a WebSocket client has to send `connection_init`.
    public var initTimeout: Duration

    /// Creates limits (1 MiB bodies, 10 s to initialise a WebSocket, by default).
    public init(maxBodyBytes: Int = 1 << 20, initTimeout: Duration = .seconds(10)) {
      self.maxBodyBytes = maxBodyBytes
      self.initTimeout = initTimeout
    }
  }

  /// The router with every route.
  public static func router(
    graphQL: GraphQLService, store: any BenchStore, limits: Limits = Limits()
  ) -> Router<BasicRequestContext> {
    let router = Router()
    let rest = RESTExecutor(service: graphQL)
    router.get("/health") { _, _ in json(200, ["status": "ok"]) }
    router.get("/ready") { _, _ in
      let reachable = (try? await store.sessions(status: nil, limit: 1, cursor: nil)) != nil
      return json(reachable ? 200 : 503, ["status": .string(reachable ? "ready" : "database unreachable")])
    }
    router.get("/api/v1/openapi.json") { _, _ in
      Response(
        status: .ok, headers: [.contentType: "application/json"],
        body: ResponseBody(byteBuffer: ByteBuffer(string: openAPIDocument)))
    }
    router.post("/graphql") { request, _ in
      var request = request
      let body = try await request.collectBody(upTo: limits.maxBodyBytes)
      guard let decoded = try? JSONDecoder().decode(GraphQLHTTPRequest.self, from: Data(buffer: body)) else {
        return error(
          400, "BAD_REQUEST", "the body is not a GraphQL request",
          fix: "POST {\"query\": \"...\", \"variables\": {...}}")
      }
      return try await execute(decoded, graphQL: graphQL, allowMutations: true)
    }
    router.get("/graphql") { request, _ in
      let parameters = request.uri.queryParameters
      guard let query = parameters["query"].map(String.init) else {
        return error(400, "BAD_REQUEST", "no query", fix: "GET /graphql?query={health{status}}")
      }
      var variables: [String: Map] = [:]
      if let text = parameters["variables"] {
        guard case .dictionary(let members)? = try? JSONDecoder().decode(Map.self, from: Data(text.utf8))
        else {
          return error(
            400, "BAD_REQUEST", "variables is not a JSON object", fix: "pass variables={\"id\": \"...\"}")
        }
        variables = Dictionary(uniqueKeysWithValues: members.map { ($0.key, $0.value) })
      }
      return try await execute(
        GraphQLHTTPRequest(
          query: query, variables: variables, operationName: parameters["operationName"].map(String.init)),
        graphQL: graphQL, allowMutations: false)
    }
    for route in restRoutes {
      let method: HTTPRequest.Method = route.method == "POST" ? .post : .get
      router.on(RouterPath(route.path), method: method) { request, context in
        var request = request
        let body =
          route.method == "POST"
          ? Data(buffer: try await request.collectBody(upTo: limits.maxBodyBytes)) : nil
        var path: [String: String] = [:]
        for argument in route.arguments where argument.inPath {
          if let value = context.parameters.get(argument.name) { path[argument.name] = value }
        }
        var query: [String: String] = [:]
        for (key, value) in request.uri.queryParameters { query[String(key)] = String(value) }
        let response = await rest.run(
          route, pathParameters: path, query: query, body: body,
          context: APIContext(requestID: UUID().uuidString))
        return Response(
          status: HTTPResponse.Status(code: response.status), headers: [.contentType: "application/json"],
          body: ResponseBody(byteBuffer: ByteBuffer(data: response.body)))
      }
    }
    return router
  }

  /// The WebSocket routes: `/graphql` upgrades when the client offers graphql-transport-ws.
  public static func webSocketRouter(graphQL: GraphQLService, limits: Limits = Limits()) -> Router<
    BasicWebSocketRequestContext
  > {
    let router = Router(context: BasicWebSocketRequestContext.self)
    router.ws("/graphql") { request, _ in
      let offered = request.headers[values: .secWebSocketProtocol].flatMap {
        $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
      }
      guard offered.contains(GraphQLWebSocket.subprotocol) else { return .dontUpgrade }
      return .upgrade([.secWebSocketProtocol: GraphQLWebSocket.subprotocol])
    } onUpgrade: { inbound, outbound, _ in
      await GraphQLWebSocket.serve(
        inbound: inbound, outbound: outbound, graphQL: graphQL, initTimeout: limits.initTimeout,
        maxMessageBytes: limits.maxBodyBytes)
    }
    return router
  }

  /// The whole gateway: HTTP routes and WebSocket subscriptions on one address.
  public static func application(
    graphQL: GraphQLService, store: any BenchStore, limits: Limits = Limits(), host: String, port: Int
  ) -> some ApplicationProtocol {
    Application(
      router: router(graphQL: graphQL, store: store, limits: limits),
      server: .http1WebSocketUpgrade(webSocketRouter: webSocketRouter(graphQL: graphQL, limits: limits)),
      configuration: .init(address: .hostname(host, port: port)))
  }

  /// A GraphQL request as JSON.
  struct GraphQLHTTPRequest: Decodable {
    var query: String
    var variables: [String: Map]?
    var operationName: String?
  }

  private static func execute(_ request: GraphQLHTTPRequest, graphQL: GraphQLService, allowMutations: Bool)
    async throws
    -> Response
  {
    if !allowMutations, request.query.range(of: #"^\s*mutation\b"#, options: .regularExpression) != nil {
      return error(405, "METHOD_NOT_ALLOWED", "mutations need POST", fix: "POST the request to /graphql")
    }
    let result = try await graphQL.execute(
      request.query, variables: request.variables ?? [:], operationName: request.operationName,
      context: APIContext(requestID: UUID().uuidString))
    let code = result.errors.first?.extensions["code"]?.string
    let status: HTTPResponse.Status =
      result.data != nil || code == nil ? .ok : code == "TIMEOUT" ? .gatewayTimeout : .badRequest
    return Response(
      status: status, headers: [.contentType: "application/json"],
      body: ResponseBody(byteBuffer: ByteBuffer(data: try GraphQLJSONEncoder().encode(result))))
  }

  private static func json(_ status: Int, _ body: [String: JSONValue]) -> Response {
    Response(
      status: HTTPResponse.Status(code: status), headers: [.contentType: "application/json"],
      body: ResponseBody(byteBuffer: ByteBuffer(string: JSONValue.object(body).serialized(sortedKeys: true))))
  }

  private static func error(_ status: Int, _ code: String, _ message: String, fix: String) -> Response {
    json(status, ["error": .string(message), "code": .string(code), "fix": .string(fix)])
  }
}
