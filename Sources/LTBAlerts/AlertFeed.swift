public import ServiceLifecycle

/// Runs an ``AlertService`` beside the gateway until the service group shuts down.
public struct AlertFeed: Service {
  let alerts: AlertService

  /// A feed for `alerts`.
  public init(alerts: AlertService) { self.alerts = alerts }

  /// Judges the rules until graceful shutdown, then lets notifications under way finish.
  public func run() async throws {
    let task = await alerts.start()
    try? await gracefulShutdown()
    task.cancel()
    await task.value
  }
}
