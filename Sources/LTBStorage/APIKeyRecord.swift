public import Foundation
public import LTBCore

/// An API key as stored: its public id (part of the key, for lookup) and the argon2id hash of
/// the whole key, never the key itself.
public struct APIKeyRecord: Sendable, Equatable {
  /// The public id: the 8 characters after `ltb_`.
  public var id: String
  /// The owner.
  public var userID: UUID
  /// A label.
  public var name: String
  /// The argon2id hash of the whole key.
  public var keyHash: String
  /// The role the key acts with (never above its owner's).
  public var role: Role
  /// Permissions narrowing the role's, when set.
  public var scopes: Set<Permission>?
  /// When it was created.
  public var createdAt: Date
  /// When it stops working, if ever.
  public var expiresAt: Date?
  /// When it was last accepted.
  public var lastUsedAt: Date?
  /// When it was revoked.
  public var revokedAt: Date?

  /// Creates a record.
  public init(
    id: String, userID: UUID, name: String, keyHash: String, role: Role, scopes: Set<Permission>? = nil,
    createdAt: Date = Date(), expiresAt: Date? = nil, lastUsedAt: Date? = nil, revokedAt: Date? = nil
  ) {
    self.id = id
    self.userID = userID
    self.name = name
    self.keyHash = keyHash
    self.role = role
    self.scopes = scopes
    self.createdAt = createdAt
    self.expiresAt = expiresAt
    self.lastUsedAt = lastUsedAt
    self.revokedAt = revokedAt
  }
}
