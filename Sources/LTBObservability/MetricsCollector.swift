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

    /// Creates readings.
    public init(
      droppedEvents: Int, databaseOperations: Int, evaluationCacheHits: Int, evaluationCacheMisses: Int
    ) {
      self.droppedEvents = droppedEvents
      self.databaseOperations = databaseOperations
      self.evaluationCacheHits = evaluationCacheHits
      self.evaluationCacheMisses = evaluationCacheMisses
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
    _ = counter("benchmarks", "Benchmark sessions started.")
    _ = gauge("active_benchmarks", "Benchmark sessions running now.")
    _ = gauge("websocket_connections", "Open GraphQL WebSocket connections.")
    _ = counter("evaluation_cache_hits", "Evaluation cache hits (memory, store or shared in flight).")
    _ = counter("evaluation_cache_misses", "Evaluations computed because no cached verdict existed.")
    _ = counter("eventbus_dropped_events", "Events dropped because a subscriber's buffer was full.")
    _ = counter("database_operations", "Database round trips.")
    _ = gauge("process_resident_memory_bytes", "Resident memory of the server process.")
    _ = counter("process_cpu_seconds", "CPU time (user and system) of the server process.")
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
      counter("benchmarks", "Benchmark sessions started.").increment()
      state.withLock { _ = $0.running.insert(id) }
      updateActive()
    case .benchmarkCompleted(let id, let status, _, _, let seconds):
      histogram(
        "benchmark_duration", "Wall time of a benchmark session, by how it ended.",
        ["status": status.rawValue],
        Self.benchmarkBuckets
      ).record(.milliseconds(Int64(seconds * 1_000)))
      if status == .failed || status == .cancelled {
        counter("benchmark_failures", "Sessions that failed or were cancelled.", ["status": status.rawValue])
          .increment()
      }
      state.withLock { _ = $0.running.remove(id) }
      updateActive()
    case .testCompleted(let test):
      record(test)
    case .evaluationScored(let metric, let outcome, let score, let milliseconds, let cached):
      if let score {
        gauge("evaluation_score", "The latest score of each metric, in [0, 1].", ["metric": metric]).set(
          score)
      }
      counter("evaluations", "Metric verdicts, by metric and state.", ["metric": metric, "state": outcome])
        .increment()
      if !cached {
        histogram(
          "evaluation_duration", "Time to compute one metric's verdict.", ["metric": metric],
          Self.evaluationBuckets
        ).record(.microseconds(Int64(milliseconds * 1_000)))
      }
    case .benchmarkProgress, .metricUpdate, .alert, .healthUpdate:
      break
    }
  }

  private func record(_ test: TestCompletion) {
    let target = ["provider": test.provider, "model": test.model]
    counter(
      "tests", "Finished requests, by target and status.",
      target.merging(["status": test.status.rawValue]) { $1 }
    )
    .increment()
    histogram("test_duration", "Time from sending a request to its last byte.", target, Self.requestBuckets)
      .record(.microseconds(Int64(test.durationMs * 1_000)))
    if test.status != .success {
      counter(
        "test_failures", "Requests that did not succeed, by error code.",
        target.merging(["code": test.errorCode ?? test.status.rawValue]) { $1 }
      ).increment()
    }
    guard !test.cacheHit, test.status != .skipped else { return }
    counter("provider_requests", "Requests sent to a provider.", target).increment()
    if test.status != .success {
      counter(
        "provider_errors", "Provider requests that failed, by error code.",
        target.merging(["code": test.errorCode ?? test.status.rawValue]) { $1 }
      ).increment()
    }
    if let ttft = test.timeToFirstTokenMs {
      histogram(
        "provider_latency", "Provider latency: to the first token, and in total.",
        target.merging(["stage": "first_token"]) { $1 }, Self.requestBuckets
      ).record(.microseconds(Int64(ttft * 1_000)))
    }
    histogram(
      "provider_latency", "Provider latency: to the first token, and in total.",
      target.merging(["stage": "total"]) { $1 }, Self.requestBuckets
    ).record(.microseconds(Int64(test.durationMs * 1_000)))
    let tokens = "Tokens exchanged with a provider, by direction."
    counter("provider_tokens", tokens, target.merging(["direction": "input"]) { $1 })
      .increment(by: Int64(test.inputTokens))
    counter("provider_tokens", tokens, target.merging(["direction": "output"]) { $1 })
      .increment(by: Int64(test.outputTokens))
    counter("provider_cost_usd", "What requests to a provider cost, in US dollars.", target)
      .increment(by: test.costUsd)
  }

  /// Records one HTTP request: `route` is the matched route's template (`/api/v1/results/{id}`),
  /// never the raw path.
  public func recordRequest(method: String, route: String, status: Int, duration: Duration) {
    let labels = ["method": method, "route": route]
    counter(
      "api_requests", "HTTP requests, by route and status.", labels.merging(["status": String(status)]) { $1 }
    )
    .increment()
    histogram("api_request_duration", "Time to answer an HTTP request.", labels, Self.apiBuckets).record(
      duration)
  }

  /// Records the error codes of one API response (GraphQL `extensions.code`, or the HTTP error).
  public func recordErrors(route: String, codes: [String]) {
    for code in codes {
      counter("api_errors", "API errors, by route and code.", ["route": route, "code": code]).increment()
    }
  }

  /// A WebSocket connection opened (`+1`) or closed (`-1`).
  public func webSocketConnections(_ change: Int) {
    gauge("websocket_connections", "Open GraphQL WebSocket connections.").increment(by: Double(change))
  }

  // MARK: Exposition

  /// The text exposition, with the scrape-time readings and the process's memory and CPU.
  public func exposition(_ readings: Readings) -> String {
    pull(
      "evaluation_cache_hits", "Evaluation cache hits (memory, store or shared in flight).",
      readings.evaluationCacheHits)
    pull(
      "evaluation_cache_misses", "Evaluations computed because no cached verdict existed.",
      readings.evaluationCacheMisses)
    pull(
      "eventbus_dropped_events", "Events dropped because a subscriber's buffer was full.",
      readings.droppedEvents)
    pull("database_operations", "Database round trips.", readings.databaseOperations)
    gauge("process_resident_memory_bytes", "Resident memory of the server process.").set(
      ProcessHealth.residentBytes())
    let cpu = ProcessHealth.cpuSeconds()
    let delta = state.withLock { state in
      defer { state.cpuSeconds = max(state.cpuSeconds, cpu) }
      return max(0, cpu - state.cpuSeconds)
    }
    counter("process_cpu_seconds", "CPU time (user and system) of the server process.").increment(by: delta)
    return registry.emitToString()
  }

  /// Advances a counter to a cumulative value read elsewhere (it never goes down).
  private func pull(_ name: String, _ help: String, _ value: Int) {
    let delta = state.withLock { state in
      let last = state.pulled[name] ?? 0
      state.pulled[name] = max(last, value)
      return max(0, value - last)
    }
    if delta > 0 { counter(name, help).increment(by: Int64(delta)) }
  }

  private func updateActive() {
    let running = state.withLock { $0.running.count }
    gauge("active_benchmarks", "Benchmark sessions running now.").set(Double(running))
  }

  // MARK: Families

  private func counter(_ name: String, _ help: String, _ labels: [String: String] = [:]) -> Counter {
    let descriptor = MetricNameDescriptor(
      namespace: "ltb", metricName: name, unitName: "total", helpText: help)
    return labels.isEmpty
      ? registry.makeCounter(descriptor: descriptor)
      : registry.makeCounter(descriptor: descriptor, labels: Self.sorted(labels))
  }

  private func gauge(_ name: String, _ help: String, _ labels: [String: String] = [:]) -> Gauge {
    let descriptor = MetricNameDescriptor(namespace: "ltb", metricName: name, unitName: "", helpText: help)
    return labels.isEmpty
      ? registry.makeGauge(descriptor: descriptor)
      : registry.makeGauge(descriptor: descriptor, labels: Self.sorted(labels))
  }

  private func histogram(_ name: String, _ help: String, _ labels: [String: String], _ buckets: [Duration])
    -> DurationHistogram
  {
    let descriptor = MetricNameDescriptor(
      namespace: "ltb", metricName: name, unitName: "seconds", helpText: help)
    return registry.makeDurationHistogram(
      descriptor: descriptor, labels: Self.sorted(labels), buckets: buckets)
  }

  private static func sorted(_ labels: [String: String]) -> [(String, String)] {
    labels.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
  }
}
