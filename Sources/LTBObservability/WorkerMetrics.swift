public import LTBEngine
import Prometheus
import Synchronization

/// The Prometheus metrics of one `ltb worker` (its `/metrics`, with `--health-port`): what it is
/// sending, what it holds, what it finished, how fresh its link to the coordinator is, and its
/// process's memory and CPU. The coordinator's view of every worker is on the gateway's
/// `/metrics` (`ltb_workers`, `ltb_worker_leased_tasks`); this is the worker's own.
public final class WorkerMetrics: Sendable {
  private let registry = PrometheusCollectorRegistry()
  private let state = Mutex((completed: 0, cpuSeconds: 0.0))

  /// One scrape's readings.
  public struct Reading: Sendable {
    /// Tasks being sent now.
    public var running: Int
    /// Leases held and not started yet.
    public var waiting: Int
    /// Tasks finished since start.
    public var completed: Int
    /// The most tasks sent at once.
    public var capacity: Int
    /// Seconds since the coordinator last answered a heartbeat (nil before the first).
    public var heartbeatAge: Double?
    /// Whether it is draining.
    public var draining: Bool

    /// Creates a reading.
    public init(
      running: Int, waiting: Int, completed: Int, capacity: Int, heartbeatAge: Double?, draining: Bool
    ) {
      self.running = running
      self.waiting = waiting
      self.completed = completed
      self.capacity = capacity
      self.heartbeatAge = heartbeatAge
      self.draining = draining
    }
  }

  /// Metrics with every family registered.
  public init() {
    _ = counter("worker_completed_tasks", "Tasks this worker finished and reported since it started.")
  }

  /// The text exposition of `reading`.
  public func exposition(_ reading: Reading) -> String {
    gauge("worker_running_tasks", "Tasks this worker is sending now.").set(Double(reading.running))
    gauge("worker_waiting_leases", "Leases this worker holds that have not started.").set(
      Double(reading.waiting))
    gauge("worker_capacity", "The most tasks this worker sends at once (--max-concurrency).").set(
      Double(reading.capacity))
    gauge("worker_draining", "1 while the worker drains (takes nothing more).").set(
      reading.draining ? 1.0 : 0.0)
    // Before the first answered heartbeat the age is unknown: -1, which no alert reads as fresh.
    gauge(
      "worker_heartbeat_age_seconds", "Seconds since the coordinator last answered this worker's heartbeat."
    )
    .set(reading.heartbeatAge ?? -1)
    let cpu = ProcessHealth.cpuSeconds()
    let (completedDelta, cpuDelta) = state.withLock { state in
      defer { state = (max(state.completed, reading.completed), max(state.cpuSeconds, cpu)) }
      return (max(0, reading.completed - state.completed), max(0, cpu - state.cpuSeconds))
    }
    counter("worker_completed_tasks", "Tasks this worker finished and reported since it started.")
      .increment(by: Int64(completedDelta))
    gauge("process_resident_memory_bytes", "Resident memory of the worker process.").set(
      ProcessHealth.residentBytes())
    counter("process_cpu_seconds", "CPU time (user and system) of the worker process.")
      .increment(by: cpuDelta)
    return registry.emitToString()
  }

  private func gauge(_ name: String, _ help: String) -> Gauge {
    registry.makeGauge(
      descriptor: MetricNameDescriptor(namespace: "ltb", metricName: name, unitName: "", helpText: help))
  }

  private func counter(_ name: String, _ help: String) -> Counter {
    registry.makeCounter(
      descriptor: MetricNameDescriptor(namespace: "ltb", metricName: name, unitName: "total", helpText: help))
  }
}
