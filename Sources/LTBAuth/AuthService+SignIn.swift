import Crypto
public import Foundation
public import LTBCore
public import LTBStorage

/// Sign-in: passwords and OpenID Connect identities exchanged for token pairs, refreshed and revoked.
extension AuthService {
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

  func lookUpRefresh(_ token: String) async throws -> (RefreshTokenRecord, Bool)? {
    let parts = token.split(separator: ".", maxSplits: 1)
    guard parts.count == 2, let id = UUID(uuidString: String(parts[0])),
      let record = try await store.refreshToken(id: id)
    else { return nil }
    let presented = Array(SHA256.hash(data: Data(parts[1].utf8)).hexText.utf8)
    let stored = Array(record.tokenHash.utf8)
    return (record, Self.constantTimeEqual(presented, stored))
  }

  func issue(for user: UserRecord, family: UUID, now: Date) async throws -> TokenPair {
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
}
