import Foundation
public import HTTPTypes
public import Hummingbird
public import LTBAuth
import LTBCore

/// Finds the principal of a request from `Authorization: Bearer <token or ltb_ key>` or
/// `X-API-Key`; a credential that is present but not valid is answered 401 at once, so that a
/// bad token never falls through to public fields. Requests without one go on anonymous.
public struct AuthenticationMiddleware: RouterMiddleware {
  let auth: AuthService

  /// A middleware authenticating through `auth`.
  public init(auth: AuthService) { self.auth = auth }

  /// Authenticates, then calls the rest of the chain.
  public func handle(
    _ request: Request, context: GatewayRequestContext,
    next: (Request, GatewayRequestContext) async throws -> Response
  ) async throws -> Response {
    guard
      let credential = Self.credential(
        request.headers[.authorization], apiKey: request.headers[.xAPIKey])
    else {
      return try await next(request, context)
    }
    var context = context
    do {
      context.principal = try await auth.authenticate(credential, client: context.client(request))
    } catch let failure {
      return GatewayResponse.error(failure.error, headers: [("WWW-Authenticate", #"Bearer realm="ltb""#)])
    }
    return try await next(request, context)
  }

  /// The credential of an `Authorization: Bearer` or `X-API-Key` header.
  static func credential(_ authorization: String?, apiKey: String?) -> String? {
    if let authorization, authorization.lowercased().hasPrefix("bearer ") {
      let token = authorization.dropFirst(7).trimmingCharacters(in: .whitespaces)
      return token.isEmpty ? nil : token
    }
    if let apiKey, !apiKey.isEmpty { return apiKey.trimmingCharacters(in: .whitespaces) }
    return nil
  }
}

extension HTTPField.Name {
  /// `X-API-Key`, the alternative to `Authorization: Bearer` for API keys.
  static let xAPIKey = HTTPField.Name("X-API-Key")!
  /// `X-Frame-Options`.
  static let xFrameOptions = HTTPField.Name("X-Frame-Options")!
  /// `Referrer-Policy`.
  static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
}
