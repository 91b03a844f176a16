import Crypto
public import Foundation
public import LTBCore
public import LTBStorage

/// Authentication of requests: access tokens and API keys proven, each request's principal found.
extension AuthService {
  /// The principal behind a bearer credential: an access token, or an `ltb_` API key.
  public func authenticate(_ credential: String, client: ClientInfo) async throws(AuthFailure) -> Principal {
    if credential.hasPrefix(APIKeyFormat.prefix) {
      do {
        return try await authenticateKey(credential, client: client)
      } catch {
        throw (error as? AuthFailure) ?? .unauthenticated("API key check failed")
      }
    }
    let claims = try await issuer.verify(credential)
    guard (try? await isActive(claims.user)) == true else {
      throw .unauthenticated("user inactive or deleted")
    }
    return Principal(
      userID: claims.user, username: claims.username, role: claims.role,
      credential: .accessToken(expires: claims.expires))
  }

  func isActive(_ user: UUID) async throws -> Bool {
    let now = Date()
    if let cached = activeUsers[user], cached.until > now { return cached.active }
    let active = try await store.user(id: user)?.isActive ?? false
    activeUsers[user] = (active, now.addingTimeInterval(5))
    return active
  }

  /// A key checked against the store: who it acts as, until when, and the hash it matched.
  struct VerifiedKey: Sendable {
    var principal: Principal
    var until: Date
    var keyHash: String
  }

  /// Why a key was refused, for the audit log.
  struct KeyRejection: Error {
    var user: UUID?
    var keyID: String
    var reason: String
  }

  /// Authenticates an API key. A verified key is trusted for the cache lifetime; after that its
  /// record is read again (revocation, expiry, the owner's state) but argon2id is not rerun
  /// while the stored hash is the one it matched. Concurrent requests with the same key share
  /// one check, and the check runs off the actor, so a verification never stalls other requests.
  func authenticateKey(_ key: String, client: ClientInfo) async throws -> Principal {
    let digest = SHA256.hash(data: Data(key.utf8))
    let now = Date()
    if let cached = verifiedKeys[digest], cached.until > now { return cached.principal }
    guard let id = APIKeyFormat.id(of: key) else { throw AuthFailure.unauthenticated("malformed API key") }
    let task: Task<VerifiedKey, any Error>
    let leads = checking[digest] == nil
    if let running = checking[digest] {
      task = running
    } else {
      let (store, lifetime, known) = (store, settings.keyCacheLifetime, verifiedKeys[digest]?.keyHash)
      task = Task.detached {
        try await Self.check(key, id: id, matched: known, store: store, lifetime: lifetime, now: now)
      }
      checking[digest] = task
    }
    do {
      let verified = try await task.value
      guard leads else { return verified.principal }
      checking[digest] = nil
      verifiedKeys[digest] = verified
      try? await store.touchAPIKey(id: id, at: now)
      try? await audit(verified.principal.userID, "key.used", "api_key", nil, ["key_id": .string(id)], client)
      return verified.principal
    } catch {
      let rejection = error as? KeyRejection
      if leads {
        checking[digest] = nil
        verifiedKeys[digest] = nil
        try? await audit(
          rejection?.user, "key.failure", "api_key", nil,
          ["key_id": .string(id), "reason": .string(rejection?.reason ?? "lookup failed")], client)
      }
      throw AuthFailure.unauthenticated("API key refused: \(rejection?.reason ?? "\(error)")")
    }
  }

  /// The key's record, verified (argon2id unless `matched` is still its stored hash), unrevoked,
  /// unexpired, with an active owner.
  nonisolated static func check(
    _ key: String, id: String, matched: String?, store: any AuthStore, lifetime: Duration, now: Date
  ) async throws -> VerifiedKey {
    guard let record = try await store.apiKey(id: id) else {
      throw KeyRejection(user: nil, keyID: id, reason: "unknown or wrong")
    }
    guard record.keyHash == matched || PasswordHasher.verify(key, against: record.keyHash) else {
      throw KeyRejection(user: nil, keyID: id, reason: "unknown or wrong")
    }
    let expired = record.expiresAt.map { $0 <= now } ?? false
    if record.revokedAt != nil || expired {
      throw KeyRejection(user: record.userID, keyID: id, reason: expired ? "expired" : "revoked")
    }
    guard let owner = try await store.user(id: record.userID), owner.isActive else {
      throw KeyRejection(user: record.userID, keyID: id, reason: "owner inactive")
    }
    let role = lesser(record.role, owner.role)
    let permissions = record.scopes.map { $0.intersection(role.permissions) } ?? role.permissions
    var until = now.addingTimeInterval(lifetime.milliseconds / 1_000)
    if let expires = record.expiresAt { until = min(until, expires) }
    return VerifiedKey(
      principal: Principal(
        userID: owner.id, username: owner.username, role: role, permissions: permissions,
        credential: .apiKey(id: id)),
      until: until, keyHash: record.keyHash)
  }

  static func lesser(_ first: Role, _ second: Role) -> Role {
    first.permissions.isSubset(of: second.permissions) ? first : second
  }
}
