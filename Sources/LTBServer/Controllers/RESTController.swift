import Foundation
import HTTPTypes
import Hummingbird
import LTBAPI
import LTBAuth
import LTBCore
import LTBObservability
import NIOCore
import NIOFoundationCompat

/// The REST shim: one route per entry of the generated route table (`restRoutes`), each run as
/// its GraphQL operation by ``RESTExecutor``, and the OpenAPI document that describes them.
struct RESTController {
  let executor: RESTExecutor
  let metrics: MetricsCollector
  let limits: GatewayLimits
  let auth: AuthService?
  /// The features on: the routes of one that is off answer 404 `FEATURE_DISABLED`.
  let features: FeatureFlags

  /// Adds every generated route and `GET /api/v1/openapi.json`.
  func addRoutes(to router: Router<GatewayRequestContext>) {
    router.get("/api/v1/openapi.json") { _, _ in GatewayResponse.json(200, bytes: Array(openAPIDocument.utf8))
    }
    for route in restRoutes {
      let method: HTTPRequest.Method =
        switch route.method {
        case "POST": .post
        case "DELETE": .delete
        default: .get
        }
      if let name = route.feature, let feature = FeatureFlags.Feature(rawValue: name),
        !features.isEnabled(feature)
      {
        let refusal = FeatureFlags.disabled(feature, for: "\(route.method) \(route.path)")
        router.on(RouterPath(route.path), method: method) { _, context in
          metrics.recordErrors(route: context.endpointPath ?? route.path, codes: [refusal.code.graphQLCode])
          return GatewayResponse.error(refusal)
        }
        continue
      }
      router.on(RouterPath(route.path), method: method) { request, context in
        try await answer(route, request, context)
      }
    }
  }

  private func answer(_ route: RESTRoute, _ request: Request, _ context: GatewayRequestContext) async throws
    -> Response
  {
    var request = request
    let body =
      route.method == "POST" ? Data(buffer: try await request.collectBody(upTo: limits.maxBodyBytes)) : nil
    var path: [String: String] = [:]
    for argument in route.arguments where argument.inPath {
      if let value = context.parameters.get(argument.name) { path[argument.name] = value }
    }
    let response = await executor.run(
      route, pathParameters: path, query: FormParameters.decode(request.uri.query), body: body,
      context: context.apiContext(request, auth: auth))
    if let code = response.code {
      metrics.recordErrors(route: context.endpointPath ?? route.path, codes: [code])
    }
    var answer = GatewayResponse.json(response.status, bytes: response.body)
    if let wait = response.retryAfter { answer.headers[.retryAfter] = String(wait) }
    return answer
  }
}
