import Foundation
import LTBCore
import LTBStorage

/// Runs a session's phases through the store's task queue, for workers to send (`ltb bench
/// --distributed`, `createBenchmark(distributed: true)`). The plan, the stop conditions and the
/// warm-up count are the local run's (``RunControl``); what changes is who sends: each task is
/// queued with its send time on this clock (open-loop phases) or to go at once with its share of
/// the phase's concurrency (closed-loop ones), and a coordinator leases it to a worker that
/// reaches its provider. The run's progress and its stop conditions are read from the store.
struct QueueDispatch: Sendable {
  let store: any BenchStore
  let settings: DistributedSettings
  let suite: BenchmarkSuite
  let context: ExecutionContext
  let runStartMicros: Int64

  /// Refuses a run that no connected worker can take, naming what to start.
  static func checkWorkers(for suite: BenchmarkSuite, store: any BenchStore, settings: DistributedSettings)
    async throws
  {
    if suite.cache != .off {
      throw LTBError(
        .invalidInput, "a distributed run cannot use the response cache (cache: \(suite.cache.rawValue))",
        fix: "workers have no store to cache in: set `cache: off` in the suite, or run it locally")
    }
    let live = try await liveWorkers(store: store, settings: settings)
    for provider in Set(suite.targets.map(\.provider)).sorted()
    where !live.contains(where: { $0.supportedProviders.contains(provider) }) {
      throw LTBError(
        .network,
        live.isEmpty
          ? "no worker is connected to a coordinator on this store"
          : "no connected worker reaches provider '\(provider)'",
        fix:
          "start one with `ltb worker --coordinator http://HOST:50051 --token KEY` (its configuration must have [providers.\(provider)]), or run without --distributed"
      )
    }
  }

  /// Workers heard from within the freshness window and taking tasks.
  static func liveWorkers(store: any BenchStore, settings: DistributedSettings) async throws -> [WorkerRecord]
  {
    let since = WallClock.nowMicros - settings.freshness.microseconds
    return try await store.workers().filter { $0.state == .active && $0.heartbeatMicros >= since }
  }

  /// Queues one phase's tasks as their send times come near, then waits until workers have
  /// reported every one (or the run stopped).
  func runPhase(_ phase: LoadPhase, index: Int, seed: UInt64) async throws {
    let control = context.control
    let providers = Set(suite.targets.map(\.provider))
    let live = try await Self.liveWorkers(store: store, settings: settings)
      .filter { !providers.isDisjoint(with: $0.supportedProviders) }.count
    let closedLoop = phase.pattern == .closedLoop
    let share = closedLoop ? max(1, (max(1, phase.concurrency) + max(1, live) - 1) / max(1, live)) : nil
    var schedule = ArrivalSchedule(pattern: phase.pattern, rate: max(phase.rate ?? 1, 0.001), seed: seed)
    let phaseStart = WallClock.nowMicros + settings.lead.microseconds
    let phaseEnd = phase.maxDurationSeconds.map { phaseStart + Int64($0 * 1_000_000) }
    let runEnd = suite.stop.maxDurationSeconds.map { runStartMicros + Int64($0 * 1_000_000) }
    var pending: [QueuedTask] = []
    var lastProgress = ContinuousClock.now
    let traceparent = TraceContext.headers().first { $0.name == "traceparent" }?.value
    while let (task, warmup) = await control.next() {
      let sendAt = closedLoop ? 0 : phaseStart + schedule.next().microseconds
      if let runEnd, sendAt > runEnd {
        await control.requestStop(.maxDuration(suite.stop.maxDurationSeconds ?? 0))
        break
      }
      if let phaseEnd, sendAt > phaseEnd { break }
      let payload = DistributedTask(
        task: task, warmup: warmup, stream: suite.stream, suiteAssertions: suite.assertions,
        requestTimeoutMilliseconds: suite.requestTimeoutMilliseconds, runStartMicros: runStartMicros,
        concurrency: share, traceparent: traceparent)
      pending.append(
        QueuedTask(
          sessionID: context.sessionID, taskKey: task.key, provider: task.target.provider,
          payload: try payload.encoded(), sendAtMicros: sendAt))
      let ahead = sendAt - WallClock.nowMicros
      if pending.count >= settings.enqueueBatch || ahead > settings.window.microseconds {
        try await store.enqueue(pending, maxAttempts: settings.maxAttempts)
        pending.removeAll(keepingCapacity: true)
      }
      // Open loop: queue no further ahead than the window. Closed loop: keep the backlog short.
      while await shouldWait(closedLoop: closedLoop, sendAt: sendAt, share: share, live: live) {
        if ContinuousClock.now - lastProgress >= .milliseconds(250) {
          try await observeProgress()
          lastProgress = .now
        }
        try await Task.sleep(for: .milliseconds(20))
      }
    }
    try await store.enqueue(pending, maxAttempts: settings.maxAttempts)
    try await awaitReports()
  }

  private func shouldWait(closedLoop: Bool, sendAt: Int64, share: Int?, live: Int) async -> Bool {
    if await context.control.stopReason != nil { return false }
    if closedLoop {
      let backlog = max(settings.enqueueBatch, 4 * (share ?? 1) * max(1, live))
      let queued = (try? await store.queueCounts(session: context.sessionID)[.queued]) ?? 0
      return queued >= backlog
    }
    return sendAt - WallClock.nowMicros > settings.window.microseconds
  }

  /// Waits until no task of the session is queued or leased; a stop that ends the run early
  /// cancels what is left, and a queue no live worker takes for `settings.orphanTimeout` stops
  /// the run.
  private func awaitReports() async throws {
    var unattendedSince: ContinuousClock.Instant?
    while true {
      let counts = try await observeProgress()
      let open = (counts[.queued] ?? 0) + (counts[.leased] ?? 0)
      if open == 0 { return }
      switch await context.control.stopReason {
      case nil, .maxRequests?, .maxDuration?: break
      default:
        _ = try await store.cancelQueued(session: context.sessionID)
        return
      }
      if try await Self.liveWorkers(store: store, settings: settings).isEmpty {
        let since = unattendedSince ?? .now
        unattendedSince = since
        if ContinuousClock.now - since >= settings.orphanTimeout {
          await context.control.requestStop(.noWorkers(Double(settings.orphanTimeout.microseconds) / 1e6))
          _ = try await store.cancelQueued(session: context.sessionID)
          return
        }
      } else {
        unattendedSince = nil
      }
      try await Task.sleep(for: settings.pollInterval)
    }
  }

  /// Reads the session's counts from the store into the run's control and publishes progress.
  @discardableResult
  private func observeProgress() async throws -> [QueueState: Int] {
    let counts = try await store.queueCounts(session: context.sessionID)
    let results = try await store.resultCounts(session: context.sessionID)
    let done = (counts[.done] ?? 0) + (counts[.failed] ?? 0)
    await context.control.observe(
      completed: done, failed: (results[.failure] ?? 0) + (results[.timeout] ?? 0),
      cost: suite.stop.maxCostUSD == nil ? 0 : try await store.resultCost(session: context.sessionID))
    await context.bus.publish(
      .benchmarkProgress(
        sessionID: context.sessionID, completed: done, total: context.total, currentTest: "",
        progressPercent: context.total == 0 ? 100 : min(100, Double(done) * 100 / Double(context.total))))
    return counts
  }

  /// Stores a failed result for every task that ran out of attempts (each worker that held it
  /// went away), so the session accounts for every task it planned.
  func recordLostTasks() async throws {
    let lost = try await store.queuedTasks(session: context.sessionID, state: .failed, limit: Int.max / 2)
    guard !lost.isEmpty else { return }
    let sender = TaskSender(
      sessionID: context.sessionID, providers: [:], suiteAssertions: suite.assertions, stream: suite.stream,
      cacheMode: .off, cache: nil, runStart: context.start)
    var results: [BenchmarkResult] = []
    for queued in lost {
      let planned = try DistributedTask.decode(queued.payload)
      results.append(
        sender.failure(
          of: planned.task, warmup: planned.warmup,
          LTBError(
            .network,
            "task lost: its lease lapsed \(settings.maxAttempts) times (each worker holding it went away)",
            fix: "check the workers' logs, then resume the session")))
    }
    try await store.insertResults(results)
  }
}
