/// Where a notification of an alert goes: one attempt to deliver it, throwing when it did not
/// get through (the dispatcher retries).
public protocol AlertChannel: Sendable {
  /// The channel's name.
  var name: String { get }
  /// Delivers one notification (the alert firing, or resolved when `resolvedAt` is set).
  func deliver(_ alert: AlertFiring) async throws
}
