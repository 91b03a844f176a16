import Foundation
import GraphQL
import HTTPTypes
public import Hummingbird
public import HummingbirdWebSocket
import LTBAPI
import LTBAuth
import LTBCore
import LTBEngine
import LTBObservability
import LTBStorage
import NIOCore
import NIOFoundationCompat
public import NIOPosix

/// The HTTP side of the API gateway: GraphQL over HTTP (POST, and GET for queries), the REST
/// shim from the generated route table, `/metrics` (Prometheus), `/health` (liveness) and
/// `/ready` (the database answers). Request bodies are capped; every request is measured.
public enum APIServer {
  /// Limits against abuse.
  public struct Limits: Sendable {
    /// The largest request body, in bytes.
    public var maxBodyBytes: Int
    /// How long a WebSocket client has to send `connection_init`.
    public var initTimeout: Duration
    /// Requests per second per identity and per address; `nil` turns limiting off.
    public var rateLimit: RateLimitMiddleware.Limits?
    /// Browser origins allowed by CORS; empty means same origin only.
    public var allowedOrigins: Set<String>

    /// Creates limits (1 MiB bodies, 10 s to initialise a WebSocket, no rate limit and no
    /// cross-origin access, by default).
    public init(
      maxBodyBytes: Int = 1 << 20, initTimeout: Duration = .seconds(10),
      rateLimit: RateLimitMiddleware.Limits? = nil, allowedOrigins: Set<String> = []
    ) {
      self.maxBodyBytes = maxBodyBytes
      self.initTimeout = initTimeout
      self.rateLimit = rateLimit
      self.allowedOrigins = allowedOrigins
    }
  }

  /// The router with every route.
  public static func router(_ gateway: Gateway) -> Router<GatewayRequestContext> {
    let router = Router(context: GatewayRequestContext.self)
    let (graphQL, store, limits, metrics, auth) = (
      gateway.graphQL, gateway.services.store, gateway.limits, gateway.metrics, gateway.services.auth
    )
    let rest = RESTExecutor(service: graphQL)
    router.add(middleware: AccessLogMiddleware(logger: gateway.logger))
    router.add(middleware: MetricsMiddleware(metrics: metrics))
    router.add(middleware: SecurityHeadersMiddleware(allowedOrigins: limits.allowedOrigins))
    if let auth { router.add(middleware: AuthenticationMiddleware(auth: auth)) }
    if let rate = limits.rateLimit { router.add(middleware: RateLimitMiddleware(limits: rate)) }
    @Sendable func apiContext(_ request: Request, _ context: GatewayRequestContext) -> APIContext {
      APIContext(
        requestID: context.record?.id ?? UUID().uuidString, principal: context.principal,
        client: context.client(request),
        auth: auth)
    }
    router.get("/metrics") { _, _ in
      let text = metrics.exposition(await gateway.readings())
      return Response(
        status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
        body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
    router.get("/health") { _, _ in json(200, ["status": "ok"]) }
    router.get("/ready") { _, _ in
      let reachable = await store.isReachable()
      return json(reachable ? 200 : 503, ["status": .string(reachable ? "ready" : "database unreachable")])
    }
    router.get("/api/v1/openapi.json") { _, _ in
      Response(
        status: .ok, headers: [.contentType: "application/json"],
        body: ResponseBody(byteBuffer: ByteBuffer(string: openAPIDocument)))
    }
    router.post("/graphql") { request, context in
      var request = request
      let body = try await request.collectBody(upTo: limits.maxBodyBytes)
      guard let decoded = GraphQLHTTPRequest(body) else {
        return error(
          "BAD_REQUEST", "the body is not a GraphQL request",
          fix: "POST {\"query\": \"...\", \"variables\": {...}}")
      }
      return try await execute(
        decoded, graphQL: graphQL, metrics: metrics, allowMutations: true,
        context: apiContext(request, context))
    }
    router.get("/graphql") { request, context in
      if request.headers[.accept]?.contains("text/html") == true {
        return Response(
          status: .ok,
          headers: [
            .contentType: "text/html; charset=utf-8",
            .contentSecurityPolicy: ExplorerPage.contentSecurityPolicy, .xContentTypeOptions: "nosniff",
          ],
          body: ResponseBody(byteBuffer: ByteBuffer(string: ExplorerPage.html)))
      }
      let parameters = formParameters(request.uri.query)
      guard let query = parameters["query"] else {
        return error(
          "BAD_REQUEST", "no query", fix: "GET /graphql?query={health{status}}")
      }
      var variables: [String: Map] = [:]
      if let text = parameters["variables"] {
        guard case .dictionary(let members)? = try? JSONDecoder().decode(Map.self, from: Data(text.utf8))
        else {
          return error(
            "BAD_REQUEST", "variables is not a JSON object", fix: "pass variables={\"id\": \"...\"}")
        }
        variables = Dictionary(uniqueKeysWithValues: members.map { ($0.key, $0.value) })
      }
      return try await execute(
        GraphQLHTTPRequest(
          query: query, variables: variables,
          operationName: parameters["operationName"].flatMap { $0.isEmpty ? nil : $0 }),
        graphQL: graphQL, metrics: metrics, allowMutations: false, context: apiContext(request, context))
    }
    if let oidc = gateway.oidc, let auth { addSignIn(router, oidc: oidc, auth: auth) }
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
        let query = formParameters(request.uri.query)
        let response = await rest.run(
          route, pathParameters: path, query: query, body: body,
          context: apiContext(request, context))
        if let code = response.code {
          metrics.recordErrors(route: context.endpointPath ?? route.path, codes: [code])
        }
        var answer = Response(
          status: HTTPResponse.Status(code: response.status), headers: [.contentType: "application/json"],
          body: ResponseBody(byteBuffer: ByteBuffer(data: response.body)))
        if let wait = response.retryAfter { answer.headers[.retryAfter] = String(wait) }
        return answer
      }
    }
    return router
  }

  /// OpenID Connect sign-in, outside the schema because it is a browser redirect flow:
  /// `/api/v1/auth/oidc/login` redirects to the provider; its callback exchanges the code and
  /// answers with the same token pair as the login mutation.
  static func addSignIn(_ router: Router<GatewayRequestContext>, oidc: OIDCClient, auth: AuthService) {
    router.get("/api/v1/auth/oidc/login") { _, _ in
      var response = Response(status: .found)
      response.headers[.location] = try await oidc.authorizationURL()
      response.headers[.cacheControl] = "no-store"
      return response
    }
    router.get("/api/v1/auth/oidc/callback") { request, context in
      let parameters = formParameters(request.uri.query)
      let client = context.client(request)
      if let refusal = parameters["error"] {
        try? await auth.audit(
          nil, "login.failure", "auth", nil, ["method": "oidc", "reason": .string(refusal)], client)
        return error(
          LTBError(
            .authentication, "the OpenID Connect provider refused the sign-in: \(refusal.prefix(100))",
            fix: "sign in again at /api/v1/auth/oidc/login"))
      }
      guard let code = parameters["code"], let state = parameters["state"] else {
        return error(
          "BAD_REQUEST", "the callback needs code and state", fix: "start at /api/v1/auth/oidc/login")
      }
      let identity: OIDCClient.Identity
      do {
        identity = try await oidc.finish(code: code, state: state)
      } catch {
        try? await auth.audit(
          nil, "login.failure", "auth", nil, ["method": "oidc", "reason": .string("\(error)")], client)
        return Self.error(
          (error as? AuthFailure)?.error ?? LTBError(.authentication, "OpenID Connect sign-in failed"))
      }
      do {
        let pair = try await auth.signIn(
          oidc: identity, defaultRole: oidc.settings.defaultRole, client: client)
        return json(
          200,
          [
            "accessToken": .string(pair.accessToken), "refreshToken": .string(pair.refreshToken),
            "expiresAt": .string(pair.expiresAt.iso8601Text),
            "user": [
              "id": .string(pair.userID.lowercasedText), "username": .string(pair.username),
              "role": .string(pair.role.uppercased()),
            ],
          ])
      } catch let failure as LTBError {
        return error(failure)
      }
    }
  }

  /// The WebSocket routes: `/graphql` upgrades when the client offers graphql-transport-ws.
  public static func webSocketRouter(_ gateway: Gateway) -> Router<GatewayWebSocketContext> {
    let router = Router(context: GatewayWebSocketContext.self)
    router.ws("/graphql") { request, _ in
      let offered = request.headers[values: .secWebSocketProtocol].flatMap {
        $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
      }
      guard offered.contains(GraphQLWebSocket.subprotocol) else { return .dontUpgrade }
      return .upgrade([.secWebSocketProtocol: GraphQLWebSocket.subprotocol])
    } onUpgrade: { inbound, outbound, context in
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
    return router
  }

  /// Serves `gateway` on `host`:`port` until graceful shutdown (SIGTERM, SIGINT, or the calling
  /// task's cancellation), on event loops of its own that are shut down afterwards.
  public static func run(_ gateway: Gateway, host: String, port: Int) async throws {
    let eventLoops = MultiThreadedEventLoopGroup(numberOfThreads: eventLoopCount)
    do {
      try await application(gateway, host: host, port: port, eventLoops: eventLoops).runService()
      try await eventLoops.shutdownGracefully()
    } catch {
      try? await eventLoops.shutdownGracefully()
      throw error
    }
  }

  /// The whole gateway: HTTP routes and WebSocket subscriptions on one address, its sockets on
  /// `eventLoops`. Running benchmarks are cancelled (resumable) on graceful shutdown, and the bus
  /// feeds `/metrics`.
  public static func application(
    _ gateway: Gateway, host: String, port: Int, eventLoops: MultiThreadedEventLoopGroup
  ) -> some ApplicationProtocol {
    Application(
      router: router(gateway),
      server: .http1WebSocketUpgrade(webSocketRouter: webSocketRouter(gateway)),
      configuration: .init(address: .hostname(host, port: port)),
      services: [
        BenchmarkDrain(benchmarks: gateway.services.benchmarks),
        MetricsFeed(metrics: gateway.metrics, bus: gateway.services.benchmarks.bus),
      ],
      eventLoopGroupProvider: .shared(eventLoops), logger: gateway.logger)
  }

  /// How many event loops the server's sockets run on: half the cores, at least one. Handlers
  /// run on Swift's cooperative pool, one thread per core, so loops that only read and write
  /// need fewer threads than NIO's default of one per core; on 2 cores one loop answered 3-5%
  /// more pages and 9-13% more health checks than two, with fewer thread switches.
  static var eventLoopCount: Int { max(1, System.coreCount / 2) }

  /// A GraphQL request as JSON.
  struct GraphQLHTTPRequest {
    var query: String
    var variables: [String: Map]?
    var operationName: String?

    init(query: String, variables: [String: Map]?, operationName: String?) {
      self.query = query
      self.variables = variables
      self.operationName = operationName
    }

    /// A POSTed request: valid UTF-8 JSON with a `query` string, `variables` an object (decoded
    /// as GraphQLSwift decodes them) and `operationName` a string, either absent or null.
    init?(_ body: ByteBuffer) {
      guard let text = body.getString(at: body.readerIndex, length: body.readableBytes),
        text.utf8.elementsEqual(body.readableBytesView),
        case .object(let members)? = try? JSONValue.parse(text),
        case .string(let query)? = members["query"]
      else { return nil }
      self.query = query
      switch members["operationName"] {
      case nil, .null?: operationName = nil
      case .string(let name)?: operationName = name
      default: return nil
      }
      switch members["variables"] {
      case nil, .null?: variables = nil
      case let given? where given.objectValue != nil:
        guard
          let decoded = try? JSONDecoder().decode([String: Map].self, from: Data(given.serialized().utf8))
        else { return nil }
        variables = decoded
      default: return nil
      }
    }
  }

  private static func execute(
    _ request: GraphQLHTTPRequest, graphQL: GraphQLService, metrics: MetricsCollector, allowMutations: Bool,
    context: APIContext
  ) async throws -> Response {
    if !allowMutations, request.query.range(of: #"^\s*mutation\b"#, options: .regularExpression) != nil {
      return error("METHOD_NOT_ALLOWED", "mutations need POST", fix: "POST the request to /graphql")
    }
    let response = try await graphQL.respond(
      request.query, variables: request.variables ?? [:], operationName: request.operationName,
      context: context)
    metrics.recordErrors(
      route: "/graphql", codes: response.errors.map { $0.extensions["code"]?.string ?? "INTERNAL" })
    // GraphQL over HTTP: 200 whenever data came back; otherwise the first error's status.
    let code = response.errors.first?.extensions["code"]?.string
    let status: HTTPResponse.Status =
      response.data != nil || code == nil
      ? .ok : HTTPResponse.Status(code: APIErrorResponse.status(code ?? ""))
    var answer = Response(
      status: status, headers: [.contentType: "application/json"],
      body: ResponseBody(byteBuffer: ByteBuffer(bytes: response.body)))
    if status == .tooManyRequests, let wait = response.errors.first?.extensions["retryAfter"]?.int {
      answer.headers[.retryAfter] = String(wait)
    }
    return answer
  }

  /// The parameters of a query string as browsers and HTTP clients encode them
  /// (`application/x-www-form-urlencoded`: `+` is a space, then percent-decoding); the first
  /// value of a repeated name wins.
  static func formParameters(_ query: String?) -> [String: String] {
    var parameters: [String: String] = [:]
    for pair in (query ?? "").split(separator: "&") {
      let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
      func decode(_ part: Substring) -> String {
        let spaced = part.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
      }
      let name = decode(parts[0])
      if parameters[name] == nil { parameters[name] = parts.count > 1 ? decode(parts[1]) : "" }
    }
    return parameters
  }

  private static func json(_ status: Int, _ body: [String: JSONValue]) -> Response {
    Response(
      status: HTTPResponse.Status(code: status), headers: [.contentType: "application/json"],
      body: ResponseBody(byteBuffer: ByteBuffer(string: JSONValue.object(body).serialized(sortedKeys: true))))
  }

  /// The gateway's error envelope for a gateway code, with that code's status.
  private static func error(_ code: String, _ message: String, fix: String) -> Response {
    Response(
      status: HTTPResponse.Status(code: APIErrorResponse.status(code)),
      headers: [.contentType: "application/json"],
      body: ResponseBody(
        byteBuffer: ByteBuffer(data: APIErrorResponse.body(code: code, message: message, fix: fix))))
  }

  /// The JSON error response of `error` with its HTTP status, plus `headers`.
  static func error(_ error: LTBError, headers: [(name: String, value: String)] = []) -> Response {
    var response = Response(
      status: HTTPResponse.Status(code: error.code.httpStatus), headers: [.contentType: "application/json"],
      body: ResponseBody(byteBuffer: ByteBuffer(data: APIErrorResponse.body(error))))
    for header in headers {
      if let name = HTTPField.Name(header.name) { response.headers[name] = header.value }
    }
    return response
  }
}
