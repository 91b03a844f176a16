import Foundation
import Hummingbird
import LTBAuth
import LTBCore

/// OpenID Connect sign-in, outside the schema because it is a browser redirect flow:
/// `/api/v1/auth/oidc/login` redirects to the provider; its callback exchanges the code and
/// answers with the same token pair as the login mutation.
struct OIDCController {
  let oidc: OIDCClient
  let auth: AuthService

  /// Adds the login redirect and its callback.
  func addRoutes(to router: Router<GatewayRequestContext>) {
    router.get("/api/v1/auth/oidc/login") { _, _ in
      var response = Response(status: .found)
      response.headers[.location] = try await oidc.authorizationURL()
      response.headers[.cacheControl] = "no-store"
      return response
    }
    router.get("/api/v1/auth/oidc/callback") { request, context in
      try await callback(request, context)
    }
  }

  private func callback(_ request: Request, _ context: GatewayRequestContext) async throws -> Response {
    let parameters = FormParameters.decode(request.uri.query)
    let client = context.client(request)
    if let refusal = parameters["error"] {
      try? await auth.audit(
        nil, "login.failure", "auth", nil, ["method": "oidc", "reason": .string(refusal)], client)
      return GatewayResponse.error(
        LTBError(
          .authentication, "the OpenID Connect provider refused the sign-in: \(refusal.prefix(100))",
          fix: "sign in again at /api/v1/auth/oidc/login"))
    }
    guard let code = parameters["code"], let state = parameters["state"] else {
      return GatewayResponse.error(
        "BAD_REQUEST", "the callback needs code and state", fix: "start at /api/v1/auth/oidc/login")
    }
    let identity: OIDCClient.Identity
    do {
      identity = try await oidc.finish(code: code, state: state)
    } catch {
      try? await auth.audit(
        nil, "login.failure", "auth", nil, ["method": "oidc", "reason": .string("\(error)")], client)
      return GatewayResponse.error(
        (error as? AuthFailure)?.error ?? LTBError(.authentication, "OpenID Connect sign-in failed"))
    }
    do {
      let pair = try await auth.signIn(oidc: identity, defaultRole: oidc.settings.defaultRole, client: client)
      if request.headers[.accept]?.contains("text/html") == true {
        // A browser lands in the dashboard, the pair in the fragment (never sent to a server).
        var fragment = URLComponents()
        fragment.queryItems = [
          URLQueryItem(name: "access", value: pair.accessToken),
          URLQueryItem(name: "refresh", value: pair.refreshToken),
          URLQueryItem(name: "expires", value: pair.expiresAt.iso8601Text),
        ]
        var response = Response(status: .found)
        response.headers[.location] = "/dashboard/#/oidc?" + (fragment.percentEncodedQuery ?? "")
        response.headers[.cacheControl] = "no-store"
        return response
      }
      return GatewayResponse.json(
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
      return GatewayResponse.error(failure)
    }
  }
}
