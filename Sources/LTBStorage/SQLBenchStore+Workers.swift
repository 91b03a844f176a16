public import Foundation
import SQLKit

/// The registry of distributed workers (the `workers` table of migrations 0006 and 0007).
extension SQLBenchStore {
  /// Records a worker (replacing a record with its id).
  public func registerWorker(_ worker: WorkerRecord) async throws {
    let capabilities: SQLQueryString =
      connections.dialect == .postgres
      ? "\(bind: worker.capabilities)::jsonb" : "\(bind: worker.capabilities)"
    try await connections.write { database in
      try await database.raw(
        """
        INSERT INTO workers (id, name, capabilities, state, registered_us, heartbeat_us, version)
        VALUES (\(bind: worker.id), \(bind: worker.name), \(capabilities), \(bind: worker.state.rawValue),
          \(bind: worker.registeredMicros), \(bind: worker.heartbeatMicros), \(bind: worker.version))
        ON CONFLICT (id) DO UPDATE SET name = excluded.name, capabilities = excluded.capabilities,
          state = excluded.state, heartbeat_us = excluded.heartbeat_us, version = excluded.version
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

  /// Records what the coordinator saw of `worker`.
  public func recordWorkerActivity(_ worker: UUID, _ activity: WorkerActivity) async throws {
    try await connections.write { database in
      try await database.raw(
        """
        UPDATE workers SET tasks_done = \(bind: activity.tasksDone), tasks_refused = \(bind: activity.tasksRefused),
          tasks_per_second = \(bind: activity.tasksPerSecond), lag_p50_ms = \(bind: activity.lagP50Ms),
          lag_p99_ms = \(bind: activity.lagP99Ms)
        WHERE id = \(bind: worker)
        """
      ).run()
    }
  }

  /// Marks gone every worker not heard from since `heardBeforeMicros`.
  public func retireSilentWorkers(heardBeforeMicros: Int64) async throws -> Int {
    try await connections.write { database in
      try await database.raw(
        """
        UPDATE workers SET state = 'gone'
        WHERE state <> 'gone' AND heartbeat_us < \(bind: heardBeforeMicros) RETURNING id
        """
      ).all().count
    }
  }

  /// How many leases each worker holds now.
  public func leasesByWorker() async throws -> [UUID: Int] {
    try await connections.read { database in
      var counts: [UUID: Int] = [:]
      for row in try await database.raw(
        "SELECT worker_id, COUNT(*) AS n FROM queue_tasks WHERE state = 'leased' GROUP BY worker_id"
      ).all() {
        if let id = try row.decode(column: "worker_id", as: UUID?.self) {
          counts[id] = try row.decode(column: "n", as: Int.self)
        }
      }
      return counts
    }
  }

  private func workers(where condition: SQLQueryString) async throws -> [WorkerRecord] {
    let capabilities: SQLQueryString =
      connections.dialect == .postgres ? "capabilities::text AS capabilities" : "capabilities"
    return try await connections.read { database in
      try await database.raw(
        """
        SELECT id, name, \(capabilities), state, registered_us, heartbeat_us, version, tasks_done,
          tasks_refused, tasks_per_second, lag_p50_ms, lag_p99_ms
        FROM workers \(condition)
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
          heartbeatMicros: try row.decode(column: "heartbeat_us", as: Int64.self),
          version: try row.decode(column: "version", as: String.self),
          activity: WorkerActivity(
            tasksDone: try row.decode(column: "tasks_done", as: Int.self),
            tasksRefused: try row.decode(column: "tasks_refused", as: Int.self),
            tasksPerSecond: try row.decode(column: "tasks_per_second", as: Double.self),
            lagP50Ms: try row.decode(column: "lag_p50_ms", as: Double?.self),
            lagP99Ms: try row.decode(column: "lag_p99_ms", as: Double?.self)))
      }
    }
  }
}
