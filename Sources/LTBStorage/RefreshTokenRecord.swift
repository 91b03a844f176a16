public import Foundation
public import LTBCore

/// A refresh token as stored: the SHA-256 of its secret (it is 256 random bits, so a fast hash
/// is enough), its family (every rotation of one login) and its life.
public struct RefreshTokenRecord: Sendable, Equatable {
  /// The token's id (also the first part of the token).
  public var id: UUID
  /// The login it descends from.
  public var familyID: UUID
  /// The owner.
  public var userID: UUID
  /// SHA-256 of the secret part, hex.
  public var tokenHash: String
  /// When it was issued.
  public var createdAt: Date
  /// When it stops working.
  public var expiresAt: Date
  /// When it was exchanged for a new pair (a second use revokes the family).
  public var usedAt: Date?
  /// When it was revoked.
  public var revokedAt: Date?

  /// Creates a record.
  public init(
    id: UUID = .timeOrdered(), familyID: UUID, userID: UUID, tokenHash: String, createdAt: Date = Date(),
    expiresAt: Date, usedAt: Date? = nil, revokedAt: Date? = nil
  ) {
    self.id = id
    self.familyID = familyID
    self.userID = userID
    self.tokenHash = tokenHash
    self.createdAt = createdAt
    self.expiresAt = expiresAt
    self.usedAt = usedAt
    self.revokedAt = revokedAt
  }
}
