public import LTBEngine
public import ServiceLifecycle

/// Runs beside the HTTP server: aggregates the bus's run events into the live figures the
/// `liveStats` subscription serves, until the service group shuts down.
public struct LiveStatisticsFeed: Service {
  let hub: LiveStatisticsHub
  let bus: EventBus

  /// A feed from `bus` into `hub`.
  public init(hub: LiveStatisticsHub, bus: EventBus) {
    self.hub = hub
    self.bus = bus
  }

  /// Aggregates until shutdown.
  public func run() async throws {
    let feed = Task { await hub.run(bus: bus) }
    try? await gracefulShutdown()
    feed.cancel()
  }
}
