import Foundation
import LTBCore
import LTBEngine
import LTBProtocol
import LTBProviders
import Logging

/// The worker's side of the leases: holds what the coordinator leased, starts each task at its
/// send time (corrected by the clock offset) when a slot is free, runs it through the same
/// ``TaskSender`` a local run uses, and sends the results back in batches with credit for more.
/// It outlives a connection: results finished while the coordinator is away are sent when the
/// work stream is back (their fences decide whether they still count).
actor LeaseExecutor {
  typealias Message = LlmTestBench_Distributed_V1_WorkerMessage
  typealias Lease = LlmTestBench_Distributed_V1_TaskLease

  private struct Pending {
    var lease: Lease
    var planned: DistributedTask
    var at: ContinuousClock.Instant
  }

  private let settings: WorkerSettings
  private let configured: [String: ProviderSettings]
  private let catalog: ModelCatalog
  private let logger: Logger
  private var waiting: [Pending] = []
  private var running: [String: (lease: Lease, task: Task<Void, Never>)] = [:]
  private var perSession: [String: Int] = [:]
  private var results: [LlmTestBench_Distributed_V1_TaskResult] = []
  private var unacknowledged: [[LlmTestBench_Distributed_V1_TaskResult]] = []
  private(set) var refused = 0
  private var released: [Lease] = []
  private var creditOwed: Int
  private var withheld = 0
  private var outbox: AsyncStream<Message>.Continuation?
  private var offset = ClockOffset()
  private var built: [String: any Provider] = [:]
  private var draining = false
  private var stopped = false
  private(set) var completed = 0
  private(set) var shed = 0
  private let wakeup = Wakeup()

  init(
    settings: WorkerSettings, configured: [String: ProviderSettings], catalog: ModelCatalog, logger: Logger
  ) {
    self.settings = settings
    self.configured = configured
    self.catalog = catalog
    self.logger = logger
    self.creditOwed = settings.maxConcurrency + settings.prefetch
  }

  /// Tasks running now.
  var runningCount: Int { running.count }
  /// Leases held and not started yet.
  var waitingCount: Int { waiting.count }
  /// Whether anything is held (waiting, running, or results not yet sent).
  var isIdle: Bool { waiting.isEmpty && running.isEmpty && results.isEmpty && released.isEmpty }

  // MARK: Connection

  /// A work stream is open: it starts with `hello` naming the worker and every lease held here
  /// (the coordinator requeues those it gave and this worker never read), then what is owed goes
  /// out on it. Credit is granted anew for everything not held, since a new stream starts with
  /// none.
  func connect(_ outbox: AsyncStream<Message>.Continuation, worker: String) {
    var hello = Message()
    hello.hello.workerID = worker
    hello.hello.held = held
    outbox.yield(hello)
    self.outbox = outbox
    if !draining {
      creditOwed = max(0, settings.maxConcurrency + settings.prefetch - waiting.count - running.count)
      withheld = 0
    }
    flush()
  }

  /// The work stream closed: batches it did not acknowledge go out again on the next stream
  /// (the coordinator stores each result once; one it already stored, or whose lease lapsed, is
  /// refused by its fence). A draining worker does not wait for a next stream: what was sent
  /// stays sent, and a lost batch's tasks run again elsewhere when their leases lapse.
  func disconnect() {
    outbox = nil
    if !draining { results = unacknowledged.flatMap { $0 } + results }
    unacknowledged.removeAll()
  }

  /// Every lease held: waiting, running, finished with results unsent or unacknowledged, and
  /// released ones not yet handed back.
  private var held: [LlmTestBench_Distributed_V1_LeaseRef] {
    let leases = waiting.map(\.lease) + running.values.map(\.lease) + released
    let reported = results + unacknowledged.joined()
    return leases.map { Self.reference($0.sessionID, $0.taskKey, $0.fence) }
      + reported.map { Self.reference($0.sessionID, $0.taskKey, $0.fence) }
  }

  private static func reference(_ session: String, _ task: String, _ fence: Int64)
    -> LlmTestBench_Distributed_V1_LeaseRef
  {
    var reference = LlmTestBench_Distributed_V1_LeaseRef()
    reference.sessionID = session
    reference.taskKey = task
    reference.fence = fence
    return reference
  }

  /// The coordinator acknowledged the oldest batch: `stored` of its results counted; the rest
  /// came under lapsed leases and were refused (another worker ran those tasks). Returns how many
  /// were refused.
  func acknowledged(stored: Int) -> Int {
    guard !unacknowledged.isEmpty else { return 0 }
    let sent = unacknowledged.removeFirst().count
    let late = max(0, sent - stored)
    refused += late
    return late
  }

  /// Takes one heartbeat exchange into the clock offset.
  func measured(sent: Int64, received: Int64, coordinator: Int64) {
    offset.add(sent: sent, received: received, coordinator: coordinator)
  }

  /// The coordinator clock's offset from this one, in microseconds.
  var offsetMicros: Int64 { offset.micros }

  // MARK: Leases

  /// Takes leased tasks; a payload that does not decode is reported as a failed result.
  func add(_ leases: [Lease]) {
    let now = ContinuousClock.now
    let wall = WallClock.nowMicros
    for lease in leases {
      let planned: DistributedTask
      do {
        planned = try DistributedTask.decode(String(decoding: lease.payload, as: UTF8.self))
      } catch {
        logger.error(
          "a leased task did not decode", metadata: ["task": "\(lease.taskKey)", "error": "\(error)"])
        creditOwed += 1
        continue
      }
      // The send time on this clock: the coordinator's minus the offset.
      let at =
        lease.sendAtUs == 0 ? now : now + .microseconds(lease.sendAtUs - offset.micros - wall)
      let pending = Pending(lease: lease, planned: planned, at: at)
      let index = waiting.firstIndex { $0.at > at } ?? waiting.endIndex
      waiting.insert(pending, at: index)
    }
    wakeup.signal()
  }

  /// Stops the tasks of cancelled sessions: waiting ones are dropped, running ones cancelled
  /// (their results are not reported).
  func cancel(sessions: [String]) {
    let cancelled = Set(sessions)
    let before = waiting.count
    waiting.removeAll { cancelled.contains($0.lease.sessionID) }
    creditOwed += before - waiting.count
    for (_, entry) in running where cancelled.contains(entry.lease.sessionID) { entry.task.cancel() }
    flush()
  }

  /// Takes no more, hands back what has not started, and lets the running tasks finish.
  func drain() {
    guard !draining else { return }
    draining = true
    released += waiting.map(\.lease)
    waiting.removeAll()
    flush()
    wakeup.signal()
  }

  /// Stops the scheduling loop (after a drain completes).
  func stop() {
    stopped = true
    wakeup.signal()
  }

  /// Starts due tasks as slots free up until stopped; sheds leases left waiting past their send
  /// time while every slot is busy.
  func schedule() async {
    while !stopped {
      let now = ContinuousClock.now
      var index = 0
      while index < waiting.count, waiting[index].at <= now {
        let pending = waiting[index]
        let session = pending.lease.sessionID
        let cap = pending.planned.concurrency ?? Int.max
        if running.count < settings.maxConcurrency, perSession[session, default: 0] < cap {
          waiting.remove(at: index)
          start(pending)
        } else if running.count >= settings.maxConcurrency, pending.lease.sendAtUs != 0,
          now - pending.at > settings.shedAfter
        {
          waiting.remove(at: index)
          released.append(pending.lease)
          shed += 1
          withheld += 1
        } else {
          index += 1
        }
      }
      if !released.isEmpty { flush() }
      let next = waiting.first { $0.at > now }?.at
      await wakeup.wait(until: next)
    }
  }

  private func start(_ pending: Pending) {
    let key = "\(pending.lease.sessionID)/\(pending.lease.taskKey)/\(pending.lease.fence)"
    let session = pending.lease.sessionID
    perSession[session, default: 0] += 1
    let sender = sender(for: pending.planned, session: session)
    let (planned, at, lease) = (pending.planned, pending.at, pending.lease)
    let task = Task {
      let result = await TraceContext.withRemoteParent(planned.traceparent) {
        await sender?.outcome(of: planned.task, scheduledAt: at, warmup: planned.warmup)
      }
      await self.finished(key, lease: lease, result: result)
    }
    running[key] = (lease, task)
  }

  private func finished(_ key: String, lease: Lease, result: BenchmarkResult?) {
    running[key] = nil
    perSession[lease.sessionID, default: 1] -= 1
    if perSession[lease.sessionID] == 0 { perSession[lease.sessionID] = nil }
    completed += 1
    if !draining {
      creditOwed += 1 + withheld
      withheld = 0
    }
    if let result, let encoded = try? JSONEncoder().encode(result) {
      var reported = LlmTestBench_Distributed_V1_TaskResult()
      reported.sessionID = lease.sessionID
      reported.taskKey = lease.taskKey
      reported.fence = lease.fence
      reported.result = encoded
      results.append(reported)
    }
    if results.count >= settings.resultBatch { flush() }
    wakeup.signal()
  }

  /// Sends buffered results, released leases and owed credit on the open stream.
  func flush() {
    guard let outbox else { return }
    if !results.isEmpty {
      var batch = LlmTestBench_Distributed_V1_ResultBatch()
      batch.results = results
      var message = Message()
      message.results = batch
      outbox.yield(message)
      unacknowledged.append(results)
      results.removeAll(keepingCapacity: true)
    }
    if !released.isEmpty {
      var batch = LlmTestBench_Distributed_V1_ReleaseBatch()
      batch.leases = released
      var message = Message()
      message.release = batch
      outbox.yield(message)
      released.removeAll()
    }
    if creditOwed > 0, !draining {
      var message = Message()
      message.credit = UInt32(clamping: creditOwed)
      outbox.yield(message)
      creditOwed = 0
    }
  }

  // MARK: Providers

  /// A sender for one task: its provider built from this worker's configuration, with the
  /// suite's request timeout; `nil` when the task was cancelled before it started.
  private func sender(for planned: DistributedTask, session: String) -> TaskSender? {
    guard let id = UUID(uuidString: session) else { return nil }
    let name = planned.task.target.provider
    let timeout = planned.requestTimeoutMilliseconds
    let key = "\(name)|\(timeout.map(String.init) ?? "")"
    var available: [String: any Provider] = [:]
    if let provider = built[key] {
      available[name] = provider
    } else if var configured = configured[name] {
      if let timeout {
        configured.totalTimeout = .milliseconds(timeout)
        configured.firstByteTimeout = min(configured.firstByteTimeout, .milliseconds(timeout))
      }
      if let provider = try? ProviderRegistry.makeProvider(configured, catalog: catalog) {
        built[key] = provider
        available[name] = provider
      }
    }
    let coordinatorNow = WallClock.nowMicros + offset.micros
    return TaskSender(
      sessionID: id, providers: available, suiteAssertions: planned.suiteAssertions, stream: planned.stream,
      cacheMode: .off, cache: nil,
      runStart: ContinuousClock.now - .microseconds(max(0, coordinatorNow - planned.runStartMicros)))
  }

  /// Shuts the providers this worker built.
  func shutdownProviders() async {
    for provider in built.values { await provider.shutdown() }
    built.removeAll()
  }
}
