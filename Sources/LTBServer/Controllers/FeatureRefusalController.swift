import Hummingbird
import LTBCore

/// The routes of a feature that is off, in place of its controller: each answers 404 with
/// `FEATURE_DISABLED` and the flag to set. With `graphql` off these are `/graphql` (and its
/// explorer) and the dashboard, which reads GraphQL.
struct FeatureRefusalController {
  let feature: FeatureFlags.Feature
  let paths: [(method: HTTPRequest.Method, path: String)]

  /// The routes `GraphQLController` and `DashboardController` would have added.
  static let graphQL = FeatureRefusalController(
    feature: .graphql,
    paths: [
      (.post, "/graphql"), (.get, "/graphql"), (.get, "/"), (.get, "/dashboard"), (.get, "/dashboard/**"),
    ])

  func addRoutes(to router: Router<GatewayRequestContext>) {
    for (method, path) in paths {
      router.on(RouterPath(path), method: method) { request, _ in
        GatewayResponse.error(FeatureFlags.disabled(feature, for: "\(request.method) \(request.uri.path)"))
      }
    }
  }
}
