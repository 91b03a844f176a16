public import Foundation
import LTBCore

/// Users, API keys, refresh tokens and the audit log.
public protocol AuthStore: Sendable {
  /// Adds a user; a taken username or email is refused with the field named.
  func createUser(_ user: UserRecord) async throws
  /// Saves a user's email, hash, role, active flag and last sign-in.
  func updateUser(_ user: UserRecord) async throws
  /// One user by id.
  func user(id: UUID) async throws -> UserRecord?
  /// One user by username or by email.
  func user(named name: String) async throws -> UserRecord?
  /// Every user, by name.
  func users() async throws -> [UserRecord]
  /// Adds an API key.
  func createAPIKey(_ key: APIKeyRecord) async throws
  /// One API key by its public id.
  func apiKey(id: String) async throws -> APIKeyRecord?
  /// The keys of one user, or of everyone, newest first.
  func apiKeys(user: UUID?) async throws -> [APIKeyRecord]
  /// Revokes a key; false when there was no such unrevoked key.
  func revokeAPIKey(id: String, at date: Date) async throws -> Bool
  /// Records that a key was accepted.
  func touchAPIKey(id: String, at date: Date) async throws
  /// Adds a refresh token.
  func createRefreshToken(_ token: RefreshTokenRecord) async throws
  /// One refresh token by id.
  func refreshToken(id: UUID) async throws -> RefreshTokenRecord?
  /// Marks a token used, atomically: false when it was already used or revoked (so that two
  /// exchanges of one token cannot both succeed).
  func useRefreshToken(id: UUID, at date: Date) async throws -> Bool
  /// Revokes every token of a family.
  func revokeRefreshFamily(_ family: UUID, at date: Date) async throws
  /// Revokes every token of a user.
  func revokeRefreshTokens(user: UUID, at date: Date) async throws
  /// Appends to the audit log.
  func appendAudit(_ entry: AuditEntry) async throws
  /// A page of the audit log, newest first.
  func auditEntries(_ query: AuditQuery) async throws -> Page<AuditEntry>
}
