import Foundation
public import LTBCore

/// A configured OpenID Connect provider for sign-in by authorization code with PKCE.
public struct OIDCSettings: Sendable, Equatable {
  /// The issuer URL; its `/.well-known/openid-configuration` is read at start.
  public var issuer: String
  /// The client id registered with the provider.
  public var clientID: String
  /// The client secret (confidential clients); sent with HTTP Basic to the token endpoint.
  public var clientSecret: String?
  /// Where the provider sends the browser back: `…/api/v1/auth/oidc/callback` on this server.
  public var redirectURI: String
  /// The scopes requested.
  public var scopes: [String]
  /// The ID token claim holding the role (`admin`, `user` or `viewer`).
  public var roleClaim: String
  /// The role of users whose token has no (valid) role claim.
  public var defaultRole: Role

  /// Creates settings.
  public init(
    issuer: String, clientID: String, clientSecret: String? = nil, redirectURI: String,
    scopes: [String] = ["openid", "email", "profile"], roleClaim: String = "ltb_role",
    defaultRole: Role = .viewer
  ) {
    self.issuer = issuer
    self.clientID = clientID
    self.clientSecret = clientSecret
    self.redirectURI = redirectURI
    self.scopes = scopes
    self.roleClaim = roleClaim
    self.defaultRole = defaultRole
  }
}
