public import Foundation
public import LTBCore

/// A user as stored: the password only as its argon2id hash.
public struct UserRecord: Sendable, Equatable {
  /// The user's id.
  public var id: UUID
  /// The unique login name.
  public var username: String
  /// The unique email address.
  public var email: String
  /// The argon2id hash (PHC string); empty for users who only sign in through OpenID Connect.
  public var passwordHash: String
  /// The role.
  public var role: Role
  /// False once deactivated: a deactivated user cannot sign in and their credentials fail.
  public var isActive: Bool
  /// When the user was created.
  public var createdAt: Date
  /// The last successful sign-in.
  public var lastLoginAt: Date?

  /// Creates a record.
  public init(
    id: UUID = .timeOrdered(), username: String, email: String, passwordHash: String, role: Role,
    isActive: Bool = true, createdAt: Date = Date(), lastLoginAt: Date? = nil
  ) {
    self.id = id
    self.username = username
    self.email = email
    self.passwordHash = passwordHash
    self.role = role
    self.isActive = isActive
    self.createdAt = createdAt
    self.lastLoginAt = lastLoginAt
  }
}
