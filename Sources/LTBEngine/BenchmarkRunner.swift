public import Foundation
public import LTBCore
import LTBDatasets
public import LTBStorage
import Logging

/// Runs benchmarks: plans the tasks, releases them by the load pattern, sends them through the
/// providers (or the response cache), streams every result to storage as it finishes, publishes
/// progress on the event bus, honours the stop conditions, and stops cleanly on cancellation.
public actor BenchmarkRunner {
  private let store: any BenchStore
  private let providers: [String: any Provider]
  private let bus: EventBus
  private let cancellationGrace: Duration
  private let distributed: DistributedSettings?
  private let rewrite: (@Sendable (CompletionRequest) async throws -> CompletionRequest)?
  private var control: RunControl?
  /// Whether runs go through the task queue to workers.
  public nonisolated var isDistributed: Bool { distributed != nil }
  private var cancelRequested = false

  /// Creates a runner over a store, the configured providers by name, and an event bus; with
  /// `distributed` settings its runs go through the store's task queue to workers instead of
  /// being sent from this process.
  public init(
    store: any BenchStore, providers: [String: any Provider], bus: EventBus,
    cancellationGrace: Duration = .seconds(10), distributed: DistributedSettings? = nil,
    rewrite: (@Sendable (CompletionRequest) async throws -> CompletionRequest)? = nil
  ) {
    self.rewrite = rewrite
    self.store = store
    self.providers = providers
    self.bus = bus
    self.cancellationGrace = cancellationGrace
    self.distributed = distributed
  }

  /// Creates a session for `suite` (status pending) after checking its datasets (each case also
  /// by `inspect`) and targets.
  public func createSession(
    _ suite: BenchmarkSuite, owner: UUID? = nil,
    inspect: @Sendable (TestCase, String) throws -> Void = { _, _ in }
  ) async throws -> BenchmarkSession {
    let plan = try TaskPlan(suite: suite, inspect: inspect)
    try checkTargets(suite)
    if let distributed {
      try await QueueDispatch.checkWorkers(for: suite, store: store, settings: distributed)
    }
    let session = BenchmarkSession(
      name: suite.name, description: suite.description, status: .pending, suite: suite, tags: suite.tags,
      totalTasks: plan.totalTasks, ownerID: owner)
    try await store.createSession(session)
    return session
  }

  /// How a run ended: the session as stored, and its counts.
  public struct Finished: Sendable {
    /// The session, with its final status and stop reason.
    public var session: BenchmarkSession
    /// Requests completed.
    public var completed: Int
    /// Requests that failed.
    public var failed: Int
    /// Wall time of the run, in seconds.
    public var durationSeconds: Double
  }

  /// Runs a session to its end: every task, or until a stop condition or a cancellation. A
  /// session that ran before runs only its tasks without a successful result. The session's
  /// end is stored; announcing it on the bus is the caller's (``BenchmarkService`` does it once
  /// the answers are graded).
  public func run(sessionID: UUID) async throws -> Finished {
    guard var session = try await store.session(sessionID) else {
      throw LTBError(.notFound, "no session \(sessionID)", fix: "list sessions with `ltb sessions list`")
    }
    let suite = session.suite
    let plan = try TaskPlan(suite: suite)
    try checkTargets(suite)
    for name in Set(suite.targets.map(\.provider)) {
      if let provider = providers[name] {
        try await store.registerProvider(name: name, kind: provider.kind, baseURL: "")
      }
    }
    if let distributed {
      try await QueueDispatch.checkWorkers(for: suite, store: store, settings: distributed)
      try await store.clearQueue(session: sessionID)
    }
    let succeeded = try await store.succeededTaskKeys(session: sessionID)
    let control = RunControl(stop: suite.stop, skipKeys: succeeded)
    self.control = control
    if cancelRequested { await control.requestStop(.cancelled) }
    session.status = .running
    session.startedAt = session.startedAt ?? Date()
    session.completedAt = nil
    session.stopReason = nil
    session.totalTasks = plan.totalTasks
    try await store.updateSession(session)
    let remaining = max(0, plan.totalTasks - succeeded.count)
    await bus.publish(
      .benchmarkStarted(
        sessionID: sessionID, dataset: plan.datasets.map(\.name).joined(separator: ", "),
        providers: suite.targets.map(\.label), totalTests: remaining))

    let writer = ResultWriter(store: store)
    let start = ContinuousClock.now
    var sender = TaskSender(
      sessionID: sessionID, providers: providers, suiteAssertions: suite.assertions, stream: suite.stream,
      cacheMode: suite.cache, cache: store, runStart: start)
    sender.rewrite = rewrite
    let context = ExecutionContext(
      sessionID: sessionID,
      sender: sender,
      writer: writer, control: control, bus: bus, start: start, total: remaining, slo: suite.slo)
    let dispatch = distributed.map {
      QueueDispatch(
        store: store, settings: $0, suite: suite, context: context, runStartMicros: WallClock.nowMicros)
    }
    let reporter = Task { await Self.reportMetrics(context) }
    if let dispatch {
      do {
        for (index, phase) in suite.load.phases.enumerated() {
          if await control.stopReason != nil { break }
          await control.beginPhase(
            try plan.makeIterator(phase: index), limit: phase.maxRequests,
            durationSeconds: nil, warmup: suite.load.warmupRequests)
          try await dispatch.runPhase(phase, index: index, seed: suite.load.seed &+ UInt64(index))
        }
        try await dispatch.recordLostTasks()
      } catch {
        await control.requestStop(.storage(LTBError.wrapping(error).message))
        _ = try? await store.cancelQueued(session: sessionID)
      }
    }
    for (index, phase) in suite.load.phases.enumerated() where dispatch == nil {
      if await control.stopReason != nil { break }
      await control.beginPhase(
        try plan.makeIterator(phase: index), limit: phase.maxRequests,
        durationSeconds: phase.maxDurationSeconds,
        warmup: suite.load.warmupRequests)
      let seed = suite.load.seed &+ UInt64(index)
      let phaseTask = Task { await Self.runPhase(phase, seed: seed, context: context) }
      let watcher = Task { [cancellationGrace] in
        while !Task.isCancelled {
          if await control.stopReason == .cancelled {
            try? await Task.sleep(for: cancellationGrace)
            phaseTask.cancel()
            return
          }
          try? await Task.sleep(for: .milliseconds(50))
        }
      }
      await phaseTask.value
      watcher.cancel()
    }
    reporter.cancel()
    await writer.flush()
    if let failure = await writer.failure { await control.requestStop(.storage(failure.message)) }

    let stopReason = await control.stopReason
    session.status =
      switch stopReason {
      case .cancelled?: .cancelled
      case let reason? where reason.isFailure: .failed
      default: .completed
      }
    session.stopReason = stopReason?.description
    session.completedAt = Date()
    try await store.updateSession(session)
    return Finished(
      session: session, completed: await control.completed, failed: await control.failed,
      durationSeconds: await control.elapsedSeconds)
  }

  /// Stops sending; requests in flight get the grace period, then are cancelled (and rerun on resume).
  public func cancel() async {
    cancelRequested = true
    await control?.requestStop(.cancelled)
  }

  private func checkTargets(_ suite: BenchmarkSuite) throws {
    if distributed != nil { return }  // the workers' capabilities are checked instead
    for target in suite.targets where providers[target.provider] == nil {
      throw LTBError(
        .notFound, "the suite names provider '\(target.provider)', which is not configured",
        fix: "configured providers: \(providers.keys.sorted().joined(separator: ", "))")
    }
  }

  // MARK: Phases

  private static func runPhase(_ phase: LoadPhase, seed: UInt64, context: ExecutionContext) async {
    switch phase.pattern {
    case .closedLoop:
      await withDiscardingTaskGroup { group in
        for _ in 0..<max(1, phase.concurrency) {
          group.addTask {
            while !Task.isCancelled, let (task, warmup) = await context.control.next() {
              await RequestExecutor.execute(
                task, scheduledAt: ContinuousClock.now, warmup: warmup, context: context)
            }
          }
        }
      }
    case .constantRate, .poisson:
      var schedule = ArrivalSchedule(pattern: phase.pattern, rate: max(phase.rate ?? 1, 0.001), seed: seed)
      let slots = AsyncSemaphore(limit: max(1, phase.concurrency))
      let phaseStart = ContinuousClock.now
      // A discarding group frees each finished request at once; a plain group would keep them all.
      await withDiscardingTaskGroup { group in
        while !Task.isCancelled {
          let scheduledAt = phaseStart + schedule.next()
          if scheduledAt > ContinuousClock.now { try? await Task.sleep(until: scheduledAt) }
          guard !Task.isCancelled, let (task, warmup) = await context.control.next() else { break }
          await slots.wait()
          group.addTask {
            await RequestExecutor.execute(task, scheduledAt: scheduledAt, warmup: warmup, context: context)
            await slots.signal()
          }
        }
      }
    }
  }

  /// Publishes throughput, error rate and median TTFT, and the process's health, once a second
  /// while the run lasts.
  private static func reportMetrics(_ context: ExecutionContext) async {
    var lastCompleted = 0
    var health = ProcessHealth()
    while !Task.isCancelled {
      try? await Task.sleep(for: .seconds(1))
      let completed = await context.control.completed
      let failed = await context.control.failed
      let labels = ["session": context.sessionID.uuidString.lowercased()]
      await context.bus.publish(
        .metricUpdate(
          name: "requests_per_second", value: Double(completed - lastCompleted), labels: labels,
          timestamp: Date()))
      await context.bus.publish(
        .metricUpdate(
          name: "error_rate", value: completed == 0 ? 0 : Double(failed) / Double(completed), labels: labels,
          timestamp: Date()))
      if let ttft = await context.control.recentMedianTimeToFirstToken() {
        await context.bus.publish(
          .metricUpdate(name: "ttft_p50_ms", value: ttft, labels: labels, timestamp: Date()))
      }
      lastCompleted = completed
      let (cpu, memory) = health.sample()
      let active = await context.control.dispatched - completed
      await context.bus.publish(.healthUpdate(cpuUsage: cpu, memoryBytes: memory, activeTasks: active))
    }
  }
}

/// What every request of a local run needs.
struct ExecutionContext: Sendable {
  let sessionID: UUID
  let sender: TaskSender
  let writer: ResultWriter
  let control: RunControl
  let bus: EventBus
  let start: ContinuousClock.Instant
  let total: Int
  /// The suite's objectives, against which each completion's goodput is judged.
  let slo: ServiceLevelObjectives
}
