public import Foundation
public import LTBCore

/// One planned task of a distributed run, queued in the database for workers.
public struct QueuedTask: Sendable, Hashable {
  /// The session it belongs to.
  public var sessionID: UUID
  /// The plan's task key (a session stores one result per key).
  public var taskKey: String
  /// The provider it calls: only workers that reach it lease it.
  public var provider: String
  /// What a worker needs to send it, as JSON text (the planned request, case and target).
  public var payload: String
  /// When to send it, in microseconds since 1970 on the coordinator's clock (0: when leased).
  public var sendAtMicros: Int64

  /// Creates a queued task.
  public init(sessionID: UUID, taskKey: String, provider: String, payload: String, sendAtMicros: Int64 = 0) {
    self.sessionID = sessionID
    self.taskKey = taskKey
    self.provider = provider
    self.payload = payload
    self.sendAtMicros = sendAtMicros
  }
}

/// A task leased to one worker until `expiresMicros` (renewed by its heartbeats).
public struct TaskLease: Sendable, Hashable {
  /// The task.
  public var task: QueuedTask
  /// The lease's fencing token: its report is accepted only with this value.
  public var fence: Int64
  /// Which attempt this is (1 for the first lease).
  public var attempt: Int
}

/// A worker's report of a leased task: which task, under which lease.
public struct LeaseReport: Sendable, Hashable {
  /// The session.
  public var sessionID: UUID
  /// The task.
  public var taskKey: String
  /// The fence of the lease the report answers.
  public var fence: Int64

  /// Creates a report.
  public init(sessionID: UUID, taskKey: String, fence: Int64) {
    self.sessionID = sessionID
    self.taskKey = taskKey
    self.fence = fence
  }
}

/// Where a queued task stands.
public enum QueueState: String, Sendable, Hashable, CaseIterable {
  /// Waiting for a worker.
  case queued
  /// Leased to a worker.
  case leased
  /// Reported, its result stored.
  case done
  /// Out of attempts.
  case failed
  /// Its session was cancelled.
  case cancelled
}

/// What happened to the leases that lapsed.
public struct LapsedLeases: Sendable, Hashable {
  /// Tasks queued again for another worker.
  public var requeued: Int
  /// Tasks out of attempts, failed.
  public var failed: Int
}

/// The durable queue of distributed runs: tasks, leases with fencing tokens, and the workers.
public protocol TaskQueueStore: Sendable {
  /// Queues `tasks`; a task key already queued for its session is left as it is.
  func enqueue(_ tasks: [QueuedTask], maxAttempts: Int) async throws
  /// Leases up to `limit` queued tasks of `providers`, due before `horizonMicros`, soonest
  /// first, to `worker` until `expiresMicros`; concurrent callers never lease the same task.
  func lease(worker: UUID, providers: [String], limit: Int, horizonMicros: Int64, expiresMicros: Int64)
    async throws -> [TaskLease]
  /// Extends every lease `worker` holds to `expiresMicros`; how many it holds.
  func renewLeases(worker: UUID, expiresMicros: Int64) async throws -> Int
  /// Marks the reported tasks done and stores the results of those whose lease is current, in
  /// one transaction; the reports accepted (a stale fence, or a task no longer leased, is not).
  func complete(_ reports: [LeaseReport], results: [BenchmarkResult]) async throws -> Set<LeaseReport>
  /// Returns `worker`'s leases of `reports` (all of them when `nil`) to the queue without
  /// counting the attempt (a draining worker hands back what it did not start).
  func release(worker: UUID, _ reports: [LeaseReport]?) async throws -> Int
  /// The leases `worker` holds in the store.
  func leases(worker: UUID) async throws -> [LeaseReport]
  /// Queues again every lease that expired before `nowMicros` (failing tasks out of attempts).
  func requeueLapsed(nowMicros: Int64) async throws -> LapsedLeases
  /// Cancels a session's queued and leased tasks; the workers that held leases of it.
  func cancelQueued(session: UUID) async throws -> Set<UUID>
  /// How many tasks stand in each state (of one session, or of every one).
  func queueCounts(session: UUID?) async throws -> [QueueState: Int]
  /// Up to `limit` of a session's tasks in `state`, in key order.
  func queuedTasks(session: UUID, state: QueueState, limit: Int) async throws -> [QueuedTask]
  /// Forgets a session's finished, failed and cancelled tasks of an earlier run; its queued and
  /// leased ones stay where they are (a resumed run queues what is missing beside them, and a
  /// worker's report under a current lease still counts).
  func clearQueue(session: UUID) async throws
  /// Which of `sessions` have cancelled tasks (workers holding their leases stop them).
  func cancelledSessions(among sessions: Set<UUID>) async throws -> Set<UUID>
}
