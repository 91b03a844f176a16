import Foundation
import GraphQL
import HTTPTypes
import Hummingbird
import LTBAPI
import LTBAuth
import LTBObservability
import NIOCore

/// GraphQL over HTTP on `/graphql`: POST runs any operation; GET runs queries (a browser asking
/// for HTML gets the explorer page instead).
struct GraphQLController {
  let graphQL: GraphQLService
  let metrics: MetricsCollector
  let limits: GatewayLimits
  let auth: AuthService?

  /// Adds `POST /graphql` and `GET /graphql`.
  func addRoutes(to router: Router<GatewayRequestContext>) {
    router.post("/graphql") { request, context in
      var request = request
      let body = try await request.collectBody(upTo: limits.maxBodyBytes)
      guard let decoded = GraphQLHTTPRequest(body) else {
        return GatewayResponse.error(
          "BAD_REQUEST", "the body is not a GraphQL request",
          fix: "POST {\"query\": \"...\", \"variables\": {...}}")
      }
      return try await execute(
        decoded, allowMutations: true, context: context.apiContext(request, auth: auth))
    }
    router.get("/graphql") { request, context in
      if request.headers[.accept]?.contains("text/html") == true { return Self.explorer }
      let parameters = FormParameters.decode(request.uri.query)
      guard let query = parameters["query"] else {
        return GatewayResponse.error("BAD_REQUEST", "no query", fix: "GET /graphql?query={health{status}}")
      }
      var variables: [String: Map] = [:]
      if let text = parameters["variables"] {
        guard case .dictionary(let members)? = try? JSONDecoder().decode(Map.self, from: Data(text.utf8))
        else {
          return GatewayResponse.error(
            "BAD_REQUEST", "variables is not a JSON object", fix: "pass variables={\"id\": \"...\"}")
        }
        variables = Dictionary(uniqueKeysWithValues: members.map { ($0.key, $0.value) })
      }
      return try await execute(
        GraphQLHTTPRequest(
          query: query, variables: variables,
          operationName: parameters["operationName"].flatMap { $0.isEmpty ? nil : $0 }),
        allowMutations: false, context: context.apiContext(request, auth: auth))
    }
  }

  /// The schema explorer, for a browser.
  private static var explorer: Response {
    Response(
      status: .ok,
      headers: [
        .contentType: "text/html; charset=utf-8",
        .contentSecurityPolicy: ExplorerPage.contentSecurityPolicy, .xContentTypeOptions: "nosniff",
      ],
      body: ResponseBody(byteBuffer: ByteBuffer(string: ExplorerPage.html)))
  }

  /// Runs `request`; answers 200 whenever data came back, else the first error's status.
  private func execute(_ request: GraphQLHTTPRequest, allowMutations: Bool, context: APIContext) async throws
    -> Response
  {
    if !allowMutations, request.query.range(of: #"^\s*mutation\b"#, options: .regularExpression) != nil {
      return GatewayResponse.error(
        "METHOD_NOT_ALLOWED", "mutations need POST", fix: "POST the request to /graphql")
    }
    let response = try await graphQL.respond(
      request.query, variables: request.variables ?? [:], operationName: request.operationName,
      context: context)
    metrics.recordErrors(
      route: "/graphql", codes: response.errors.map { $0.extensions["code"]?.string ?? "INTERNAL" })
    let code = response.errors.first?.extensions["code"]?.string
    let status = response.data != nil || code == nil ? 200 : APIErrorResponse.status(code ?? "")
    var answer = GatewayResponse.json(status, bytes: response.body)
    if status == 429, let wait = response.errors.first?.extensions["retryAfter"]?.int {
      answer.headers[.retryAfter] = String(wait)
    }
    return answer
  }
}
