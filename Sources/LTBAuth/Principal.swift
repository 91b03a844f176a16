public import Foundation
public import LTBCore

/// Who is making a request, once authenticated: the user, the role, the permissions in force
/// (a key's scopes narrow its role's), and how they proved it.
public struct Principal: Sendable, Equatable {
  /// How the identity was established.
  public enum Credential: Sendable, Equatable {
    /// A signed access token, valid until `expires`.
    case accessToken(expires: Date)
    /// An API key, by its public id.
    case apiKey(id: String)
  }

  /// The user's id.
  public var userID: UUID
  /// The user's name.
  public var username: String
  /// The user's role.
  public var role: Role
  /// The permissions this request has.
  public var permissions: Set<Permission>
  /// How the identity was established.
  public var credential: Credential

  /// Creates a principal; `permissions` defaults to the role's.
  public init(
    userID: UUID, username: String, role: Role, permissions: Set<Permission>? = nil, credential: Credential
  ) {
    self.userID = userID
    self.username = username
    self.role = role
    self.permissions = permissions ?? role.permissions
    self.credential = credential
  }

  /// Whether the request may do what `permission` guards.
  public func has(_ permission: Permission) -> Bool { permissions.contains(permission) }

  /// Whether the principal sees every user's sessions rather than only its own.
  public var seesEveryone: Bool { has(.adminAccess) }

  /// When the credential stops being valid, for tokens.
  public var expires: Date? {
    if case .accessToken(let expires) = credential { return expires }
    return nil
  }
}
