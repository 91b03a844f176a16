public import Foundation
import LTBCore
import SQLKit

extension SQLBenchStore {
  // MARK: Users

  /// Adds a user; a taken username or email is refused with the field named.
  public func createUser(_ user: UserRecord) async throws {
    let names = [user.username, user.email]
    let taken = try await connections.read { database in
      try await database.raw(
        "SELECT username, email FROM users WHERE username IN (\(binds: names)) OR email IN (\(binds: names))"
      ).all()
    }
    if let existing = taken.first {
      let values = [
        try existing.decode(column: "username", as: String.self),
        try existing.decode(column: "email", as: String.self),
      ]
      let field = values.contains(user.username) ? "username" : "email"
      throw LTBError(
        .invalidInput, "the \(field) is already taken by another user", fix: "choose another \(field)")
    }
    try await connections.write { database in
      try await database.raw(
        """
        INSERT INTO users (id, username, email, password_hash, role, is_active, created_at, updated_at)
        VALUES (\(bind: user.id), \(bind: user.username), \(bind: user.email), \(bind: user.passwordHash),
                \(bind: user.role.rawValue), \(bind: user.isActive), \(bind: user.createdAt), \(bind: user.createdAt))
        """
      ).run()
    }
  }

  /// Saves a user's email, hash, role, active flag and last sign-in.
  public func updateUser(_ user: UserRecord) async throws {
    try await connections.write { database in
      try await database.raw(
        """
        UPDATE users SET email = \(bind: user.email), password_hash = \(bind: user.passwordHash),
          role = \(bind: user.role.rawValue), is_active = \(bind: user.isActive),
          last_login_at = \(bind: user.lastLoginAt), updated_at = \(bind: Date())
        WHERE id = \(bind: user.id)
        """
      ).run()
    }
  }

  /// One user by id.
  public func user(id: UUID) async throws -> UserRecord? {
    try await connections.read { database in
      try await database.raw("SELECT * FROM users WHERE id = \(bind: id)").first().map(Self.decodeUser)
    }
  }

  /// One user by username or by email.
  public func user(named name: String) async throws -> UserRecord? {
    try await connections.read { database in
      try await database.raw(
        "SELECT * FROM users WHERE username = \(bind: name) OR email = \(bind: name) ORDER BY username = \(bind: name) DESC"
      ).first().map(Self.decodeUser)
    }
  }

  /// Every user, by name.
  public func users() async throws -> [UserRecord] {
    try await connections.read { database in
      try await database.raw("SELECT * FROM users ORDER BY username").all().map(Self.decodeUser)
    }
  }

  private static func decodeUser(_ row: any SQLRow) throws -> UserRecord {
    let roleName = try row.decode(column: "role", as: String.self)
    guard let role = Role(rawValue: roleName) else {
      throw LTBError(.storage, "a user has the unknown role '\(roleName)'", fix: "repair the users table")
    }
    return UserRecord(
      id: try row.decode(column: "id", as: UUID.self),
      username: try row.decode(column: "username", as: String.self),
      email: try row.decode(column: "email", as: String.self),
      passwordHash: try row.decode(column: "password_hash", as: String.self), role: role,
      isActive: try row.decode(column: "is_active", as: Bool.self),
      createdAt: try row.decode(column: "created_at", as: Date.self),
      lastLoginAt: try row.decode(column: "last_login_at", as: Date?.self))
  }

  // MARK: API keys

  /// Adds an API key.
  public func createAPIKey(_ key: APIKeyRecord) async throws {
    let scopes = key.scopes.map { StoredJSON.strings($0.map(\.rawValue).sorted()) }
    let scopesValue = json(scopes)
    try await connections.write { database in
      try await database.raw(
        """
        INSERT INTO api_keys (id, user_id, name, key_hash, role, scopes, created_at, expires_at)
        VALUES (\(bind: key.id), \(bind: key.userID), \(bind: key.name), \(bind: key.keyHash), \(bind: key.role.rawValue),
                \(scopesValue), \(bind: key.createdAt), \(bind: key.expiresAt))
        """
      ).run()
    }
  }

  /// One API key by its public id.
  public func apiKey(id: String) async throws -> APIKeyRecord? {
    let select = keyColumns
    return try await connections.read { database in
      try await database.raw("SELECT \(unsafeRaw: select) FROM api_keys WHERE id = \(bind: id)").first()
        .map(Self.decodeKey)
    }
  }

  /// The keys of one user, or of everyone, newest first.
  public func apiKeys(user: UUID?) async throws -> [APIKeyRecord] {
    let select = keyColumns
    let condition: SQLQueryString = user.map { "WHERE user_id = \(bind: $0)" } ?? ""
    return try await connections.read { database in
      try await database.raw(
        "SELECT \(unsafeRaw: select) FROM api_keys \(condition) ORDER BY created_at DESC, id"
      )
      .all().map(Self.decodeKey)
    }
  }

  /// Revokes a key; false when there was no such unrevoked key.
  public func revokeAPIKey(id: String, at date: Date) async throws -> Bool {
    try await connections.write { database in
      try await database.raw(
        "UPDATE api_keys SET revoked_at = \(bind: date) WHERE id = \(bind: id) AND revoked_at IS NULL RETURNING id"
      ).first() != nil
    }
  }

  /// Records that a key was accepted.
  public func touchAPIKey(id: String, at date: Date) async throws {
    try await connections.write { database in
      try await database.raw("UPDATE api_keys SET last_used_at = \(bind: date) WHERE id = \(bind: id)").run()
    }
  }

  private var keyColumns: String {
    "id, user_id, name, key_hash, role, \(connections.dialect == .postgres ? "scopes::text" : "scopes") AS scopes, created_at, expires_at, last_used_at, revoked_at"
  }

  private static func decodeKey(_ row: any SQLRow) throws -> APIKeyRecord {
    let roleName = try row.decode(column: "role", as: String.self)
    guard let role = Role(rawValue: roleName) else {
      throw LTBError(.storage, "an API key has the unknown role '\(roleName)'", fix: "revoke the key")
    }
    let scopes = try row.decode(column: "scopes", as: String?.self).map { text in
      Set(
        try JSONDecoder().decode([String].self, from: Data(text.utf8)).compactMap(Permission.init(rawValue:)))
    }
    return APIKeyRecord(
      id: try row.decode(column: "id", as: String.self),
      userID: try row.decode(column: "user_id", as: UUID.self),
      name: try row.decode(column: "name", as: String.self),
      keyHash: try row.decode(column: "key_hash", as: String.self), role: role, scopes: scopes,
      createdAt: try row.decode(column: "created_at", as: Date.self),
      expiresAt: try row.decode(column: "expires_at", as: Date?.self),
      lastUsedAt: try row.decode(column: "last_used_at", as: Date?.self),
      revokedAt: try row.decode(column: "revoked_at", as: Date?.self))
  }

  // MARK: Refresh tokens

  /// Adds a refresh token.
  public func createRefreshToken(_ token: RefreshTokenRecord) async throws {
    try await connections.write { database in
      try await database.raw(
        """
        INSERT INTO refresh_tokens (id, family_id, user_id, token_hash, created_at, expires_at)
        VALUES (\(bind: token.id), \(bind: token.familyID), \(bind: token.userID), \(bind: token.tokenHash),
                \(bind: token.createdAt), \(bind: token.expiresAt))
        """
      ).run()
    }
  }

  /// One refresh token by id.
  public func refreshToken(id: UUID) async throws -> RefreshTokenRecord? {
    try await connections.read { database in
      try await database.raw("SELECT * FROM refresh_tokens WHERE id = \(bind: id)").first().map { row in
        RefreshTokenRecord(
          id: try row.decode(column: "id", as: UUID.self),
          familyID: try row.decode(column: "family_id", as: UUID.self),
          userID: try row.decode(column: "user_id", as: UUID.self),
          tokenHash: try row.decode(column: "token_hash", as: String.self),
          createdAt: try row.decode(column: "created_at", as: Date.self),
          expiresAt: try row.decode(column: "expires_at", as: Date.self),
          usedAt: try row.decode(column: "used_at", as: Date?.self),
          revokedAt: try row.decode(column: "revoked_at", as: Date?.self))
      }
    }
  }

  /// Marks a token used, atomically: false when it was already used or revoked.
  public func useRefreshToken(id: UUID, at date: Date) async throws -> Bool {
    try await connections.write { database in
      try await database.raw(
        """
        UPDATE refresh_tokens SET used_at = \(bind: date)
        WHERE id = \(bind: id) AND used_at IS NULL AND revoked_at IS NULL RETURNING id
        """
      ).first() != nil
    }
  }

  /// Revokes every token of a family.
  public func revokeRefreshFamily(_ family: UUID, at date: Date) async throws {
    try await connections.write { database in
      try await database.raw(
        "UPDATE refresh_tokens SET revoked_at = \(bind: date) WHERE family_id = \(bind: family) AND revoked_at IS NULL"
      ).run()
    }
  }

  /// Revokes every token of a user.
  public func revokeRefreshTokens(user: UUID, at date: Date) async throws {
    try await connections.write { database in
      try await database.raw(
        "UPDATE refresh_tokens SET revoked_at = \(bind: date) WHERE user_id = \(bind: user) AND revoked_at IS NULL"
      ).run()
    }
  }

  // MARK: Audit log

  /// Appends to the audit log.
  public func appendAudit(_ entry: AuditEntry) async throws {
    let details = json(JSONValue.object(entry.details).serialized(sortedKeys: true))
    let address: SQLQueryString =
      connections.dialect == .postgres ? "CAST(\(bind: entry.ipAddress) AS INET)" : "\(bind: entry.ipAddress)"
    try await connections.write { database in
      try await database.raw(
        """
        INSERT INTO audit_log (id, user_id, action, resource_type, resource_id, details, ip_address, user_agent, created_at)
        VALUES (\(bind: entry.id), \(bind: entry.userID), \(bind: entry.action), \(bind: entry.resourceType),
                \(bind: entry.resourceID), \(details), \(address), \(bind: entry.userAgent), \(bind: entry.createdAt))
        """
      ).run()
    }
  }

  /// A page of the audit log, newest first.
  public func auditEntries(_ query: AuditQuery) async throws -> Page<AuditEntry> {
    let limit = max(1, min(query.limit, 1_000))
    var conditions: [SQLQueryString] = []
    if let user = query.userID { conditions.append("user_id = \(bind: user)") }
    if let prefix = query.actionPrefix {
      conditions.append("substr(action, 1, \(literal: prefix.count)) = \(bind: prefix)")
    }
    if let type = query.resourceType { conditions.append("resource_type = \(bind: type)") }
    if let since = query.since { conditions.append("created_at >= \(bind: since)") }
    if let cursor = query.cursor { conditions.append("id < \(bind: try Cursor(cursor).id)") }
    let whereClause: SQLQueryString =
      conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
    let postgres = connections.dialect == .postgres
    let columns =
      postgres
      ? "id, user_id, action, resource_type, resource_id, details::text AS details, host(ip_address) AS ip_address, user_agent, created_at"
      : "*"
    let rows = try await connections.read { database in
      try await database.raw(
        "SELECT \(unsafeRaw: columns) FROM audit_log\(whereClause) ORDER BY id DESC LIMIT \(literal: limit + 1)"
      ).all()
    }
    let entries = try rows.prefix(limit).map { row in
      let details = try row.decode(column: "details", as: String?.self).flatMap {
        try JSONValue.parse(Data($0.utf8)).objectValue
      }
      return AuditEntry(
        id: try row.decode(column: "id", as: UUID.self),
        userID: try row.decode(column: "user_id", as: UUID?.self),
        action: try row.decode(column: "action", as: String.self),
        resourceType: try row.decode(column: "resource_type", as: String.self),
        resourceID: try row.decode(column: "resource_id", as: UUID?.self), details: details ?? [:],
        ipAddress: try row.decode(column: "ip_address", as: String?.self),
        userAgent: try row.decode(column: "user_agent", as: String?.self),
        createdAt: try row.decode(column: "created_at", as: Date.self))
    }
    let cursors = entries.map { Cursor(value: 0, id: $0.id).text }
    return Page(items: entries, nextCursor: rows.count > limit ? cursors.last : nil, cursors: cursors)
  }

  /// A JSON value to bind: `jsonb` on PostgreSQL, text on SQLite.
  private func json(_ text: String?) -> SQLQueryString {
    connections.dialect == .postgres ? "CAST(\(bind: text) AS JSONB)" : "\(bind: text)"
  }
}
