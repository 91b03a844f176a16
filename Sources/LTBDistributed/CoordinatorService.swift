public import Foundation
public import GRPCCore
import LTBCore
public import LTBEngine
public import LTBProtocol
public import LTBStorage
import SwiftProtobuf
import Synchronization

/// The coordinator's gRPC service (`llm_test_bench.distributed.v1.Coordinator`): registers
/// workers, renews their leases on heartbeats, and on each worker's one `Work` stream sends
/// leases as the worker grants credit and takes results in batches. Everything it decides is in
/// the store (``TaskQueueStore``), so a restarted coordinator, or another one on the same
/// PostgreSQL, carries on where this one stopped.
public final class CoordinatorService: LlmTestBench_Distributed_V1_Coordinator.SimpleServiceProtocol {
  /// The queue and the worker registry.
  public typealias Store = TaskQueueStore & WorkerRegistryStore

  let store: any Store
  let settings: CoordinatorSettings
  let bus: EventBus?
  private let streams = Mutex<
    [UUID: AsyncStream<LlmTestBench_Distributed_V1_CoordinatorMessage>.Continuation]
  >(
    [:])
  private let tallies = Mutex<[UUID: WorkerTally]>([:])
  private let lapsed = Atomic<Int>(0)

  /// Leases that lapsed since this coordinator started (requeued, or failed out of attempts).
  public var leaseExpiries: Int { lapsed.load(ordering: .relaxed) }

  /// A coordinator over `store`; the results it stores are published on `bus` (as
  /// `testCompleted`, for the subscriptions, `/metrics` and the alert rules of the process that
  /// hosts it).
  public init(store: any Store, settings: CoordinatorSettings = CoordinatorSettings(), bus: EventBus? = nil) {
    self.store = store
    self.settings = settings
    self.bus = bus
  }

  /// Records a new worker and answers its id and the lease settings.
  public func registerWorker(
    request: LlmTestBench_Distributed_V1_RegisterWorkerRequest, context: ServerContext
  ) async throws -> LlmTestBench_Distributed_V1_RegisterWorkerResponse {
    let capabilities = request.capabilities
    guard !capabilities.supportedProviders.isEmpty, capabilities.maxConcurrentTasks > 0 else {
      throw RPCError(
        code: .invalidArgument,
        message: "a worker must name the providers it reaches and run at least one task at a time")
    }
    let id = UUID()
    let now = WallClock.nowMicros
    try await store.registerWorker(
      WorkerRecord(
        id: id, name: request.name.isEmpty ? "worker" : String(request.name.prefix(200)),
        capabilities: try capabilities.jsonString(), registeredMicros: now, heartbeatMicros: now,
        version: String(request.version.prefix(40))))
    var response = LlmTestBench_Distributed_V1_RegisterWorkerResponse()
    response.workerID = id.uuidString.lowercased()
    response.leaseMs = UInt32(settings.lease.microseconds / 1_000)
    response.heartbeatMs = UInt32(settings.heartbeat.microseconds / 1_000)
    return response
  }

  /// Renews the worker's leases and answers the coordinator's clock.
  public func heartbeat(request: LlmTestBench_Distributed_V1_HeartbeatRequest, context: ServerContext)
    async throws -> LlmTestBench_Distributed_V1_HeartbeatResponse
  {
    let worker = try Self.workerID(request.workerID)
    let now = WallClock.nowMicros
    guard try await store.touchWorker(worker, atMicros: now) else { throw Self.unknown(worker) }
    if let activity = tallies.withLock({ $0[worker]?.reading(atMicros: now) }) {
      try await store.recordWorkerActivity(worker, activity)
    }
    var response = LlmTestBench_Distributed_V1_HeartbeatResponse()
    response.leases = UInt32(
      clamping: try await store.renewLeases(worker: worker, expiresMicros: now + settings.lease.microseconds))
    // The middle of the time spent here: the worker takes the coordinator's clock as read
    // halfway through the round trip, which store work at one end would skew.
    response.coordinatorTimeUs = now + (WallClock.nowMicros - now) / 2
    return response
  }

  /// Hands the worker's leases back and forgets it.
  public func unregisterWorker(
    request: LlmTestBench_Distributed_V1_UnregisterWorkerRequest, context: ServerContext
  ) async throws -> LlmTestBench_Distributed_V1_UnregisterWorkerResponse {
    let worker = try Self.workerID(request.workerID)
    var response = LlmTestBench_Distributed_V1_UnregisterWorkerResponse()
    response.released = UInt32(clamping: try await store.release(worker: worker, nil))
    try await store.setWorkerState(worker, .gone)
    return response
  }

  /// One worker's stream: `hello` first, then credit, results and releases in; leases,
  /// acknowledgements and cancellations out.
  public func work(
    request: RPCAsyncSequence<LlmTestBench_Distributed_V1_WorkerMessage, any Error>,
    response: RPCWriter<LlmTestBench_Distributed_V1_CoordinatorMessage>, context: ServerContext
  ) async throws {
    var incoming = request.makeAsyncIterator()
    guard case .hello(let hello)? = try await incoming.next()?.kind else {
      throw RPCError(
        code: .invalidArgument,
        message: "a work stream starts with hello: the id RegisterWorker gave and the leases held")
    }
    let worker = try Self.workerID(hello.workerID)
    guard let record = try await store.worker(worker), record.state == .active,
      let providers = try? LlmTestBench_Distributed_V1_WorkerCapabilities(jsonString: record.capabilities)
        .supportedProviders
    else { throw Self.unknown(worker) }
    try await reconcile(worker, holding: hello.held)
    let (outbox, continuation) = AsyncStream<LlmTestBench_Distributed_V1_CoordinatorMessage>.makeStream()
    streams.withLock { $0[worker] = continuation }
    defer {
      streams.withLock { if $0[worker] != nil { $0[worker] = nil } }
      continuation.finish()
    }
    let credit = Credit()
    try await withThrowingTaskGroup(of: Void.self) { group in
      // A session cancelled anywhere (this process, another coordinator, `ltb bench` on the
      // same store) reaches the workers holding its tasks within one poll.
      group.addTask { [store, settings] in
        while !Task.isCancelled {
          try await Task.sleep(for: settings.cancelPoll)
          let open = credit.sessions.withLock { $0 }
          let cancelled = try await store.cancelledSessions(among: open)
          guard !cancelled.isEmpty else { continue }
          credit.sessions.withLock { $0.subtract(cancelled) }
          var cancellation = LlmTestBench_Distributed_V1_Cancellation()
          cancellation.sessionIds = cancelled.map { $0.uuidString.lowercased() }.sorted()
          var message = LlmTestBench_Distributed_V1_CoordinatorMessage()
          message.cancel = cancellation
          continuation.yield(message)
        }
      }
      group.addTask {
        for await message in outbox { try await response.write(message) }
      }
      group.addTask { [store, settings] in
        while !Task.isCancelled {
          let wanted = min(credit.value.load(ordering: .relaxed), settings.maxBatch)
          if wanted > 0 {
            let now = WallClock.nowMicros
            let leases = try await store.lease(
              worker: worker, providers: providers, limit: wanted,
              horizonMicros: now + settings.lookahead.microseconds,
              expiresMicros: now + settings.lease.microseconds)
            if !leases.isEmpty {
              credit.value.subtract(leases.count, ordering: .relaxed)
              let leasedSessions = Set(leases.map(\.task.sessionID))
              credit.sessions.withLock { $0.formUnion(leasedSessions) }
              var batch = LlmTestBench_Distributed_V1_LeaseBatch()
              batch.leases = leases.map(LlmTestBench_Distributed_V1_TaskLease.init)
              var message = LlmTestBench_Distributed_V1_CoordinatorMessage()
              message.leases = batch
              continuation.yield(message)
              continue
            }
          }
          try await Task.sleep(for: settings.pollInterval)
        }
      }
      while let message = try await incoming.next() {
        switch message.kind {
        case .credit(let more): credit.value.add(Int(more), ordering: .relaxed)
        case .results(let batch): continuation.yield(try await accept(batch, from: worker))
        case .release(let batch):
          _ = try await store.release(worker: worker, batch.leases.map { try LeaseReport($0) })
        case .hello, nil:
          throw RPCError(code: .invalidArgument, message: "hello comes once, first on the stream")
        }
      }
      continuation.finish()
      group.cancelAll()
    }
  }

  /// Hands back to the queue the leases the store gives `worker` that it does not hold: they
  /// were sent on a stream that broke before the worker read them (this coordinator's
  /// predecessor was killed, or the connection dropped). Its heartbeats would otherwise renew
  /// them for as long as it lives, and the run would never finish.
  private func reconcile(_ worker: UUID, holding held: [LlmTestBench_Distributed_V1_LeaseRef]) async throws {
    let holding = Set(try held.map(LeaseReport.init))
    let orphaned = try await store.leases(worker: worker).filter { !holding.contains($0) }
    if !orphaned.isEmpty { _ = try await store.release(worker: worker, orphaned) }
  }

  /// Stores the results whose lease is current; the acknowledgement names them.
  private func accept(_ batch: LlmTestBench_Distributed_V1_ResultBatch, from worker: UUID) async throws
    -> LlmTestBench_Distributed_V1_CoordinatorMessage
  {
    var reports: [LeaseReport] = []
    var results: [BenchmarkResult] = []
    let decoder = JSONDecoder()
    for reported in batch.results {
      let report = try LeaseReport(reported)
      let result: BenchmarkResult
      do {
        result = try decoder.decode(BenchmarkResult.self, from: reported.result)
      } catch {
        throw RPCError(
          code: .invalidArgument, message: "the result of \(report.taskKey) is not a result: \(error)")
      }
      guard result.sessionID == report.sessionID, result.taskKey == report.taskKey else {
        throw RPCError(code: .invalidArgument, message: "the result of \(report.taskKey) names another task")
      }
      reports.append(report)
      results.append(result)
    }
    let accepted = try await store.complete(reports, results: results)
    if let bus {
      for (report, result) in zip(reports, results) where accepted.contains(report) {
        await bus.publish(.testCompleted(TestCompletion(result)))
      }
    }
    let lags = zip(reports, results).filter { accepted.contains($0.0) }.compactMap(\.1.scheduleLagMs)
    tallies.withLock { tallies in
      tallies[worker, default: WorkerTally()].add(
        stored: accepted.count, refused: reports.count - accepted.count, lags: lags)
    }
    var acknowledgement = LlmTestBench_Distributed_V1_Acknowledgement()
    for report in reports where accepted.contains(report) {
      acknowledgement.sessionIds.append(report.sessionID.uuidString.lowercased())
      acknowledgement.taskKeys.append(report.taskKey)
    }
    var message = LlmTestBench_Distributed_V1_CoordinatorMessage()
    message.accepted = acknowledgement
    return message
  }

  /// Cancels a session's queued and leased tasks and tells the workers that hold some.
  public func cancel(session: UUID) async throws {
    let holders = try await store.cancelQueued(session: session)
    var cancellation = LlmTestBench_Distributed_V1_Cancellation()
    cancellation.sessionIds = [session.uuidString.lowercased()]
    var message = LlmTestBench_Distributed_V1_CoordinatorMessage()
    message.cancel = cancellation
    let open = streams.withLock { streams in holders.compactMap { streams[$0] } }
    for continuation in open { continuation.yield(message) }
  }

  /// Requeues lapsed leases, and marks gone the workers not heard from within a lease, until
  /// cancelled, every `settings.reapInterval`.
  public func reapLapsedLeases() async throws {
    while !Task.isCancelled {
      let now = WallClock.nowMicros
      let expired = try await store.requeueLapsed(nowMicros: now)
      lapsed.add(expired.requeued + expired.failed, ordering: .relaxed)
      _ = try await store.retireSilentWorkers(heardBeforeMicros: now - settings.lease.microseconds)
      try await Task.sleep(for: settings.reapInterval)
    }
  }

  static func workerID(_ text: String) throws -> UUID {
    guard let id = UUID(uuidString: text) else {
      throw RPCError(
        code: .invalidArgument, message: "'\(text.prefix(40))' is not a worker id; register first")
    }
    return id
  }

  static func unknown(_ worker: UUID) -> RPCError {
    RPCError(
      code: .failedPrecondition,
      message: "worker \(worker.uuidString.lowercased()) is not registered (or left): register again")
  }
}

/// How many more tasks a worker's stream may be sent (its credit), and the sessions it was
/// leased tasks of, shared by the stream's reader, its lease feeder and its cancellation watch.
final class Credit: Sendable {
  let value = Atomic<Int>(0)
  let sessions = Mutex<Set<UUID>>([])
}

extension LlmTestBench_Distributed_V1_TaskLease {
  /// The wire form of a lease.
  init(_ lease: TaskLease) {
    self.init()
    sessionID = lease.task.sessionID.uuidString.lowercased()
    taskKey = lease.task.taskKey
    provider = lease.task.provider
    payload = Data(lease.task.payload.utf8)
    sendAtUs = lease.task.sendAtMicros
    fence = lease.fence
    attempt = UInt32(clamping: lease.attempt)
  }
}

extension LeaseReport {
  /// The report a lease's wire form names.
  init(_ lease: LlmTestBench_Distributed_V1_TaskLease) throws {
    guard let session = UUID(uuidString: lease.sessionID) else {
      throw RPCError(code: .invalidArgument, message: "'\(lease.sessionID.prefix(40))' is not a session id")
    }
    self.init(sessionID: session, taskKey: lease.taskKey, fence: lease.fence)
  }

  /// The report a lease reference names.
  init(_ lease: LlmTestBench_Distributed_V1_LeaseRef) throws {
    guard let session = UUID(uuidString: lease.sessionID) else {
      throw RPCError(code: .invalidArgument, message: "'\(lease.sessionID.prefix(40))' is not a session id")
    }
    self.init(sessionID: session, taskKey: lease.taskKey, fence: lease.fence)
  }

  /// The report a result's wire form names.
  init(_ result: LlmTestBench_Distributed_V1_TaskResult) throws {
    guard let session = UUID(uuidString: result.sessionID) else {
      throw RPCError(code: .invalidArgument, message: "'\(result.sessionID.prefix(40))' is not a session id")
    }
    self.init(sessionID: session, taskKey: result.taskKey, fence: result.fence)
  }
}
