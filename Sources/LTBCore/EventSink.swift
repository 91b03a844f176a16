/// Where run events go: the engine's `EventBus`, or anything else that accepts them. Modules
/// below the engine (evaluation) publish through this.
public protocol EventSink: Sendable {
  /// Publishes one event.
  func publish(_ event: RunEvent) async
}
