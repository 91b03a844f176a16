public import Foundation
public import LTBCore
import NIOConcurrencyHelpers
import SQLKit
import SQLiteKit

/// The one SQL implementation of ``BenchStore``, on SQLite (the embedded default) and
/// PostgreSQL; the few differences (tags, JSON paths, full-text search) switch on the dialect.
public final class SQLBenchStore: BenchStore {
  /// Where the store lives.
  public let location: DatabaseLocation
  let connections: any SQLConnectionProvider
  let providerIDs = NIOLockedValueBox<[String: UUID]>([:])

  private init(location: DatabaseLocation, connections: any SQLConnectionProvider) {
    self.location = location
    self.connections = connections
  }

  /// What opening a store does about migrations.
  public enum MigrationPolicy: Sendable {
    /// Apply pending migrations.
    case apply
    /// Refuse an outdated schema with a clear message.
    case require
    /// Neither (for `ltb migrate`, which applies them itself).
    case skip
  }

  /// Opens a store, applying pending migrations by default.
  public static func open(_ location: DatabaseLocation, migrations: MigrationPolicy = .apply) async throws
    -> SQLBenchStore
  {
    let connections: any SQLConnectionProvider =
      switch location {
      case .sqlite(let path): try await SQLiteConnectionProvider.open(path: path)
      case .postgres: try await PostgresConnectionProvider.open(location)
      }
    let store = SQLBenchStore(location: location, connections: connections)
    do {
      switch migrations {
      case .apply: _ = try await store.migrate()
      case .require: try await store.requireCurrentSchema()
      case .skip: break
      }
    } catch {
      await connections.close()
      throw error
    }
    return store
  }

  /// Whether the database answers `SELECT 1`.
  public func isReachable() async -> Bool {
    (try? await connections.read { database in try await database.raw("SELECT 1 AS ok").all() }) != nil
  }

  /// Database round trips since the store opened.
  public var operationCount: Int { connections.operationCount }

  /// Applies pending migrations.
  public func migrate() async throws -> [String] {
    try await MigrationRunner(provider: connections, migrations: Migration.bundled(for: connections.dialect))
      .migrate()
  }

  private func requireCurrentSchema() async throws {
    let runner = MigrationRunner(
      provider: connections, migrations: try Migration.bundled(for: connections.dialect))
    let applied = (try? await runner.appliedVersions()) ?? []
    let pending = runner.migrations.filter { !applied.contains($0.version) }
    if let first = pending.first {
      throw LTBError(
        .storage,
        "the database at \(location) lacks \(pending.count) migration\(pending.count == 1 ? "" : "s") (first: \(first.name))",
        fix: "run `ltb migrate --database \(location)`, or start without --no-migrate")
    }
  }

  /// Closes every connection.
  public func close() async {
    await connections.close()
  }

}
