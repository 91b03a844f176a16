import Foundation
import LTBCore
import SQLKit

/// Applies migrations, recorded in `schema_migrations` with checksums; an applied file whose text
/// changed is refused. Concurrent migrators are serialized for the whole run, so one of them
/// applies everything pending: on PostgreSQL an advisory lock is held across one transaction per
/// file; on SQLite, whose only cross-process lock is a write transaction, the pending files are
/// applied in one `BEGIN IMMEDIATE` transaction (all of them or none).
struct MigrationRunner {
  let provider: any SQLConnectionProvider
  let migrations: [Migration]

  /// Applies what is pending and returns the names applied.
  func migrate() async throws -> [String] {
    let migrations = migrations
    let dialect = provider.dialect
    return try await provider.write { database in
      let (lock, unlock, perFile) =
        dialect == .postgres
        ? ("SELECT pg_advisory_lock(7428301)", "SELECT pg_advisory_unlock(7428301)", true)
        : ("BEGIN IMMEDIATE", "COMMIT", false)
      try await database.raw(SQLQueryString(lock)).run()
      do {
        let applied = try await Self.apply(migrations, to: database, transactionPerFile: perFile)
        try await database.raw(SQLQueryString(unlock)).run()
        return applied
      } catch {
        try? await database.raw(perFile ? SQLQueryString(unlock) : "ROLLBACK").run()
        throw error
      }
    }
  }

  private static func apply(_ migrations: [Migration], to database: any SQLDatabase, transactionPerFile: Bool)
    async throws
    -> [String]
  {
    try await database.raw(
      """
      CREATE TABLE IF NOT EXISTS schema_migrations (
        version BIGINT PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at TEXT NOT NULL)
      """
    ).run()
    var applied: [String] = []
    for migration in migrations {
      if transactionPerFile { try await database.raw("BEGIN").run() }
      do {
        if let checksum = try await Self.appliedChecksum(database, version: migration.version) {
          guard checksum == migration.checksum else {
            throw LTBError(
              .storage,
              "migration \(migration.name) was applied with different contents (checksum \(checksum.prefix(12))…)",
              fix: "restore the original file; changes go in a new numbered migration")
          }
          if transactionPerFile { try await database.raw("COMMIT").run() }
          continue
        }
        for (index, statement) in SQLStatementSplitter.split(migration.sql).enumerated() {
          do {
            try await database.raw(SQLQueryString(statement)).run()
          } catch {
            throw LTBError(
              .storage,
              "migration \(migration.name) failed at statement \(index + 1): \(Self.describe(error))",
              fix:
                "the migration was rolled back (on SQLite, with the others of this run); fix the database or the file and run ltb migrate again"
            )
          }
        }
        try await database.raw(
          "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (\(bind: migration.version), \(bind: migration.name), \(bind: migration.checksum), \(bind: ISO8601DateFormatter().string(from: Date())))"
        ).run()
        if transactionPerFile { try await database.raw("COMMIT").run() }
        applied.append(migration.name)
      } catch {
        if transactionPerFile { try? await database.raw("ROLLBACK").run() }
        throw error
      }
    }
    let known = Set(migrations.map(\.version))
    let rows = try await database.raw("SELECT version, name FROM schema_migrations").all()
    for row in rows {
      let version = try row.decode(column: "version", as: Int.self)
      if !known.contains(version) {
        let name = (try? row.decode(column: "name", as: String.self)) ?? "\(version)"
        throw LTBError(
          .storage, "the database has migration \(name), which this ltb does not know",
          fix: "the database was migrated by a newer ltb; upgrade ltb")
      }
    }
    return applied
  }

  /// The versions applied so far.
  func appliedVersions() async throws -> Set<Int> {
    try await provider.read { database in
      let rows = try await database.raw("SELECT version FROM schema_migrations").all()
      return Set(try rows.map { try $0.decode(column: "version", as: Int.self) })
    }
  }

  private static func appliedChecksum(_ database: any SQLDatabase, version: Int) async throws -> String? {
    try await database.raw("SELECT checksum FROM schema_migrations WHERE version = \(bind: version)").first()?
      .decode(column: "checksum", as: String.self)
  }

  static func describe(_ error: any Error) -> String {
    String(String(reflecting: error).prefix(400))
  }
}
