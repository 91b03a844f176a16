import HTTPTypes
import Hummingbird
import NIOCore

/// The dashboard at `/dashboard/`: static modules from the binary that talk only to the public
/// GraphQL API (`/graphql`, and its WebSocket for subscriptions). `/` redirects to it.
struct DashboardController {
  /// No inline script or style, no other origin: everything the page runs is one of its files.
  static let contentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

  let assets: DashboardAssets

  /// Adds `GET /`, `GET /dashboard` and the files below `/dashboard/`.
  func addRoutes(to router: Router<GatewayRequestContext>) {
    router.get("/") { _, _ in Self.redirect("/dashboard/") }
    // The router treats `/dashboard` and `/dashboard/` as one route; module paths are relative
    // to the page, so the page is served only at the trailing slash.
    router.get("/dashboard") { request, _ in
      request.uri.path.hasSuffix("/") ? serve("index.html", request) : Self.redirect("/dashboard/")
    }
    router.get("/dashboard/**") { request, context in
      let path = context.parameters.getCatchAll().joined(separator: "/")
      return serve(path, request)
    }
  }

  private func serve(_ path: String, _ request: Request) -> Response {
    guard let asset = assets.files[path] else {
      return GatewayResponse.error(
        "NOT_FOUND", "no dashboard file \(path.prefix(200))", fix: "open /dashboard/")
    }
    var headers: HTTPFields = [
      .contentType: asset.contentType, .eTag: asset.etag, .cacheControl: "no-cache",
      .contentSecurityPolicy: Self.contentSecurityPolicy,
    ]
    headers[.xContentTypeOptions] = "nosniff"
    if request.headers[.ifNoneMatch] == asset.etag {
      return Response(status: .notModified, headers: headers)
    }
    return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: asset.bytes))
  }

  private static func redirect(_ location: String) -> Response {
    Response(status: .found, headers: [.location: location, .cacheControl: "no-store"])
  }
}
