import Foundation
public import LTBCore
public import LTBEngine
import Prometheus
import Synchronization

/// The Prometheus metrics of a server (the spec's `MetricsCollector`): benchmark, test,
/// evaluation, provider, system and API families, fed by the engine's event bus
/// (``observe(_:)``) and by the HTTP middleware (``recordRequest(method:route:status:duration:)``),
/// exposed in the text format by ``exposition(_:)``.
///
/// Label values are bounded sets (configured provider names, catalogued models, status and
/// error codes, route templates, assertion types), never ids or free text.
public final class MetricsCollector: Sendable {
  private let registry = PrometheusCollectorRegistry()
  private let state = Mutex(State())

  private struct State {
    var running: Set<UUID> = []
    var pulled: [String: Int] = [:]
    var cpuSeconds = 0.0
    var workerNames: Set<String> = []
  }

  /// One live worker's load, read at scrape time.
  public struct WorkerLoad: Sendable {
    /// Its name.
    public var name: String
    /// Leases it holds now.
    public var leased: Int
    /// Results it reported that were stored.
    public var done: Int

    /// Creates a reading.
    public init(name: String, leased: Int, done: Int) {
      self.name = name
      self.leased = leased
      self.done = done
    }
  }

  /// Values read at scrape time from the services that hold them.
  public struct Readings: Sendable {
    /// Events the bus dropped for slow subscribers, since start.
    public var droppedEvents: Int
    /// Database round trips since start.
    public var databaseOperations: Int
    /// Evaluation cache hits and misses since start.
    public var evaluationCacheHits: Int
    /// Evaluation cache misses since start.
    public var evaluationCacheMisses: Int
    /// Distributed tasks in the queue, by state (queued, leased, done, failed, cancelled).
    public var queue: [String: Int]
    /// Registered workers, by state (active, draining, gone).
    public var workers: [String: Int]
    /// The live workers' loads.
    public var workerLoads: [WorkerLoad]
    /// Leases that lapsed (their worker went silent) since this coordinator started.
    public var leaseExpiries: Int
    /// Alert notifications delivered and failed (after retries) per channel since start.
    public var alertNotifications: [String: (delivered: Int, failed: Int)]
    /// Whether the database answered at scrape time (what `/ready` checks).
    public var databaseReady: Bool = true
    /// Each feature flag (`[features]`) and whether it is on.
    public var features: [String: Bool] = [:]

    /// Creates readings.
    public init(
      droppedEvents: Int, databaseOperations: Int, evaluationCacheHits: Int, evaluationCacheMisses: Int,
      queue: [String: Int] = [:], workers: [String: Int] = [:], workerLoads: [WorkerLoad] = [],
      leaseExpiries: Int = 0, alertNotifications: [String: (delivered: Int, failed: Int)] = [:]
    ) {
      self.alertNotifications = alertNotifications
      self.droppedEvents = droppedEvents
      self.databaseOperations = databaseOperations
      self.evaluationCacheHits = evaluationCacheHits
      self.evaluationCacheMisses = evaluationCacheMisses
      self.queue = queue
      self.workers = workers
      self.workerLoads = workerLoads
      self.leaseExpiries = leaseExpiries
    }
  }

  static let requestBuckets: [Duration] = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120].map(
    Duration.seconds)
  static let apiBuckets: [Duration] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10,
  ]
  .map(Duration.seconds)
  static let benchmarkBuckets: [Duration] = [1, 5, 10, 30, 60, 300, 600, 1_800, 3_600, 14_400].map(
    Duration.seconds)
  static let evaluationBuckets: [Duration] = [0.0001, 0.001, 0.01, 0.1, 0.5, 1, 5, 30, 120].map(
    Duration.seconds)

  /// A collector with every unlabelled family registered (at zero).
  public init() {
    _ = counter(.benchmarks)
    _ = gauge(.activeBenchmarks)
    _ = gauge(.websocketConnections)
    _ = counter(.evaluationCacheHits)
    _ = counter(.evaluationCacheMisses)
    _ = counter(.eventbusDroppedEvents)
    _ = counter(.databaseOperations)
    _ = gauge(.processResidentMemoryBytes)
    _ = counter(.processCpuSeconds)
    _ = counter(.leaseExpiries)
    for state in Self.queueStates { _ = gauge(.queueTasks, ["state": state]) }
    for state in Self.workerStates { _ = gauge(.workers, ["state": state]) }
    for severity in AlertSeverity.allCases {
      _ = counter(.alerts, ["severity": severity.rawValue])
      _ = gauge(.alertsFiring, ["severity": severity.rawValue])
    }
  }

  // MARK: Feeding

  /// Records every event of `bus` until the returned task is cancelled.
  public func observe(_ bus: EventBus) async -> Task<Void, Never> {
    let events = await bus.subscribe(topics: nil, bufferSize: 65_536)
    return Task {
      for await event in events { self.record(event) }
    }
  }

  /// Records one run event.
  public func record(_ event: RunEvent) {
    switch event {
    case .benchmarkStarted(let id, _, _, _):
      counter(.benchmarks).increment()
      state.withLock { _ = $0.running.insert(id) }
      updateActive()
    case .benchmarkCompleted(let id, let status, _, _, let seconds):
      histogram(
        .benchmarkDuration,
        ["status": status.rawValue],
        Self.benchmarkBuckets
      ).record(.milliseconds(Int64(seconds * 1_000)))
      if status == .failed || status == .cancelled {
        counter(.benchmarkFailures, ["status": status.rawValue])
          .increment()
      }
      state.withLock { _ = $0.running.remove(id) }
      updateActive()
    case .testCompleted(let test):
      record(test)
    case .evaluationScored(let metric, let outcome, let score, let milliseconds, let cached, _, _, _):
      if let score {
        gauge(.evaluationScore, ["metric": metric]).set(
          score)
      }
      counter(.evaluations, ["metric": metric, "state": outcome])
        .increment()
      if !cached {
        histogram(
          .evaluationDuration, ["metric": metric],
          Self.evaluationBuckets
        ).record(.microseconds(Int64(milliseconds * 1_000)))
      }
    case .alert(let severity, _, let details):
      let labels = ["severity": severity.rawValue]
      if details["state"] == "resolved" {
        gauge(.alertsFiring, labels).decrement()
      } else {
        counter(.alerts, labels).increment()
        gauge(.alertsFiring, labels).increment()
      }
    case .benchmarkProgress, .gradingProgress, .metricUpdate, .healthUpdate:
      break
    }
  }

  private func record(_ test: TestCompletion) {
    let target = ["provider": test.provider, "model": test.model]
    counter(
      .tests,
      target.merging(["status": test.status.rawValue]) { $1 }
    )
    .increment()
    histogram(.testDuration, target, Self.requestBuckets)
      .record(.microseconds(Int64(test.durationMs * 1_000)))
    if test.status != .success {
      counter(
        .testFailures,
        target.merging(["code": test.errorCode ?? test.status.rawValue]) { $1 }
      ).increment()
    }
    guard !test.cacheHit, test.status != .skipped else { return }
    counter(.providerRequests, target).increment()
    if test.status != .success {
      counter(
        .providerErrors,
        target.merging(["code": test.errorCode ?? test.status.rawValue]) { $1 }
      ).increment()
    }
    if let ttft = test.timeToFirstTokenMs {
      histogram(
        .providerLatency,
        target.merging(["stage": "first_token"]) { $1 }, Self.requestBuckets
      ).record(.microseconds(Int64(ttft * 1_000)))
    }
    histogram(
      .providerLatency,
      target.merging(["stage": "total"]) { $1 }, Self.requestBuckets
    ).record(.microseconds(Int64(test.durationMs * 1_000)))
    counter(.providerTokens, target.merging(["direction": "input"]) { $1 })
      .increment(by: Int64(test.inputTokens))
    counter(.providerTokens, target.merging(["direction": "output"]) { $1 })
      .increment(by: Int64(test.outputTokens))
    counter(.providerCostUsd, target)
      .increment(by: test.costUsd)
  }

  /// Records one HTTP request: `route` is the matched route's template (`/api/v1/results/{id}`),
  /// never the raw path.
  public func recordRequest(method: String, route: String, status: Int, duration: Duration) {
    let key = RequestKey(method: method, route: route, status: status)
    let handles =
      requestHandles.withLock { $0[key] }
      ?? {
        let labels = ["method": method, "route": route]
        let made = RequestHandles(
          requests: counter(.apiRequests, labels.merging(["status": String(status)]) { $1 }),
          duration: histogram(.apiRequestDuration, labels, Self.apiBuckets))
        requestHandles.withLock { if $0.count < Self.keptRequestHandles { $0[key] = made } }
        return made
      }()
    handles.requests.increment()
    handles.duration.record(duration)
  }

  /// A request's metric handles, by method, route and status: looking them up in the registry
  /// (descriptor, sorted labels, the registry's lock) cost more than recording. Routes are the
  /// router's templates; past `keptRequestHandles` combinations (odd methods, say) handles are
  /// looked up every time, as before.
  private struct RequestKey: Hashable {
    let method: String
    let route: String
    let status: Int
  }

  private struct RequestHandles: Sendable {
    let requests: Counter
    let duration: DurationHistogram
  }

  private static let keptRequestHandles = 1_000
  private let requestHandles = Mutex<[RequestKey: RequestHandles]>([:])

  /// Records the error codes of one API response (GraphQL `extensions.code`, or the HTTP error).
  public func recordErrors(route: String, codes: [String]) {
    for code in codes {
      counter(.apiErrors, ["route": route, "code": code]).increment()
    }
  }

  /// A WebSocket connection opened (`+1`) or closed (`-1`).
  public func webSocketConnections(_ change: Int) {
    gauge(.websocketConnections).increment(by: Double(change))
  }

  // MARK: Exposition

  /// The text exposition, with the scrape-time readings and the process's memory and CPU.
  public func exposition(_ readings: Readings) -> String {
    pull(
      .evaluationCacheHits,
      readings.evaluationCacheHits)
    pull(
      .evaluationCacheMisses,
      readings.evaluationCacheMisses)
    pull(
      .eventbusDroppedEvents,
      readings.droppedEvents)
    pull(.databaseOperations, readings.databaseOperations)
    pull(.leaseExpiries, readings.leaseExpiries)
    for (channel, count) in readings.alertNotifications {
      pull(.alertNotifications, count.delivered, labels: ["channel": channel, "outcome": "delivered"])
      pull(.alertNotifications, count.failed, labels: ["channel": channel, "outcome": "failed"])
    }
    for state in Self.queueStates {
      gauge(.queueTasks, ["state": state]).set(Double(readings.queue[state] ?? 0))
    }
    for state in Self.workerStates {
      gauge(.workers, ["state": state]).set(Double(readings.workers[state] ?? 0))
    }
    recordWorkers(readings.workerLoads)
    gauge(.databaseReady).set(Double(readings.databaseReady ? 1 : 0))
    for (feature, on) in readings.features {
      gauge(.featureEnabled, ["feature": feature]).set(Double(on ? 1 : 0))
    }
    gauge(.processResidentMemoryBytes).set(
      ProcessHealth.residentBytes())
    let cpu = ProcessHealth.cpuSeconds()
    let delta = state.withLock { state in
      defer { state.cpuSeconds = max(state.cpuSeconds, cpu) }
      return max(0, cpu - state.cpuSeconds)
    }
    counter(.processCpuSeconds).increment(by: delta)
    return registry.emitToString()
  }

  /// The states of a queued task and of a worker, each always exposed (zero when none is in it).
  static let queueStates = ["queued", "leased", "done", "failed", "cancelled"]
  static let workerStates = ["active", "draining", "gone"]

  /// Sets each live worker's gauges; a worker that left loses its series (worker names are the
  /// one operator-chosen label: bounded by the pool, not by history).
  private func recordWorkers(_ loads: [WorkerLoad]) {
    let names = Set(loads.map(\.name))
    let departed = state.withLock { state in
      defer { state.workerNames = names }
      return state.workerNames.subtracting(names)
    }
    for name in departed {
      registry.unregisterGauge(gauge(.workerLeasedTasks, ["worker": name]))
      registry.unregisterGauge(gauge(.workerTasks, ["worker": name]))
    }
    for load in loads {
      gauge(.workerLeasedTasks, ["worker": load.name]).set(Double(load.leased))
      gauge(.workerTasks, ["worker": load.name]).set(Double(load.done))
    }
  }

  /// Advances a counter to a cumulative value read elsewhere (it never goes down).
  private func pull(_ family: Family, _ value: Int, labels: [String: String] = [:]) {
    let key = family.name + labels.sorted { $0.key < $1.key }.map { "|\($0.key)=\($0.value)" }.joined()
    let delta = state.withLock { state in
      let last = state.pulled[key] ?? 0
      state.pulled[key] = max(last, value)
      return max(0, value - last)
    }
    if delta > 0 { counter(family, labels).increment(by: Int64(delta)) }
  }

  private func updateActive() {
    let running = state.withLock { $0.running.count }
    gauge(.activeBenchmarks).set(Double(running))
  }

  // MARK: Families

  private func counter(_ family: Family, _ labels: [String: String] = [:]) -> Counter {
    let descriptor = MetricNameDescriptor(
      namespace: "ltb", metricName: family.name, unitName: "total", helpText: family.help)
    return labels.isEmpty
      ? registry.makeCounter(descriptor: descriptor)
      : registry.makeCounter(descriptor: descriptor, labels: Self.sorted(labels))
  }

  private func gauge(_ family: Family, _ labels: [String: String] = [:]) -> Gauge {
    let descriptor = MetricNameDescriptor(
      namespace: "ltb", metricName: family.name, unitName: "", helpText: family.help)
    return labels.isEmpty
      ? registry.makeGauge(descriptor: descriptor)
      : registry.makeGauge(descriptor: descriptor, labels: Self.sorted(labels))
  }

  private func histogram(_ family: Family, _ labels: [String: String], _ buckets: [Duration])
    -> DurationHistogram
  {
    let descriptor = MetricNameDescriptor(
      namespace: "ltb", metricName: family.name, unitName: "seconds", helpText: family.help)
    return registry.makeDurationHistogram(
      descriptor: descriptor, labels: Self.sorted(labels), buckets: buckets)
  }

  private static func sorted(_ labels: [String: String]) -> [(String, String)] {
    labels.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
  }
}

/// A metric family: its name (after `ltb_`, before the unit) and its help text, written once so
/// that every use registers the same help (the registry refuses two).
struct Family: Sendable {
  let name: String
  let help: String

  static let benchmarks = Family(name: "benchmarks", help: "Benchmark sessions started.")
  static let activeBenchmarks = Family(name: "active_benchmarks", help: "Benchmark sessions running now.")
  static let websocketConnections = Family(
    name: "websocket_connections", help: "Open GraphQL WebSocket connections.")
  static let evaluationCacheHits = Family(
    name: "evaluation_cache_hits", help: "Evaluation cache hits (memory, store or shared in flight).")
  static let evaluationCacheMisses = Family(
    name: "evaluation_cache_misses", help: "Evaluations computed because no cached verdict existed.")
  static let eventbusDroppedEvents = Family(
    name: "eventbus_dropped_events", help: "Events dropped because a subscriber's buffer was full.")
  static let databaseOperations = Family(name: "database_operations", help: "Database round trips.")
  static let databaseReady = Family(
    name: "database_ready", help: "1 when the database answered at scrape time (as /ready checks), else 0.")
  static let featureEnabled = Family(
    name: "feature_enabled", help: "1 when the feature ([features] in ltb.toml) is on, else 0.")
  static let processResidentMemoryBytes = Family(
    name: "process_resident_memory_bytes", help: "Resident memory of the server process.")
  static let processCpuSeconds = Family(
    name: "process_cpu_seconds", help: "CPU time (user and system) of the server process.")
  static let benchmarkDuration = Family(
    name: "benchmark_duration", help: "Wall time of a benchmark session, by how it ended.")
  static let benchmarkFailures = Family(
    name: "benchmark_failures", help: "Sessions that failed or were cancelled.")
  static let evaluationScore = Family(
    name: "evaluation_score", help: "The latest score of each metric, in [0, 1].")
  static let evaluations = Family(name: "evaluations", help: "Metric verdicts, by metric and state.")
  static let evaluationDuration = Family(
    name: "evaluation_duration", help: "Time to compute one metric's verdict.")
  static let tests = Family(name: "tests", help: "Finished requests, by target and status.")
  static let testDuration = Family(
    name: "test_duration", help: "Time from sending a request to its last byte.")
  static let testFailures = Family(
    name: "test_failures", help: "Requests that did not succeed, by error code.")
  static let providerRequests = Family(name: "provider_requests", help: "Requests sent to a provider.")
  static let providerErrors = Family(
    name: "provider_errors", help: "Provider requests that failed, by error code.")
  static let providerLatency = Family(
    name: "provider_latency", help: "Provider latency: to the first token, and in total.")
  static let providerCostUsd = Family(
    name: "provider_cost_usd", help: "What requests to a provider cost, in US dollars.")
  static let apiRequests = Family(name: "api_requests", help: "HTTP requests, by route and status.")
  static let apiRequestDuration = Family(
    name: "api_request_duration", help: "Time to answer an HTTP request.")
  static let apiErrors = Family(name: "api_errors", help: "API errors, by route and code.")
  static let queueTasks = Family(
    name: "queue_tasks", help: "Distributed tasks in the queue, by state (scale workers on queued).")
  static let workers = Family(name: "workers", help: "Registered workers of distributed runs, by state.")
  static let workerLeasedTasks = Family(name: "worker_leased_tasks", help: "Leases each live worker holds.")
  static let workerTasks = Family(
    name: "worker_tasks", help: "Results each live worker reported that were stored, since it registered.")
  static let leaseExpiries = Family(
    name: "lease_expiries",
    help: "Leases that lapsed because their worker went silent (tasks requeued or failed).")
  static let alerts = Family(name: "alerts", help: "Alerts fired, by severity.")
  static let alertsFiring = Family(name: "alerts_firing", help: "Alerts firing now, by severity.")
  static let alertNotifications = Family(
    name: "alert_notifications",
    help: "Alert notifications per channel: delivered, or failed after every retry.")
  static let providerTokens = Family(
    name: "provider_tokens", help: "Tokens exchanged with a provider, by direction.")
}
