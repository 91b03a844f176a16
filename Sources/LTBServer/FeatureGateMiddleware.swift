public import Hummingbird
public import LTBCore

/// Answers 404 with `FEATURE_DISABLED` (and the flag to set) for the paths of a feature that is
/// off: `/graphql` and its explorer, and the dashboard (which reads GraphQL), while `graphql` is
/// off. The REST shim's routes check their own feature; WebSocket clients are told by
/// `SubscriptionController` (closed with 4404).
public struct FeatureGateMiddleware<Context: RequestContext>: RouterMiddleware {
  /// The features on.
  let features: FeatureFlags

  /// A gate over `features`.
  public init(features: FeatureFlags) { self.features = features }

  /// Refuses the request when its path belongs to a feature that is off.
  public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
    async throws -> Response
  {
    if let feature = Self.feature(of: request), !features.isEnabled(feature) {
      return GatewayResponse.error(
        FeatureFlags.disabled(feature, for: "\(request.method) \(request.uri.path)"))
    }
    return try await next(request, context)
  }

  /// The feature a request needs, if any.
  static func feature(of request: Request) -> FeatureFlags.Feature? {
    let path = request.uri.path
    if path == "/graphql" || path == "/" || path == "/dashboard" || path.hasPrefix("/dashboard/") {
      return .graphql
    }
    return nil
  }
}
