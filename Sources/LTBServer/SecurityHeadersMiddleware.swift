public import HTTPTypes
public import Hummingbird

/// CORS from an explicit allow-list (empty: same origin only, no CORS headers at all) and the
/// security headers every response carries.
public struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
  /// Origins allowed to call the API from a browser, e.g. `https://dash.example.org`.
  let allowedOrigins: Set<String>

  /// A middleware allowing `allowedOrigins`.
  public init(allowedOrigins: Set<String>) { self.allowedOrigins = allowedOrigins }

  /// Answers preflights from allowed origins, then adds the headers.
  public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
    async throws -> Response
  {
    let origin = request.headers[.origin].flatMap { allowedOrigins.contains($0) ? $0 : nil }
    var response: Response
    if request.method == .options, let origin, request.headers[.accessControlRequestMethod] != nil {
      response = Response(status: .noContent)
      response.headers[.accessControlAllowMethods] = "GET, POST, OPTIONS"
      response.headers[.accessControlAllowHeaders] = "Authorization, Content-Type, X-API-Key"
      response.headers[.accessControlMaxAge] = "600"
      response.headers[.accessControlAllowOrigin] = origin
    } else {
      response = try await next(request, context)
      if let origin { response.headers[.accessControlAllowOrigin] = origin }
    }
    if !allowedOrigins.isEmpty { response.headers[.vary] = "Origin" }
    if response.headers[.xContentTypeOptions] == nil { response.headers[.xContentTypeOptions] = "nosniff" }
    response.headers[.xFrameOptions] = "DENY"
    response.headers[.referrerPolicy] = "no-referrer"
    if response.headers[.contentSecurityPolicy] == nil {
      response.headers[.contentSecurityPolicy] = "default-src 'none'; frame-ancestors 'none'"
    }
    response.headers[.cacheControl] = response.headers[.cacheControl] ?? "no-store"
    return response
  }
}
