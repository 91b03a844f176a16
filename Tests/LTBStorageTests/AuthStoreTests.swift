import Foundation
import LTBCore
import Testing

@testable import LTBStorage

/// Users, API keys, refresh tokens, the audit log and session ownership, on SQLite and on a
/// real PostgreSQL server.
@Suite("Auth store conformance")
struct AuthStoreTests {
  static func date(_ offset: Double) -> Date {
    Date(timeIntervalSince1970: (1_790_000_000 + offset).rounded())
  }

  @Test(
    "users: create, find by name or email, update, refuse a taken name or email",
    arguments: StoreConformanceTests.dialects)
  func users(dialect: SQLDialectKind) async throws {
    try await TestDatabase.withStore(dialect) { store in
      let ada = UserRecord(
        username: "ada", email: "ada@example.org", passwordHash: "$argon2id$x", role: .admin,
        createdAt: Self.date(0))
      try await store.createUser(ada)
      #expect(try await store.user(id: ada.id) == ada)
      #expect(try await store.user(named: "ada")?.id == ada.id)
      #expect(try await store.user(named: "ada@example.org")?.id == ada.id)
      #expect(try await store.user(named: "nobody") == nil)
      for (name, email, field) in [
        ("ada", "other@example.org", "username"), ("bob", "ada@example.org", "email"),
      ] {
        do {
          try await store.createUser(
            UserRecord(username: name, email: email, passwordHash: "", role: .viewer, createdAt: Self.date(1))
          )
          Issue.record("\(name) \(email) was accepted")
        } catch let error as LTBError {
          #expect(error.message.contains("the \(field) is already taken"))
        }
      }
      var changed = ada
      changed.role = .viewer
      changed.isActive = false
      changed.lastLoginAt = Self.date(5)
      try await store.updateUser(changed)
      #expect(try await store.user(id: ada.id) == changed)
      #expect(try await store.users().map(\.username) == ["ada"])
    }
  }

  @Test(
    "API keys and refresh tokens: stored, listed, revoked once, used once",
    arguments: StoreConformanceTests.dialects)
  func credentials(dialect: SQLDialectKind) async throws {
    try await TestDatabase.withStore(dialect) { store in
      let owner = UserRecord(username: "ada", email: "ada@example.org", passwordHash: "", role: .user)
      try await store.createUser(owner)
      let key = APIKeyRecord(
        id: "AbCd1234", userID: owner.id, name: "ci", keyHash: "$argon2id$k", role: .viewer,
        scopes: [.viewResults], createdAt: Self.date(0), expiresAt: Self.date(86_400))
      try await store.createAPIKey(key)
      #expect(try await store.apiKey(id: "AbCd1234") == key)
      #expect(try await store.apiKey(id: "abcd1234") == nil, "ids are case-sensitive")
      #expect(try await store.apiKeys(user: owner.id).map(\.id) == ["AbCd1234"])
      #expect(try await store.apiKeys(user: UUID()).isEmpty)
      try await store.touchAPIKey(id: key.id, at: Self.date(10))
      #expect(try await store.apiKey(id: key.id)?.lastUsedAt == Self.date(10))
      #expect(try await store.revokeAPIKey(id: key.id, at: Self.date(20)))
      #expect(try await store.revokeAPIKey(id: key.id, at: Self.date(30)) == false, "revoked once")
      #expect(try await store.apiKey(id: key.id)?.revokedAt == Self.date(20))

      let family = UUID()
      let token = RefreshTokenRecord(
        familyID: family, userID: owner.id, tokenHash: "abc", createdAt: Self.date(0),
        expiresAt: Self.date(100))
      try await store.createRefreshToken(token)
      #expect(try await store.refreshToken(id: token.id) == token)
      #expect(try await store.useRefreshToken(id: token.id, at: Self.date(1)))
      #expect(try await store.useRefreshToken(id: token.id, at: Self.date(2)) == false, "used once")
      let sibling = RefreshTokenRecord(
        familyID: family, userID: owner.id, tokenHash: "def", createdAt: Self.date(1),
        expiresAt: Self.date(100))
      try await store.createRefreshToken(sibling)
      try await store.revokeRefreshFamily(family, at: Self.date(3))
      #expect(try await store.refreshToken(id: sibling.id)?.revokedAt == Self.date(3))
      #expect(try await store.useRefreshToken(id: sibling.id, at: Self.date(4)) == false, "revoked")
    }
  }

  @Test(
    "the audit log: entries round-trip, filters, newest first with cursors; hostile filters match literally",
    arguments: StoreConformanceTests.dialects)
  func audit(dialect: SQLDialectKind) async throws {
    try await TestDatabase.withStore(dialect) { store in
      let user = UserRecord(username: "ada", email: "ada@example.org", passwordHash: "", role: .user)
      try await store.createUser(user)
      var written: [AuditEntry] = []
      for index in 0..<7 {
        let entry = AuditEntry(
          id: .timeOrdered(at: Self.date(Double(index))), userID: index.isMultiple(of: 2) ? user.id : nil,
          action: index < 4 ? "login.failure" : "mutation.createBenchmark",
          resourceType: index < 4 ? "auth" : "mutation", resourceID: index == 5 ? UUID() : nil,
          details: ["n": .int(index), "why": "x' OR 1=1"],
          ipAddress: index == 3 ? "2001:db8::1" : "192.0.2.\(index)",
          userAgent: "agent", createdAt: Self.date(Double(index)))
        try await store.appendAudit(entry)
        written.append(entry)
      }
      var seen: [AuditEntry] = []
      var cursor: String?
      repeat {
        let page = try await store.auditEntries(AuditQuery(limit: 3, cursor: cursor))
        seen += page.items
        cursor = page.nextCursor
      } while cursor != nil
      #expect(seen == written.reversed(), "newest first, every entry once, exactly as written")
      #expect(try await store.auditEntries(AuditQuery(userID: user.id)).items.count == 4)
      #expect(try await store.auditEntries(AuditQuery(actionPrefix: "login.")).items.count == 4)
      #expect(try await store.auditEntries(AuditQuery(resourceType: "mutation")).items.count == 3)
      #expect(try await store.auditEntries(AuditQuery(since: Self.date(5))).items.count == 2)
      #expect(
        try await store.auditEntries(AuditQuery(actionPrefix: "%")).items.isEmpty, "a prefix is not a pattern"
      )
      #expect(try await store.auditEntries(AuditQuery(actionPrefix: "' OR '1'='1")).items.isEmpty)
    }
  }

  @Test("sessions and results are filtered by owner", arguments: StoreConformanceTests.dialects)
  func ownership(dialect: SQLDialectKind) async throws {
    try await TestDatabase.withStore(dialect) { store in
      let ada = UserRecord(username: "ada", email: "ada@example.org", passwordHash: "", role: .user)
      try await store.createUser(ada)
      let suite = BenchmarkSuite(name: "s", datasets: [], targets: [BenchmarkTarget(provider: "p")])
      let mine = BenchmarkSession(name: "mine", suite: suite, ownerID: ada.id)
      let other = BenchmarkSession(name: "other", suite: suite)
      try await store.createSession(mine)
      try await store.createSession(other)
      #expect(try await store.session(mine.id)?.ownerID == ada.id)
      #expect(
        try await store.sessions(status: nil, owner: ada.id, limit: 10, cursor: nil).items.map(\.name) == [
          "mine"
        ])
      #expect(try await store.sessions(status: nil, owner: nil, limit: 10, cursor: nil).items.count == 2)
      try await store.insertResults(
        [mine, other].map {
          BenchmarkResult(
            sessionID: $0.id, taskKey: "k", testID: "t", dataset: "d", provider: "p", model: "m",
            status: .success,
            prompt: "q", response: "a")
        })
      var query = ResultQuery()
      query.owner = ada.id
      #expect(try await store.results(query).items.map(\.sessionID) == [mine.id])
    }
  }
}
