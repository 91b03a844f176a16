public import Foundation
public import LTBCore
import NIOConcurrencyHelpers
import SQLKit
import SQLiteKit

/// Sessions: created, updated, read and listed newest first by SessionQuery.
extension SQLBenchStore {
  /// Records a new session.
  public func createSession(_ session: BenchmarkSession) async throws {
    try await connections.write { database in
      try await database.raw(
        """
        INSERT INTO sessions (id, name, description, status, config, tags, total_tasks, stop_reason, created_at, created_us,
                              started_at, completed_at, user_id)
        VALUES (\(bind: session.id), \(bind: session.name), \(bind: session.description), \(bind: session.status.rawValue),
                \(bind: session.suite), \(bind: session.tags), \(bind: session.totalTasks), \(bind: session.stopReason),
                \(bind: StoredTime.storable(session.createdAt)), \(bind: StoredTime.microseconds(session.createdAt)),
                \(bind: session.startedAt.map(StoredTime.storable)), \(bind: session.completedAt.map(StoredTime.storable)),
                \(bind: session.ownerID))
        """
      ).run()
    }
  }

  /// Saves a session's status, times, task count and stop reason.
  public func updateSession(_ session: BenchmarkSession) async throws {
    try await connections.write { database in
      try await database.raw(
        """
        UPDATE sessions SET status = \(bind: session.status.rawValue), total_tasks = \(bind: session.totalTasks),
          stop_reason = \(bind: session.stopReason), started_at = \(bind: session.startedAt.map(StoredTime.storable)),
          completed_at = \(bind: session.completedAt.map(StoredTime.storable)), config = \(bind: session.suite)
        WHERE id = \(bind: session.id)
        """
      ).run()
    }
  }

  /// One session.
  public func session(_ id: UUID) async throws -> BenchmarkSession? {
    try await connections.read { database in
      try await database.raw("SELECT * FROM sessions WHERE id = \(bind: id)").first().map(Self.decodeSession)
    }
  }

  /// Sessions, newest first, filtered by `query`.
  public func sessions(_ query: SessionQuery) async throws -> Page<BenchmarkSession> {
    let limit = max(1, min(query.limit, 1_000))
    var conditions: [SQLQueryString] = []
    if let status = query.status { conditions.append("status = \(bind: status.rawValue)") }
    if let owner = query.owner { conditions.append("user_id = \(bind: owner)") }
    if let name = query.name, !name.isEmpty {
      conditions.append(
        "LOWER(name) LIKE \(bind: "%" + Self.likeEscaped(name.lowercased()) + "%") ESCAPE '\\'")
    }
    if let from = query.createdFrom {
      conditions.append("created_us >= \(bind: Int64(StoredTime.microseconds(from)))")
    }
    if let to = query.createdTo {
      conditions.append("created_us < \(bind: Int64(StoredTime.microseconds(to)))")
    }
    if let provider = query.provider {
      conditions.append(
        "EXISTS (SELECT 1 FROM results r WHERE r.session_id = sessions.id AND r.provider = \(bind: provider))"
      )
    }
    if let model = query.model {
      conditions.append(
        "EXISTS (SELECT 1 FROM results r WHERE r.session_id = sessions.id AND r.model = \(bind: model))")
    }
    if let cursor = query.cursor {
      let position = try Cursor(cursor)
      conditions.append("(created_us, id) < (\(bind: Int64(position.value)), \(bind: position.id))")
    }
    let whereClause: SQLQueryString =
      conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
    let rows = try await connections.read { database in
      try await database.raw(
        "SELECT * FROM sessions\(whereClause) ORDER BY created_us DESC, id DESC LIMIT \(literal: limit + 1)"
      ).all()
    }
    let sessions = try rows.prefix(limit).map(Self.decodeSession)
    let cursors = sessions.map {
      Cursor(value: Double(StoredTime.microseconds($0.createdAt)), id: $0.id).text
    }
    return Page(items: sessions, nextCursor: rows.count > limit ? cursors.last : nil, cursors: cursors)
  }

  /// `text` for a LIKE pattern: `%`, `_` and the escape character itself matched literally.
  static func likeEscaped(_ text: String) -> String {
    var escaped = ""
    for character in text {
      if character == "%" || character == "_" || character == "\\" { escaped.append("\\") }
      escaped.append(character)
    }
    return escaped
  }

  static func decodeSession(_ row: any SQLRow) throws -> BenchmarkSession {
    BenchmarkSession(
      id: try row.decode(column: "id", as: UUID.self),
      name: try row.decode(column: "name", as: String?.self) ?? "",
      description: try row.decode(column: "description", as: String?.self),
      status: SessionStatus(rawValue: try row.decode(column: "status", as: String.self)) ?? .failed,
      suite: try row.decode(column: "config", as: BenchmarkSuite.self),
      tags: try row.decode(column: "tags", as: [String]?.self) ?? [],
      createdAt: StoredTime.normalized(try row.decode(column: "created_at", as: Date.self)),
      startedAt: try row.decode(column: "started_at", as: Date?.self).map(StoredTime.normalized),
      completedAt: try row.decode(column: "completed_at", as: Date?.self).map(StoredTime.normalized),
      totalTasks: try row.decode(column: "total_tasks", as: Int.self),
      stopReason: try row.decode(column: "stop_reason", as: String?.self),
      ownerID: try row.decode(column: "user_id", as: UUID?.self))
  }
}
