public import Foundation
public import LTBCore

/// Aggregates every session's finished requests from the event bus and hands each watcher the
/// session's ``LiveStatistics`` once a second, then once more when the session ends: the server
/// does the counting, so a page watching a 2,000 requests/s run receives one message a second.
///
/// Figures are computed only for sessions someone watches; a session's state is dropped a minute
/// after its end (late watchers get its final figures until then) or after ten idle minutes.
public actor LiveStatisticsHub {
  /// Seconds of throughput history each snapshot carries.
  public static let historySeconds = 120

  private var sessions: [UUID: SessionState] = [:]
  private var watchers: [UUID: [Int: AsyncStream<LiveStatistics>.Continuation]] = [:]
  private var nextWatcher = 0

  /// A hub with no sessions.
  public init() {}

  /// Consumes `bus`'s events and ticks once a second until cancelled.
  public func run(bus: EventBus) async {
    let events = await bus.subscribe(topics: nil, bufferSize: 65_536)
    await withDiscardingTaskGroup { group in
      group.addTask {
        for await event in events { await self.ingest(event) }
      }
      group.addTask {
        while !Task.isCancelled {
          try? await Task.sleep(for: .seconds(1))
          await self.tick(now: Date())
        }
      }
    }
  }

  /// The figures of `session`: at once when it is known, then every second until it ends.
  public func watch(_ session: UUID) -> AsyncStream<LiveStatistics> {
    let (stream, continuation) = AsyncStream<LiveStatistics>.makeStream(bufferingPolicy: .bufferingNewest(4))
    let id = nextWatcher
    nextWatcher += 1
    continuation.onTermination = { _ in Task { await self.unwatch(session, id) } }
    if var state = sessions[session] {
      continuation.yield(state.snapshot(now: Date()))
      sessions[session] = state
      if state.status != nil {
        continuation.finish()
        return stream
      }
    }
    watchers[session, default: [:]][id] = continuation
    return stream
  }

  /// Takes one run event into its session's figures.
  public func ingest(_ event: RunEvent) {
    switch event {
    case .testCompleted(let test):
      sessions[test.sessionID, default: SessionState(test.sessionID)].add(test)
    case .benchmarkProgress(let id, _, let total, _, _):
      sessions[id, default: SessionState(id)].total = total
    case .benchmarkStarted(let id, _, _, let total):
      sessions[id, default: SessionState(id)].total = total
    case .benchmarkCompleted(let id, let status, _, _, _):
      guard var state = sessions[id] else { return }
      state.close(status)
      let snapshot = state.snapshot(now: Date())
      sessions[id] = state
      for continuation in (watchers.removeValue(forKey: id) ?? [:]).values {
        continuation.yield(snapshot)
        continuation.finish()
      }
    default: break
    }
  }

  /// Closes the current second of every session, sends watched sessions their figures, and
  /// forgets ended or idle ones.
  public func tick(now: Date) {
    for id in Array(sessions.keys) {
      guard var state = sessions[id] else { continue }
      state.closeSecond(at: now)
      if let watching = watchers[id], !watching.isEmpty {
        let snapshot = state.snapshot(now: now)
        for continuation in watching.values { continuation.yield(snapshot) }
      }
      let idle = now.timeIntervalSince(state.lastEvent)
      if (state.status != nil && idle > 60) || idle > 600 {
        sessions.removeValue(forKey: id)
      } else {
        sessions[id] = state
      }
    }
  }

  /// Whether the hub holds figures for `session`.
  public func knows(_ session: UUID) -> Bool { sessions[session] != nil }

  /// The sessions the hub holds figures for.
  public var sessionCount: Int { sessions.count }

  private func unwatch(_ session: UUID, _ id: Int) {
    watchers[session]?.removeValue(forKey: id)
    if watchers[session]?.isEmpty == true { watchers.removeValue(forKey: session) }
  }
}

/// One session's running counts.
private struct SessionState {
  struct TargetKey: Hashable {
    var provider: String
    var model: String
  }

  struct TargetState {
    var requests = 0
    var succeeded = 0
    // Counted in buckets, so a long run's live figures take bounded memory and no sort.
    var ttft = CountedSample()
    var e2e = CountedSample()
    var tpot = CountedSample()
    var lag = CountedSample()
  }

  let id: UUID
  let firstEvent = Date()
  var lastEvent = Date()
  var status: SessionStatus?
  var completed = 0
  var failed = 0
  var total = 0
  var cost = 0.0
  var errors: [String: Int] = [:]
  var order: [TargetKey] = []
  var targets: [TargetKey: TargetState] = [:]
  var second = LiveStatistics.Point(at: Date(), requests: 0, outputTokens: 0, errors: 0)
  var recent: [LiveStatistics.Point] = []

  init(_ id: UUID) { self.id = id }

  mutating func add(_ test: TestCompletion) {
    lastEvent = Date()
    completed += 1
    cost += test.costUsd
    second.requests += 1
    second.outputTokens += test.outputTokens
    if test.status == .failure || test.status == .timeout {
      failed += 1
      second.errors += 1
      errors[test.errorCode ?? test.status.rawValue, default: 0] += 1
    }
    let key = TargetKey(provider: test.provider, model: test.model)
    if targets[key] == nil {
      order.append(key)
      targets[key] = TargetState()
    }
    targets[key]!.requests += 1
    guard !test.warmup, !test.cacheHit, test.status == .success else { return }
    targets[key]!.succeeded += 1
    if let value = test.timeToFirstTokenMs { targets[key]!.ttft.add(value) }
    if let value = test.endToEndMs { targets[key]!.e2e.add(value) }
    if let value = test.timePerOutputTokenMs { targets[key]!.tpot.add(value) }
    if let value = test.scheduleLagMs { targets[key]!.lag.add(value) }
  }

  mutating func close(_ status: SessionStatus) {
    self.status = status
    lastEvent = Date()
  }

  mutating func closeSecond(at now: Date) {
    guard status == nil else { return }
    second.at = now
    recent.append(second)
    if recent.count > LiveStatisticsHub.historySeconds {
      recent.removeFirst(recent.count - LiveStatisticsHub.historySeconds)
    }
    second = LiveStatistics.Point(at: now, requests: 0, outputTokens: 0, errors: 0)
  }

  mutating func snapshot(now: Date) -> LiveStatistics {
    let last = recent.last
    let window = recent.suffix(5)
    let rate = window.isEmpty ? 0 : Double(window.reduce(0) { $0 + $1.requests }) / Double(window.count)
    let remaining = max(0, total - completed)
    var figures: [LiveStatistics.Target] = []
    for key in order {
      figures.append(
        LiveStatistics.Target(
          provider: key.provider, model: key.model, requests: targets[key]!.requests,
          succeeded: targets[key]!.succeeded, timeToFirstToken: targets[key]!.ttft.distribution,
          endToEnd: targets[key]!.e2e.distribution, timePerOutputToken: targets[key]!.tpot.distribution,
          scheduleLag: targets[key]!.lag.distribution))
    }
    return LiveStatistics(
      sessionID: id, finished: status != nil, status: status, completed: completed, failed: failed,
      total: total, elapsedSeconds: now.timeIntervalSince(firstEvent),
      etaSeconds: status != nil ? 0 : (rate > 0 && total > 0 ? Double(remaining) / rate : nil),
      requestsPerSecond: Double(last?.requests ?? 0), outputTokensPerSecond: Double(last?.outputTokens ?? 0),
      costUSD: cost, errorsByCode: errors, targets: figures, recent: recent, at: now)
  }
}
