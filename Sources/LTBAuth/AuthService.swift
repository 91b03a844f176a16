import Crypto
public import Foundation
public import LTBCore
public import LTBStorage

/// Users, sign-in, tokens, API keys and the audit log: the one place identities are created,
/// proven and recorded.
public actor AuthService {
  /// Lifetimes and names.
  public struct Settings: Sendable {
    /// How long a refresh token lives.
    public var refreshLifetime: Duration
    /// The password hasher (also for API keys).
    public var hasher: PasswordHasher
    /// The shortest password accepted.
    public var minimumPasswordLength: Int
    /// How long a verified API key is trusted before its hash is checked again.
    public var keyCacheLifetime: Duration

    /// Creates settings (30-day refresh tokens, OWASP's argon2id parameters, 10-character
    /// passwords, keys re-verified every 60 s).
    public init(
      refreshLifetime: Duration = .seconds(30 * 86_400), hasher: PasswordHasher = .standard,
      minimumPasswordLength: Int = 10, keyCacheLifetime: Duration = .seconds(60)
    ) {
      self.refreshLifetime = refreshLifetime
      self.hasher = hasher
      self.minimumPasswordLength = minimumPasswordLength
      self.keyCacheLifetime = keyCacheLifetime
    }
  }

  /// The store of users, keys, tokens and audit entries.
  public nonisolated let store: any AuthStore
  /// Signs and verifies access tokens.
  public nonisolated let issuer: TokenIssuer
  /// Lifetimes and hashing.
  public nonisolated let settings: Settings
  private var throttle = LoginThrottle()
  private var verifiedKeys: [SHA256Digest: VerifiedKey] = [:]
  private var checking: [SHA256Digest: Task<VerifiedKey, any Error>] = [:]
  private var activeUsers: [UUID: (active: Bool, until: Date)] = [:]
  private let dummyHash: String

  /// Creates the service.
  public init(store: any AuthStore, issuer: TokenIssuer, settings: Settings = Settings()) throws {
    self.store = store
    self.issuer = issuer
    self.settings = settings
    try settings.hasher.validate()
    self.dummyHash = try settings.hasher.hash(APIKeyFormat.generate())
  }

  // MARK: Users

  /// Creates a user with a password (checked against the policy), audited as `user.created`.
  public func createUser(
    username: String, email: String, password: String?, role: Role, by actor: Principal?, client: ClientInfo
  ) async throws -> UserRecord {
    let name = username.trimmingCharacters(in: .whitespaces)
    guard name.range(of: #"^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$"#, options: .regularExpression) != nil else {
      throw LTBError(
        .invalidInput, "the username '\(username.prefix(64))' is not valid",
        fix: "use 2–64 letters, digits, '.', '_' or '-', starting with a letter or digit")
    }
    guard email.range(of: #"^[^@\s]+@[^@\s]+$"#, options: .regularExpression) != nil, email.count <= 254
    else {
      throw LTBError(
        .invalidInput, "the email '\(email.prefix(64))' is not valid", fix: "use name@example.org")
    }
    var hash = ""
    if let password {
      try checkPolicy(password, username: name)
      hash = try settings.hasher.hash(password)
    }
    let user = UserRecord(username: name, email: email, passwordHash: hash, role: role)
    try await store.createUser(user)
    try await audit(
      actor?.userID, "user.created", "user", user.id,
      ["username": .string(name), "role": .string(role.rawValue)],
      client)
    return user
  }

  /// Changes a user's role or deactivates them (revoking their tokens and keys); `actor` is
  /// `nil` for the command line.
  public func updateUser(_ id: UUID, role: Role?, active: Bool?, by actor: Principal?, client: ClientInfo)
    async throws -> UserRecord
  {
    guard var user = try await store.user(id: id) else {
      throw LTBError(.notFound, "no user \(id.lowercasedText)", fix: "list users with the users query")
    }
    if id == actor?.userID, active == false || (role != nil && role != .admin && user.role == .admin) {
      throw LTBError(
        .invalidInput, "you cannot deactivate yourself or take away your own admin role",
        fix: "ask another admin")
    }
    if let role { user.role = role }
    if let active { user.isActive = active }
    try await store.updateUser(user)
    if active == false || role != nil {
      try await store.revokeRefreshTokens(user: id, at: Date())
      for key in try await store.apiKeys(user: id) where key.revokedAt == nil {
        _ = try await store.revokeAPIKey(id: key.id, at: Date())
      }
      verifiedKeys = verifiedKeys.filter { $0.value.principal.userID != id }
    }
    activeUsers[id] = nil
    var details: [String: JSONValue] = [:]
    if let role { details["role"] = .string(role.rawValue) }
    if let active { details["active"] = .bool(active) }
    try await audit(actor?.userID, "user.updated", "user", id, details, client)
    return user
  }

  private func checkPolicy(_ password: String, username: String) throws {
    guard password.count >= settings.minimumPasswordLength, password.count <= 1_024 else {
      throw LTBError(
        .invalidInput, "the password must be \(settings.minimumPasswordLength)–1024 characters",
        fix: "choose a longer passphrase")
    }
    guard password.lowercased() != username.lowercased() else {
      throw LTBError(
        .invalidInput, "the password must differ from the username", fix: "choose another password")
    }
  }

  // MARK: Sign-in

  /// Exchanges a username (or email) and password for a token pair. Failures are audited, say
  /// nothing about which part was wrong, take as long as a success (a hash is verified even
  /// for unknown users), and are throttled per account and per address.
  public func login(username: String, password: String, client: ClientInfo) async throws -> TokenPair {
    let now = Date()
    let keys = ["user:" + username.lowercased(), "ip:" + (client.ipAddress ?? "unknown")]
    if let wait = throttle.wait(for: keys, now: now) {
      try await audit(nil, "login.throttled", "auth", nil, ["username": .string(username)], client)
      throw AuthFailure.throttled(seconds: wait).error
    }
    let user = try await store.user(named: username)
    let valid = PasswordHasher.verify(password, against: user?.passwordHash ?? dummyHash)
    guard var user, valid, user.isActive, !user.passwordHash.isEmpty else {
      throttle.fail(keys, now: now)
      try await audit(
        user?.id, "login.failure", "auth", nil,
        [
          "username": .string(username),
          "reason": .string(user == nil ? "unknown user" : valid ? "inactive" : "wrong password"),
        ],
        client)
      throw LTBError(
        .authentication, "the username or password is wrong, or the account is disabled",
        fix: "check them; after 5 failures each attempt waits longer")
    }
    throttle.succeed(keys[0])
    if settings.hasher.isOutdated(user.passwordHash) {
      user.passwordHash = try settings.hasher.hash(password)
    }
    user.lastLoginAt = now
    try await store.updateUser(user)
    let pair = try await issue(for: user, family: .timeOrdered(), now: now)
    try await audit(user.id, "login.success", "auth", nil, [:], client)
    return pair
  }

  /// Signs in the local user of an OpenID Connect identity: found by email, or created at the
  /// first sign-in (with the token's role claim, else `defaultRole`, and no password); a role
  /// claim also keeps an existing user's role in step with the provider.
  public func signIn(oidc identity: OIDCClient.Identity, defaultRole: Role, client: ClientInfo) async throws
    -> TokenPair
  {
    guard let email = identity.email, !email.isEmpty else {
      try await audit(nil, "login.failure", "auth", nil, ["method": "oidc", "reason": "no email"], client)
      throw LTBError(
        .authentication, "the OpenID Connect provider did not share an email address",
        fix: "request the email scope, or have the provider release the email claim")
    }
    if var user = try await store.user(named: email), user.email == email {
      if let role = identity.role, role != user.role, user.isActive {
        user.role = role
        try await store.updateUser(user)
        try await audit(
          user.id, "user.updated", "user", user.id, ["role": .string(role.rawValue), "method": "oidc"], client
        )
      }
      return try await signIn(user, method: "oidc", client: client)
    }
    let base = Self.username(from: identity.preferredUsername ?? String(email.prefix { $0 != "@" }))
    var name = base
    var suffix = 2
    while try await store.user(named: name) != nil {
      name = "\(base)-\(suffix)"
      suffix += 1
    }
    let user = UserRecord(username: name, email: email, passwordHash: "", role: identity.role ?? defaultRole)
    try await store.createUser(user)
    try await audit(
      user.id, "user.created", "user", user.id,
      [
        "username": .string(name), "role": .string(user.role.rawValue), "method": "oidc",
        "subject": .string(identity.subject),
      ],
      client)
    return try await signIn(user, method: "oidc", client: client)
  }

  /// A valid username from a provider's name: allowed characters kept, 2–64 long.
  static func username(from text: String) -> String {
    let kept = String(
      text.unicodeScalars.filter {
        CharacterSet.alphanumerics.contains($0) && $0.isASCII || "._-".unicodeScalars.contains($0)
      })
    let trimmed = String(kept.drop { !$0.isLetter && !$0.isNumber }.prefix(60))
    return trimmed.count >= 2 ? trimmed : "user-" + trimmed
  }

  /// A token pair for a user who proved themselves elsewhere (OpenID Connect), audited.
  public func signIn(_ user: UserRecord, method: String, client: ClientInfo) async throws -> TokenPair {
    guard user.isActive else {
      try await audit(
        user.id, "login.failure", "auth", nil, ["method": .string(method), "reason": "inactive"], client)
      throw LTBError(.authentication, "the account is disabled", fix: "ask an admin to reactivate it")
    }
    var user = user
    user.lastLoginAt = Date()
    try await store.updateUser(user)
    let pair = try await issue(for: user, family: .timeOrdered(), now: Date())
    try await audit(user.id, "login.success", "auth", nil, ["method": .string(method)], client)
    return pair
  }

  /// Exchanges a refresh token for a new pair; the old token stops working. Presenting a
  /// token that was already exchanged revokes its whole family (every token of that login),
  /// since either the client or a thief is replaying it.
  public func refresh(_ token: String, client: ClientInfo) async throws -> TokenPair {
    let now = Date()
    guard let (record, valid) = try await lookUpRefresh(token), valid else {
      try await audit(nil, "refresh.failure", "auth", nil, ["reason": "unknown token"], client)
      throw AuthFailure.unauthenticated("refresh token unknown").error
    }
    if record.usedAt != nil || record.revokedAt != nil {
      try await store.revokeRefreshFamily(record.familyID, at: now)
      try await audit(record.userID, "refresh.reuse", "auth", record.familyID, [:], client)
      throw AuthFailure.unauthenticated("refresh token reused").error
    }
    guard record.expiresAt > now, let user = try await store.user(id: record.userID), user.isActive else {
      try await audit(
        record.userID, "refresh.failure", "auth", nil, ["reason": "expired or inactive"], client)
      throw AuthFailure.unauthenticated("refresh token expired").error
    }
    guard try await store.useRefreshToken(id: record.id, at: now) else {
      try await store.revokeRefreshFamily(record.familyID, at: now)
      try await audit(record.userID, "refresh.reuse", "auth", record.familyID, [:], client)
      throw AuthFailure.unauthenticated("refresh token reused").error
    }
    let pair = try await issue(for: user, family: record.familyID, now: now)
    try await audit(user.id, "refresh.success", "auth", nil, [:], client)
    return pair
  }

  /// Revokes the login a refresh token belongs to; true when it was a known token.
  public func logout(_ token: String, client: ClientInfo) async throws -> Bool {
    guard let (record, valid) = try await lookUpRefresh(token), valid else { return false }
    try await store.revokeRefreshFamily(record.familyID, at: Date())
    try await audit(record.userID, "logout", "auth", nil, [:], client)
    return true
  }

  private func lookUpRefresh(_ token: String) async throws -> (RefreshTokenRecord, Bool)? {
    let parts = token.split(separator: ".", maxSplits: 1)
    guard parts.count == 2, let id = UUID(uuidString: String(parts[0])),
      let record = try await store.refreshToken(id: id)
    else { return nil }
    let presented = Array(SHA256.hash(data: Data(parts[1].utf8)).hexText.utf8)
    let stored = Array(record.tokenHash.utf8)
    return (record, Self.constantTimeEqual(presented, stored))
  }

  private func issue(for user: UserRecord, family: UUID, now: Date) async throws -> TokenPair {
    let access = try await issuer.sign(user: user.id, username: user.username, role: user.role, now: now)
    var generator = SystemRandomNumberGenerator()
    let secret = Base64URL.encode((0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    let record = RefreshTokenRecord(
      familyID: family, userID: user.id, tokenHash: SHA256.hash(data: Data(secret.utf8)).hexText,
      createdAt: now,
      expiresAt: now.addingTimeInterval(settings.refreshLifetime.milliseconds / 1_000))
    try await store.createRefreshToken(record)
    return TokenPair(
      accessToken: access.token, expiresAt: access.expires,
      refreshToken: record.id.lowercasedText + "." + secret,
      userID: user.id, username: user.username, role: user.role.rawValue)
  }

  // MARK: Authentication of requests

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

  private func isActive(_ user: UUID) async throws -> Bool {
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
  private func authenticateKey(_ key: String, client: ClientInfo) async throws -> Principal {
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

  // MARK: API keys

  /// Creates a key for `owner` (at most the owner's role), returning the key, shown only now.
  public func createAPIKey(
    owner: UUID, name: String, role: Role?, scopes: Set<Permission>?, expiresAt: Date?, by actor: Principal?,
    client: ClientInfo
  ) async throws -> (key: String, record: APIKeyRecord) {
    guard let user = try await store.user(id: owner), user.isActive else {
      throw LTBError(.notFound, "no active user \(owner.lowercasedText)", fix: "create the user first")
    }
    let keyRole = role ?? user.role
    guard keyRole.permissions.isSubset(of: user.role.permissions) else {
      throw LTBError(
        .permissionDenied, "a key cannot have more rights than its owner (\(user.role.rawValue))",
        fix: "choose the role \(user.role.rawValue) or a lesser one")
    }
    if let expiresAt, expiresAt <= Date() {
      throw LTBError(.invalidInput, "the expiry is in the past", fix: "give a future time")
    }
    let key = APIKeyFormat.generate()
    let record = APIKeyRecord(
      id: APIKeyFormat.id(of: key) ?? "", userID: owner, name: name, keyHash: try settings.hasher.hash(key),
      role: keyRole, scopes: scopes, expiresAt: expiresAt)
    try await store.createAPIKey(record)
    try await audit(
      actor?.userID ?? owner, "key.created", "api_key", nil,
      [
        "key_id": .string(record.id), "owner": .string(owner.lowercasedText),
        "role": .string(keyRole.rawValue),
      ], client)
    return (key, record)
  }

  /// Revokes a key: its owner may, and so may anyone with `MANAGE_USERS`.
  public func revokeAPIKey(id: String, by actor: Principal?, client: ClientInfo) async throws -> APIKeyRecord
  {
    guard let record = try await store.apiKey(id: id),
      actor == nil || actor?.userID == record.userID || actor?.has(.manageUsers) == true
    else {
      throw LTBError(.notFound, "no API key \(id) of yours", fix: "list your keys with the apiKeys query")
    }
    _ = try await store.revokeAPIKey(id: id, at: Date())
    verifiedKeys = verifiedKeys.filter { $0.value.principal.credential != .apiKey(id: id) }
    try await audit(actor?.userID, "key.revoked", "api_key", nil, ["key_id": .string(id)], client)
    return try await store.apiKey(id: id) ?? record
  }

  // MARK: Audit

  /// Appends to the audit log.
  public func audit(
    _ user: UUID?, _ action: String, _ resourceType: String, _ resource: UUID?,
    _ details: [String: JSONValue],
    _ client: ClientInfo
  ) async throws {
    try await store.appendAudit(
      AuditEntry(
        userID: user, action: action, resourceType: resourceType, resourceID: resource, details: details,
        ipAddress: client.ipAddress, userAgent: client.userAgent.map { String($0.prefix(512)) }))
  }

  /// Whether two byte strings are equal, in time that depends only on their length.
  static func constantTimeEqual(_ first: [UInt8], _ second: [UInt8]) -> Bool {
    guard first.count == second.count else { return false }
    var difference: UInt8 = 0
    for index in first.indices { difference |= first[index] ^ second[index] }
    return difference == 0
  }
}

extension SHA256Digest {
  /// Lower-case hex.
  var hexText: String { map { String(format: "%02x", $0) }.joined() }
}
