public import Foundation
import SQLKit

/// The registry of distributed workers (migration 0006's `workers` table).
extension SQLBenchStore {
  /// Records a worker (replacing a record with its id).
  public func registerWorker(_ worker: WorkerRecord) async throws {
    let capabilities: SQLQueryString =
      connections.dialect == .postgres
      ? "\(bind: worker.capabilities)::jsonb" : "\(bind: worker.capabilities)"
    try await connections.write { database in
      try await database.raw(
        """
        INSERT INTO workers (id, name, capabilities, state, registered_us, heartbeat_us)
        VALUES (\(bind: worker.id), \(bind: worker.name), \(capabilities), \(bind: worker.state.rawValue),
          \(bind: worker.registeredMicros), \(bind: worker.heartbeatMicros))
        ON CONFLICT (id) DO UPDATE SET name = excluded.name, capabilities = excluded.capabilities,
          state = excluded.state, heartbeat_us = excluded.heartbeat_us
        """
      ).run()
    }
  }

  /// Records that `worker` was heard from; whether it is registered and not gone.
  public func touchWorker(_ worker: UUID, atMicros: Int64) async throws -> Bool {
    try await connections.write { database in
      try await !database.raw(
        """
        UPDATE workers SET heartbeat_us = \(bind: atMicros)
        WHERE id = \(bind: worker) AND state <> 'gone' RETURNING id
        """
      ).all().isEmpty
    }
  }

  /// Sets a worker's state.
  public func setWorkerState(_ worker: UUID, _ state: WorkerRecord.State) async throws {
    try await connections.write { database in
      try await database.raw("UPDATE workers SET state = \(bind: state.rawValue) WHERE id = \(bind: worker)")
        .run()
    }
  }

  /// The worker with `id`, if it registered.
  public func worker(_ id: UUID) async throws -> WorkerRecord? {
    try await workers(where: "WHERE id = \(bind: id)").first
  }

  /// Every worker, newest first.
  public func workers() async throws -> [WorkerRecord] { try await workers(where: "") }

  private func workers(where condition: SQLQueryString) async throws -> [WorkerRecord] {
    let capabilities: SQLQueryString =
      connections.dialect == .postgres ? "capabilities::text AS capabilities" : "capabilities"
    return try await connections.read { database in
      try await database.raw(
        """
        SELECT id, name, \(capabilities), state, registered_us, heartbeat_us FROM workers \(condition)
        ORDER BY registered_us DESC, id
        """
      ).all().map { row in
        let state = try row.decode(column: "state", as: String.self)
        return WorkerRecord(
          id: try row.decode(column: "id", as: UUID.self),
          name: try row.decode(column: "name", as: String.self),
          capabilities: try row.decode(column: "capabilities", as: String.self),
          state: WorkerRecord.State(rawValue: state) ?? .gone,
          registeredMicros: try row.decode(column: "registered_us", as: Int64.self),
          heartbeatMicros: try row.decode(column: "heartbeat_us", as: Int64.self))
      }
    }
  }
}
