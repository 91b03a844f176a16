public import LTBEngine
public import LTBObservability
public import ServiceLifecycle

/// Runs beside the HTTP server: feeds every event of the bus to the metrics collector until
/// the service group shuts down.
public struct MetricsFeed: Service {
  let metrics: MetricsCollector
  let bus: EventBus

  /// A feed from `bus` into `metrics`.
  public init(metrics: MetricsCollector, bus: EventBus) {
    self.metrics = metrics
    self.bus = bus
  }

  /// Records events until shutdown.
  public func run() async throws {
    let feed = await metrics.observe(bus)
    try? await gracefulShutdown()
    feed.cancel()
  }
}
