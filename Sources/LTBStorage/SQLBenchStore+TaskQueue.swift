public import Foundation
public import LTBCore
import SQLKit
import SQLiteKit

/// The durable task queue of distributed runs (migration 0006): leases with fencing tokens,
/// taken with `FOR UPDATE SKIP LOCKED` on PostgreSQL (several coordinators may share it) and
/// under the one writer on SQLite.
extension SQLBenchStore {
  /// Queues `tasks`; a task key already queued for its session is left as it is.
  public func enqueue(_ tasks: [QueuedTask], maxAttempts: Int) async throws {
    guard !tasks.isEmpty else { return }
    let attempts = max(1, maxAttempts)
    let postgres = connections.dialect == .postgres
    let payload: @Sendable (String) -> SQLQueryString = { text in
      postgres ? "\(bind: text)::jsonb" : "\(bind: text)"
    }
    try await connections.write { database in
      try await database.raw("BEGIN").run()
      do {
        for start in stride(from: 0, to: tasks.count, by: 500) {
          let batch = tasks[start..<min(start + 500, tasks.count)]
          var rows: [SQLQueryString] = []
          for task in batch {
            rows.append(
              "(\(bind: task.sessionID), \(bind: task.taskKey), \(bind: task.provider), \(payload(task.payload)), \(bind: task.sendAtMicros), \(bind: attempts))"
            )
          }
          try await database.raw(
            """
            INSERT INTO queue_tasks (session_id, task_key, provider, payload, send_at_us, max_attempts)
            VALUES \(rows.joined(separator: ", ")) ON CONFLICT (session_id, task_key) DO NOTHING
            """
          ).run()
        }
        try await database.raw("COMMIT").run()
      } catch {
        try? await database.raw("ROLLBACK").run()
        throw error
      }
    }
  }

  /// Leases up to `limit` queued tasks of `providers` due before `horizonMicros`, soonest first.
  public func lease(
    worker: UUID, providers: [String], limit: Int, horizonMicros: Int64, expiresMicros: Int64
  ) async throws -> [TaskLease] {
    guard !providers.isEmpty, limit > 0 else { return [] }
    let postgres = connections.dialect == .postgres
    // Several coordinators may share PostgreSQL: a row another one is leasing is skipped.
    let lock: SQLQueryString = postgres ? " FOR UPDATE SKIP LOCKED" : ""
    let picked: SQLQueryString = """
      SELECT session_id, task_key FROM queue_tasks
      WHERE state = 'queued' AND provider IN (\(binds: providers)) AND send_at_us <= \(bind: horizonMicros)
      ORDER BY send_at_us, task_key LIMIT \(literal: limit)\(lock)
      """
    let payload: SQLQueryString = postgres ? "payload::text AS payload" : "payload"
    let rows = try await connections.write { database in
      try await database.raw(
        """
        UPDATE queue_tasks SET state = 'leased', worker_id = \(bind: worker),
          lease_expires_us = \(bind: expiresMicros), fence = fence + 1, attempts = attempts + 1
        WHERE (session_id, task_key) IN (\(picked))
        RETURNING session_id, task_key, provider, \(payload), send_at_us, fence, attempts
        """
      ).all()
    }
    let leases = try rows.map { row in
      TaskLease(
        task: QueuedTask(
          sessionID: try row.decode(column: "session_id", as: UUID.self),
          taskKey: try row.decode(column: "task_key", as: String.self),
          provider: try row.decode(column: "provider", as: String.self),
          payload: try row.decode(column: "payload", as: String.self),
          sendAtMicros: try row.decode(column: "send_at_us", as: Int64.self)),
        fence: try row.decode(column: "fence", as: Int64.self),
        attempt: try row.decode(column: "attempts", as: Int.self))
    }
    return leases.sorted { ($0.task.sendAtMicros, $0.task.taskKey) < ($1.task.sendAtMicros, $1.task.taskKey) }
  }

  /// Extends every lease `worker` holds; how many it holds.
  public func renewLeases(worker: UUID, expiresMicros: Int64) async throws -> Int {
    try await connections.write { database in
      try await database.raw(
        """
        UPDATE queue_tasks SET lease_expires_us = \(bind: expiresMicros)
        WHERE worker_id = \(bind: worker) AND state = 'leased' RETURNING task_key
        """
      ).all().count
    }
  }

  /// Marks reported tasks done and stores the results of those whose lease is current, in one
  /// transaction; the reports accepted.
  public func complete(_ reports: [LeaseReport], results: [BenchmarkResult]) async throws -> Set<LeaseReport>
  {
    guard !reports.isEmpty else { return [] }
    var known: [String: UUID] = [:]
    for name in Set(results.map(\.provider)) { known[name] = try await providerID(name) }
    let (providers, dialect) = (known, connections.dialect)
    return try await connections.write { database in
      try await database.raw("BEGIN").run()
      do {
        var accepted: Set<LeaseReport> = []
        for start in stride(from: 0, to: reports.count, by: 300) {
          let batch = reports[start..<min(start + 300, reports.count)]
          let keys: [SQLQueryString] = batch.map {
            "(\(bind: $0.sessionID), \(bind: $0.taskKey), \(bind: $0.fence))"
          }
          let rows = try await database.raw(
            """
            UPDATE queue_tasks SET state = 'done', worker_id = NULL, lease_expires_us = NULL
            WHERE state = 'leased' AND (session_id, task_key, fence) IN (VALUES \(keys.joined(separator: ", ")))
            RETURNING session_id, task_key, fence
            """
          ).all()
          for row in rows {
            accepted.insert(
              LeaseReport(
                sessionID: try row.decode(column: "session_id", as: UUID.self),
                taskKey: try row.decode(column: "task_key", as: String.self),
                fence: try row.decode(column: "fence", as: Int64.self)))
          }
        }
        let done = Set(accepted.map { Pair(session: $0.sessionID, key: $0.taskKey) })
        let stored = results.filter { done.contains(Pair(session: $0.sessionID, key: $0.taskKey)) }
        try await Self.insertRows(
          stored.map { Self.columnValues($0, providerID: providers[$0.provider]) }, database: database,
          dialect: dialect)
        try await database.raw("COMMIT").run()
        return accepted
      } catch {
        try? await database.raw("ROLLBACK").run()
        throw error
      }
    }
  }

  private struct Pair: Hashable {
    let session: UUID
    let key: String
  }

  /// Hands `worker`'s leases back to the queue without counting the attempt.
  public func release(worker: UUID, _ reports: [LeaseReport]?) async throws -> Int {
    try await connections.write { database in
      var condition: SQLQueryString = "worker_id = \(bind: worker) AND state = 'leased'"
      if let reports {
        guard !reports.isEmpty else { return 0 }
        let keys: [SQLQueryString] = reports.map {
          "(\(bind: $0.sessionID), \(bind: $0.taskKey), \(bind: $0.fence))"
        }
        condition =
          condition + " AND (session_id, task_key, fence) IN (VALUES \(keys.joined(separator: ", ")))"
      }
      return try await database.raw(
        """
        UPDATE queue_tasks SET state = 'queued', worker_id = NULL, lease_expires_us = NULL,
          attempts = attempts - 1
        WHERE \(condition) RETURNING task_key
        """
      ).all().count
    }
  }

  /// The leases `worker` holds.
  public func leases(worker: UUID) async throws -> [LeaseReport] {
    try await connections.read { database in
      try await database.raw(
        """
        SELECT session_id, task_key, fence FROM queue_tasks
        WHERE worker_id = \(bind: worker) AND state = 'leased'
        """
      ).all().map { row in
        LeaseReport(
          sessionID: try row.decode(column: "session_id", as: UUID.self),
          taskKey: try row.decode(column: "task_key", as: String.self),
          fence: try row.decode(column: "fence", as: Int64.self))
      }
    }
  }

  /// Queues every lapsed lease again, failing the tasks out of attempts.
  public func requeueLapsed(nowMicros: Int64) async throws -> LapsedLeases {
    let states = try await connections.write { database in
      try await database.raw(
        """
        UPDATE queue_tasks
        SET state = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'queued' END,
          worker_id = NULL, lease_expires_us = NULL
        WHERE state = 'leased' AND lease_expires_us < \(bind: nowMicros)
        RETURNING state
        """
      ).all().map { try $0.decode(column: "state", as: String.self) }
    }
    return LapsedLeases(
      requeued: states.filter { $0 == "queued" }.count, failed: states.filter { $0 == "failed" }.count)
  }

  /// Cancels a session's queued and leased tasks; the workers that held leases of it.
  public func cancelQueued(session: UUID) async throws -> Set<UUID> {
    try await connections.write { database in
      let holders = try await database.raw(
        "SELECT DISTINCT worker_id FROM queue_tasks WHERE session_id = \(bind: session) AND state = 'leased'"
      ).all().compactMap { try $0.decode(column: "worker_id", as: UUID?.self) }
      try await database.raw(
        """
        UPDATE queue_tasks SET state = 'cancelled', worker_id = NULL, lease_expires_us = NULL
        WHERE session_id = \(bind: session) AND state IN ('queued', 'leased')
        """
      ).run()
      return Set(holders)
    }
  }

  /// How many tasks stand in each state.
  public func queueCounts(session: UUID?) async throws -> [QueueState: Int] {
    let condition: SQLQueryString = session.map { "WHERE session_id = \(bind: $0)" } ?? ""
    return try await connections.read { database in
      var counts: [QueueState: Int] = [:]
      for row in try await database.raw(
        "SELECT state, COUNT(*) AS n FROM queue_tasks \(condition) GROUP BY state"
      ).all() {
        if let state = QueueState(rawValue: try row.decode(column: "state", as: String.self)) {
          counts[state] = try row.decode(column: "n", as: Int.self)
        }
      }
      return counts
    }
  }

  /// Up to `limit` of a session's tasks in `state`, in key order.
  public func queuedTasks(session: UUID, state: QueueState, limit: Int) async throws -> [QueuedTask] {
    let payload: SQLQueryString = connections.dialect == .postgres ? "payload::text AS payload" : "payload"
    return try await connections.read { database in
      try await database.raw(
        """
        SELECT session_id, task_key, provider, \(payload), send_at_us FROM queue_tasks
        WHERE session_id = \(bind: session) AND state = \(bind: state.rawValue)
        ORDER BY task_key LIMIT \(literal: max(0, limit))
        """
      ).all().map { row in
        QueuedTask(
          sessionID: try row.decode(column: "session_id", as: UUID.self),
          taskKey: try row.decode(column: "task_key", as: String.self),
          provider: try row.decode(column: "provider", as: String.self),
          payload: try row.decode(column: "payload", as: String.self),
          sendAtMicros: try row.decode(column: "send_at_us", as: Int64.self))
      }
    }
  }

  /// Forgets a session's finished, failed and cancelled tasks of an earlier run.
  public func clearQueue(session: UUID) async throws {
    try await connections.write { database in
      try await database.raw(
        "DELETE FROM queue_tasks WHERE session_id = \(bind: session) AND state NOT IN ('queued', 'leased')"
      ).run()
    }
  }

  /// Which of `sessions` have cancelled tasks.
  public func cancelledSessions(among sessions: Set<UUID>) async throws -> Set<UUID> {
    guard !sessions.isEmpty else { return [] }
    return try await connections.read { database in
      Set(
        try await database.raw(
          """
          SELECT DISTINCT session_id FROM queue_tasks
          WHERE state = 'cancelled' AND session_id IN (\(binds: Array(sessions)))
          """
        ).all().map { try $0.decode(column: "session_id", as: UUID.self) })
    }
  }
}
