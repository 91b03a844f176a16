public import Foundation

/// What a successful login or refresh returns.
public struct TokenPair: Sendable, Equatable {
  /// The short-lived access token (a JWT).
  public var accessToken: String
  /// When the access token expires.
  public var expiresAt: Date
  /// The long-lived refresh token (`<id>.<secret>`), usable once.
  public var refreshToken: String
  /// The signed-in user.
  public var userID: UUID
  /// The user's name.
  public var username: String
  /// The user's role.
  public var role: String

  /// Creates a pair.
  public init(
    accessToken: String, expiresAt: Date, refreshToken: String, userID: UUID, username: String, role: String
  ) {
    self.accessToken = accessToken
    self.expiresAt = expiresAt
    self.refreshToken = refreshToken
    self.userID = userID
    self.username = username
    self.role = role
  }
}
