import Foundation
import LTBCore
import LTBStorage
import Testing

@testable import LTBAuth

/// The auth service over a real SQLite file: sign-in, refresh rotation and reuse, logout, API
/// keys in every state, deactivated users, throttling, and what lands in the audit log.
@Suite("Auth service")
struct AuthServiceTests {
  static let hasher = PasswordHasher(memoryKiB: 1_024, iterations: 1, parallelism: 1)

  static func withService(
    lifetime: Duration = .seconds(900), keyCache: Duration = .seconds(0),
    _ body: (AuthService, SQLBenchStore) async throws -> Void
  ) async throws {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent(
      "ltb-auth-\(UUID().uuidString).sqlite"
    )
    .path
    let store = try await SQLBenchStore.open(.sqlite(path: path))
    defer {
      for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }
    let issuer = try await TokenIssuer(
      secret: String(repeating: "s", count: 40), issuer: "ltb", audience: "ltb-api", lifetime: lifetime)
    let service = try AuthService(
      store: store, issuer: issuer, settings: .init(hasher: hasher, keyCacheLifetime: keyCache))
    do {
      try await body(service, store)
      await store.close()
    } catch {
      await store.close()
      throw error
    }
  }

  static func actions(_ store: SQLBenchStore) async throws -> [String] {
    try await store.auditEntries(AuditQuery(limit: 1_000)).items.map(\.action).reversed()
  }

  @Test("users: the password is stored only as an argon2id hash; bad names, emails and passwords are refused")
  func users() async throws {
    try await Self.withService { auth, store in
      let user = try await auth.createUser(
        username: "ada", email: "ada@example.org", password: "analytical engine", role: .user, by: nil,
        client: ClientInfo())
      let stored = try #require(try await store.user(id: user.id))
      #expect(stored.passwordHash.hasPrefix("$argon2id$"))
      #expect(!stored.passwordHash.contains("analytical"))
      for (name, email, password) in [
        ("a", "a@example.org", "long enough password"), ("ada", "other@example.org", "long enough password"),
        ("bob", "ada@example.org", "long enough password"), ("bob", "not-an-email", "long enough password"),
        ("bob", "bob@example.org", "short"),
        ("bob'; DROP TABLE users;--", "b@example.org", "long enough password"),
      ] {
        await #expect(throws: LTBError.self, "\(name) \(email)") {
          _ = try await auth.createUser(
            username: name, email: email, password: password, role: .user, by: nil, client: ClientInfo())
        }
      }
      #expect(try await store.users().map(\.username) == ["ada"])
    }
  }

  @Test(
    "sign-in: right password gives a verifiable token; wrong or unknown fail alike, are audited and throttled"
  )
  func signIn() async throws {
    try await Self.withService { auth, store in
      _ = try await auth.createUser(
        username: "ada", email: "ada@example.org", password: "analytical engine", role: .viewer, by: nil,
        client: ClientInfo())
      let client = ClientInfo(ipAddress: "192.0.2.7", userAgent: "tests")
      let pair = try await auth.login(username: "ada", password: "analytical engine", client: client)
      let principal = try await auth.authenticate(pair.accessToken, client: client)
      #expect(
        principal.username == "ada" && principal.role == .viewer && principal.permissions == [.viewResults])
      var messages: Set<String> = []
      for attempt in 0..<5 {
        do {
          _ = try await auth.login(
            username: attempt.isMultiple(of: 2) ? "ada" : "nobody", password: "wrong", client: client)
        } catch let error as LTBError {
          messages.insert(error.message)
          #expect(error.code == .authentication)
        }
      }
      #expect(messages.count == 1, "unknown user and wrong password look the same")
      // The address has failed 5 times: the next attempt, even with the right password, waits.
      do {
        _ = try await auth.login(username: "ada", password: "analytical engine", client: client)
        Issue.record("a throttled sign-in succeeded")
      } catch let error as LTBError {
        #expect(error.code == .rateLimited && error.retryAfter != nil)
      }
      // Another address may still sign in: throttling is per account and per address; the
      // account had 3 failures, below the 5 free ones.
      _ = try await auth.login(
        username: "ada", password: "analytical engine", client: ClientInfo(ipAddress: "198.51.100.1"))
      let log = try await store.auditEntries(AuditQuery(actionPrefix: "login.", limit: 100)).items
      #expect(log.filter { $0.action == "login.failure" }.count == 5)
      #expect(log.filter { $0.action == "login.success" }.count == 2)
      #expect(log.contains { $0.action == "login.throttled" })
      #expect(log.first { $0.action == "login.failure" }?.ipAddress == "192.0.2.7")
      #expect(log.first { $0.action == "login.failure" }?.userAgent == "tests")
    }
  }

  @Test("refresh tokens rotate; reusing a rotated one revokes the whole family; logout ends it")
  func refresh() async throws {
    try await Self.withService { auth, store in
      _ = try await auth.createUser(
        username: "ada", email: "ada@example.org", password: "analytical engine", role: .user, by: nil,
        client: ClientInfo())
      let first = try await auth.login(username: "ada", password: "analytical engine", client: ClientInfo())
      let second = try await auth.refresh(first.refreshToken, client: ClientInfo())
      #expect(second.refreshToken != first.refreshToken)
      let stored = try #require(
        try await store.refreshToken(id: UUID(uuidString: String(second.refreshToken.prefix(36)))!))
      #expect(!second.refreshToken.contains(stored.tokenHash), "only a hash is stored")
      // A thief replays the first token: refused, and the legitimate second token dies with it.
      await #expect(throws: LTBError.self) {
        _ = try await auth.refresh(first.refreshToken, client: ClientInfo())
      }
      await #expect(throws: LTBError.self) {
        _ = try await auth.refresh(second.refreshToken, client: ClientInfo())
      }
      #expect(try await Self.actions(store).contains("refresh.reuse"))
      // A tampered secret with a real id is refused without touching the family.
      let third = try await auth.login(username: "ada", password: "analytical engine", client: ClientInfo())
      let tampered = String(third.refreshToken.dropLast(2)) + "AA"
      await #expect(throws: LTBError.self) { _ = try await auth.refresh(tampered, client: ClientInfo()) }
      let fourth = try await auth.refresh(third.refreshToken, client: ClientInfo())
      #expect(try await auth.logout(fourth.refreshToken, client: ClientInfo()))
      await #expect(throws: LTBError.self) {
        _ = try await auth.refresh(fourth.refreshToken, client: ClientInfo())
      }
      #expect(try await auth.logout("not-a-token", client: ClientInfo()) == false)
    }
  }

  @Test("an expired access token, and the token of a deactivated user, are refused")
  func expiryAndDeactivation() async throws {
    try await Self.withService(lifetime: .seconds(1)) { auth, _ in
      let admin = try await auth.createUser(
        username: "root", email: "root@example.org", password: "administrator", role: .admin, by: nil,
        client: ClientInfo())
      let user = try await auth.createUser(
        username: "ada", email: "ada@example.org", password: "analytical engine", role: .user, by: nil,
        client: ClientInfo())
      let pair = try await auth.login(username: "ada", password: "analytical engine", client: ClientInfo())
      _ = try await auth.authenticate(pair.accessToken, client: ClientInfo())
      let acting = Principal(userID: admin.id, username: "root", role: .admin, credential: .apiKey(id: "x"))
      _ = try await auth.updateUser(user.id, role: nil, active: false, by: acting, client: ClientInfo())
      await #expect(throws: AuthFailure.self) {
        _ = try await auth.authenticate(pair.accessToken, client: ClientInfo())
      }
      await #expect(throws: LTBError.self) {
        _ = try await auth.refresh(pair.refreshToken, client: ClientInfo())
      }
      await #expect(throws: LTBError.self) {
        _ = try await auth.login(username: "ada", password: "analytical engine", client: ClientInfo())
      }
      await #expect(throws: LTBError.self, "an admin cannot deactivate themselves") {
        _ = try await auth.updateUser(admin.id, role: nil, active: false, by: acting, client: ClientInfo())
      }
      let adminPair = try await auth.login(username: "root", password: "administrator", client: ClientInfo())
      try await Task.sleep(for: .milliseconds(2_100))
      await #expect(throws: AuthFailure.self, "expired") {
        _ = try await auth.authenticate(adminPair.accessToken, client: ClientInfo())
      }
    }
  }

  @Test(
    "API keys: accepted while valid; wrong, revoked, expired and a deactivated owner's are refused; never stored"
  )
  func keys() async throws {
    try await Self.withService { auth, store in
      let owner = try await auth.createUser(
        username: "ada", email: "ada@example.org", password: "analytical engine", role: .user, by: nil,
        client: ClientInfo())
      let created = try await auth.createAPIKey(
        owner: owner.id, name: "ci", role: .viewer, scopes: nil, expiresAt: nil, by: nil, client: ClientInfo()
      )
      #expect(created.key.hasPrefix("ltb_" + created.record.id))
      let stored = try #require(try await store.apiKey(id: created.record.id))
      #expect(stored.keyHash.hasPrefix("$argon2id$") && !stored.keyHash.contains(created.key.dropFirst(4)))
      let principal = try await auth.authenticate(created.key, client: ClientInfo())
      #expect(principal.role == .viewer && principal.credential == .apiKey(id: created.record.id))
      #expect(try await store.apiKey(id: created.record.id)?.lastUsedAt != nil)
      // A key cannot outrank its owner.
      await #expect(throws: LTBError.self) {
        _ = try await auth.createAPIKey(
          owner: owner.id, name: "x", role: .admin, scopes: nil, expiresAt: nil, by: nil, client: ClientInfo()
        )
      }
      // Scopes narrow the role.
      let scoped = try await auth.createAPIKey(
        owner: owner.id, name: "read", role: nil, scopes: [.viewResults], expiresAt: nil, by: nil,
        client: ClientInfo())
      #expect(try await auth.authenticate(scoped.key, client: ClientInfo()).permissions == [.viewResults])
      // Wrong: right id, wrong rest; unknown id; malformed.
      let wrong = String(created.key.prefix(12)) + String(repeating: "A", count: 24)
      for key in [wrong, "ltb_" + String(repeating: "Z", count: 32), "ltb_short"] {
        await #expect(throws: AuthFailure.self) { _ = try await auth.authenticate(key, client: ClientInfo()) }
      }
      // Expired.
      let expiring = try await auth.createAPIKey(
        owner: owner.id, name: "soon", role: nil, scopes: nil, expiresAt: Date().addingTimeInterval(1),
        by: nil,
        client: ClientInfo())
      _ = try await auth.authenticate(expiring.key, client: ClientInfo())
      try await Task.sleep(for: .milliseconds(1_100))
      await #expect(throws: AuthFailure.self) {
        _ = try await auth.authenticate(expiring.key, client: ClientInfo())
      }
      // Revoked.
      _ = try await auth.revokeAPIKey(id: created.record.id, by: nil, client: ClientInfo())
      await #expect(throws: AuthFailure.self) {
        _ = try await auth.authenticate(created.key, client: ClientInfo())
      }
      // The owner deactivated.
      _ = try await auth.updateUser(owner.id, role: nil, active: false, by: nil, client: ClientInfo())
      await #expect(throws: AuthFailure.self) {
        _ = try await auth.authenticate(scoped.key, client: ClientInfo())
      }
      let actions = try await Self.actions(store)
      #expect(
        actions.contains("key.created") && actions.contains("key.used") && actions.contains("key.revoked"))
      #expect(actions.filter { $0 == "key.failure" }.count >= 4)
    }
  }

  @Test(
    "a key's check is shared by concurrent requests, cached for its lifetime, then re-read (a revocation shows)"
  )
  func keyCache() async throws {
    try await Self.withService(keyCache: .seconds(1)) { auth, store in
      let owner = try await auth.createUser(
        username: "ada", email: "ada@example.org", password: "analytical engine", role: .user, by: nil,
        client: ClientInfo())
      let key = try await auth.createAPIKey(
        owner: owner.id, name: "ci", role: nil, scopes: nil, expiresAt: nil, by: nil, client: ClientInfo())
      let principals = try await withThrowingTaskGroup(of: Principal.self) { group in
        for _ in 0..<16 { group.addTask { try await auth.authenticate(key.key, client: ClientInfo()) } }
        return try await group.reduce(into: []) { $0.append($1) }
      }
      #expect(principals.count == 16 && Set(principals.map(\.userID)) == [owner.id])
      #expect(
        try await Self.actions(store).filter { $0 == "key.used" }.count == 1, "one check for 16 requests")
      // Revoked behind the service's back (say by `ltb keys revoke`): trusted until the cache lapses.
      #expect(try await store.revokeAPIKey(id: key.record.id, at: Date()))
      _ = try await auth.authenticate(key.key, client: ClientInfo())
      try await Task.sleep(for: .milliseconds(1_100))
      await #expect(throws: AuthFailure.self) {
        _ = try await auth.authenticate(key.key, client: ClientInfo())
      }
    }
  }
}
