import Foundation
import LTBCore
import Testing

@testable import LTBStorage

/// The distributed runs' task queue on SQLite and a real PostgreSQL: leases, fencing, lapses,
/// routing by provider, cancellation, and concurrent leasers that never share a task.
@Suite("Task queue")
struct TaskQueueTests {
  static let dialects: [SQLDialectKind] = [.sqlite, .postgres]

  static func tasks(_ session: UUID, _ count: Int, provider: String = "alpha", start: Int = 0) -> [QueuedTask]
  {
    (start..<(start + count)).map {
      QueuedTask(
        sessionID: session, taskKey: "0/0/ds/case-\($0)/0", provider: provider,
        payload: #"{"case":"case-\#($0)"}"#, sendAtMicros: Int64($0) * 1_000)
    }
  }

  @Test(
    "leases go soonest first to workers that reach the provider; a report is accepted once, with its lease's fence",
    arguments: dialects)
  func leaseAndReport(dialect: SQLDialectKind) async throws {
    try await TestDatabase.withStore(dialect) { store in
      let session = Fixtures.session()
      try await store.createSession(session)
      try await store.enqueue(
        Self.tasks(session.id, 6) + Self.tasks(session.id, 2, provider: "beta", start: 6), maxAttempts: 2)
      try await store.enqueue(Self.tasks(session.id, 1), maxAttempts: 2)  // already queued: left alone
      #expect(try await store.queueCounts(session: session.id) == [.queued: 8])
      let (one, two) = (UUID(), UUID())
      #expect(
        try await store.lease(
          worker: one, providers: ["gamma"], limit: 10, horizonMicros: .max, expiresMicros: 10
        ).isEmpty)
      let first = try await store.lease(
        worker: one, providers: ["alpha"], limit: 4, horizonMicros: .max, expiresMicros: 10_000)
      #expect(first.map(\.task.taskKey) == (0..<4).map { "0/0/ds/case-\($0)/0" })
      #expect(first.allSatisfy { $0.fence == 1 && $0.attempt == 1 && $0.task.payload.contains("case-") })
      // Not yet due: the horizon keeps case-5 (sent at 5 ms) back.
      let second = try await store.lease(
        worker: two, providers: ["alpha", "beta"], limit: 10, horizonMicros: 4_000, expiresMicros: 10_000)
      #expect(second.map(\.task.taskKey) == ["0/0/ds/case-4/0"])
      #expect(try await store.queueCounts(session: session.id) == [.queued: 3, .leased: 5])

      let reports = first.map {
        LeaseReport(sessionID: session.id, taskKey: $0.task.taskKey, fence: $0.fence)
      }
      let results = (0..<4).map { Fixtures.result(session: session.id, index: $0) }
      var stale = reports[0]
      stale.fence = 0
      #expect(try await store.complete([stale], results: [results[0]]).isEmpty)
      #expect(try await store.complete(reports, results: results) == Set(reports))
      #expect(
        try await store.complete(reports, results: results).isEmpty, "a second report of the same lease")
      #expect(try await store.results(ResultQuery(sessionID: session.id)).items.count == 4)
      #expect(try await store.queueCounts(session: session.id) == [.queued: 3, .leased: 1, .done: 4])
    }
  }

  @Test(
    "a lapsed lease is queued again with a new fence; the old holder's late report is refused; attempts run out",
    arguments: dialects)
  func lapses(dialect: SQLDialectKind) async throws {
    try await TestDatabase.withStore(dialect) { store in
      let session = Fixtures.session()
      try await store.createSession(session)
      try await store.enqueue(Self.tasks(session.id, 2), maxAttempts: 2)
      let (slow, other) = (UUID(), UUID())
      let lost = try await store.lease(
        worker: slow, providers: ["alpha"], limit: 2, horizonMicros: .max, expiresMicros: 100)
      #expect(try await store.renewLeases(worker: slow, expiresMicros: 200) == 2)
      #expect(try await store.requeueLapsed(nowMicros: 150) == LapsedLeases(requeued: 0, failed: 0))
      #expect(try await store.requeueLapsed(nowMicros: 250) == LapsedLeases(requeued: 2, failed: 0))
      let again = try await store.lease(
        worker: other, providers: ["alpha"], limit: 2, horizonMicros: .max, expiresMicros: 1_000)
      #expect(again.map(\.fence) == [2, 2] && again.map(\.attempt) == [2, 2])
      let late = lost.map { LeaseReport(sessionID: session.id, taskKey: $0.task.taskKey, fence: $0.fence) }
      #expect(
        try await store.complete(late, results: [Fixtures.result(session: session.id, index: 0)]).isEmpty)
      #expect(
        try await store.results(ResultQuery(sessionID: session.id)).items.isEmpty,
        "the late result is not stored")
      // The second holder lapses too: two attempts of two are spent.
      #expect(try await store.requeueLapsed(nowMicros: 2_000) == LapsedLeases(requeued: 0, failed: 2))
      #expect(try await store.queueCounts(session: session.id) == [.failed: 2])
    }
  }

  @Test(
    "a draining worker hands back its leases without spending an attempt; cancelling names the holders",
    arguments: dialects)
  func releaseAndCancel(dialect: SQLDialectKind) async throws {
    try await TestDatabase.withStore(dialect) { store in
      let session = Fixtures.session()
      try await store.createSession(session)
      try await store.enqueue(Self.tasks(session.id, 4), maxAttempts: 1)
      let worker = UUID()
      let leased = try await store.lease(
        worker: worker, providers: ["alpha"], limit: 3, horizonMicros: .max, expiresMicros: 100)
      let back = leased.prefix(1).map {
        LeaseReport(sessionID: session.id, taskKey: $0.task.taskKey, fence: $0.fence)
      }
      #expect(try await store.release(worker: worker, back) == 1)
      #expect(try await store.release(worker: UUID(), nil) == 0)
      let retaken = try await store.lease(
        worker: UUID(), providers: ["alpha"], limit: 1, horizonMicros: .max, expiresMicros: 100)
      #expect(retaken.first?.attempt == 1 && retaken.first?.task.taskKey == leased.first?.task.taskKey)
      #expect(try await store.cancelQueued(session: session.id).contains(worker))
      #expect(try await store.queueCounts(session: session.id) == [.cancelled: 4])
      #expect(
        try await store.lease(
          worker: worker, providers: ["alpha"], limit: 9, horizonMicros: .max, expiresMicros: 100
        ).isEmpty)
    }
  }

  @Test("eight leasers at once take every task exactly once", arguments: dialects)
  func concurrentLeases(dialect: SQLDialectKind) async throws {
    try await TestDatabase.withStore(dialect) { store in
      let session = Fixtures.session()
      try await store.createSession(session)
      try await store.enqueue(Self.tasks(session.id, 400), maxAttempts: 3)
      let taken = try await withThrowingTaskGroup(of: [String].self) { group in
        for _ in 0..<8 {
          group.addTask {
            let worker = UUID()
            var keys: [String] = []
            while true {
              let batch = try await store.lease(
                worker: worker, providers: ["alpha"], limit: 7, horizonMicros: .max, expiresMicros: .max)
              if batch.isEmpty { return keys }
              keys += batch.map(\.task.taskKey)
            }
          }
        }
        var all: [String] = []
        for try await keys in group { all += keys }
        return all
      }
      #expect(taken.count == 400 && Set(taken).count == 400)
    }
  }
}

/// The workers' registry on both databases.
@Suite("Worker registry")
struct WorkerRegistryTests {
  @Test("register, hear from, drain and forget workers", arguments: TaskQueueTests.dialects)
  func registry(dialect: SQLDialectKind) async throws {
    try await TestDatabase.withStore(dialect) { store in
      let (one, two) = (UUID(), UUID())
      try await store.registerWorker(
        WorkerRecord(
          id: one, name: "w1", capabilities: #"{"providers":["alpha"]}"#, registeredMicros: 1,
          heartbeatMicros: 1))
      try await store.registerWorker(
        WorkerRecord(id: two, name: "w2", capabilities: "{}", registeredMicros: 2, heartbeatMicros: 2))
      #expect(try await store.workers().map(\.name) == ["w2", "w1"])
      #expect(try await store.touchWorker(one, atMicros: 50))
      #expect(try await !store.touchWorker(UUID(), atMicros: 50))
      try await store.setWorkerState(two, .gone)
      #expect(try await !store.touchWorker(two, atMicros: 60), "a gone worker must register again")
      let first = try #require(try await store.workers().last)
      #expect(first.heartbeatMicros == 50 && first.state == .active && first.capabilities.contains("alpha"))
      #expect(try await store.worker(one) == first)
      #expect(try await store.worker(UUID()) == nil)
    }
  }
}
