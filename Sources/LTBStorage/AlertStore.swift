public import Foundation
public import LTBCore

/// An alert as stored: what fired, about which run, its figure and bound, and its timeline.
public struct AlertRecord: Sendable, Hashable {
  /// The alert's id.
  public var id: UUID
  /// The rule that raised it.
  public var ruleID: UUID
  /// The rule's name when it fired.
  public var ruleName: String
  /// How serious it is.
  public var severity: AlertSeverity
  /// The message.
  public var message: String
  /// Everything else the rule engine said (metric, summary, state ...).
  public var details: [String: String]
  /// The session it is about (`nil` for the queue and worker rules).
  public var sessionID: UUID?
  /// The provider it is about.
  public var provider: String?
  /// The model it is about.
  public var model: String?
  /// The figure when it fired, or its last value before it resolved.
  public var value: Double?
  /// What the figure was compared with.
  public var threshold: Double?
  /// When it fired, microseconds since 1970.
  public var triggeredMicros: Int64
  /// When it resolved; `nil` while firing.
  public var resolvedMicros: Int64?
  /// When someone acknowledged it.
  public var acknowledgedMicros: Int64?
  /// Who acknowledged it.
  public var acknowledgedBy: UUID?

  /// Creates a record.
  public init(
    id: UUID, ruleID: UUID, ruleName: String, severity: AlertSeverity, message: String,
    details: [String: String] = [:], sessionID: UUID? = nil, provider: String? = nil, model: String? = nil,
    value: Double? = nil, threshold: Double? = nil, triggeredMicros: Int64, resolvedMicros: Int64? = nil,
    acknowledgedMicros: Int64? = nil, acknowledgedBy: UUID? = nil
  ) {
    self.id = id
    self.ruleID = ruleID
    self.ruleName = ruleName
    self.severity = severity
    self.message = message
    self.details = details
    self.sessionID = sessionID
    self.provider = provider
    self.model = model
    self.value = value
    self.threshold = threshold
    self.triggeredMicros = triggeredMicros
    self.resolvedMicros = resolvedMicros
    self.acknowledgedMicros = acknowledgedMicros
    self.acknowledgedBy = acknowledgedBy
  }

  /// `firing` or `resolved`.
  public var state: String { resolvedMicros == nil ? "firing" : "resolved" }
}

/// Which alerts to list.
public struct AlertQuery: Sendable, Hashable {
  /// Only firing ones (`true`), only resolved ones (`false`), or both.
  public var firing: Bool?
  /// Only those not acknowledged.
  public var unacknowledged: Bool
  /// Only one session's.
  public var sessionID: UUID?
  /// Only alerts of sessions this user owns (for a user who may not read everyone's); `nil` for
  /// every alert.
  public var owner: UUID?
  /// The most to return, newest first.
  public var limit: Int

  /// Creates a query (the newest 100).
  public init(
    firing: Bool? = nil, unacknowledged: Bool = false, sessionID: UUID? = nil, owner: UUID? = nil,
    limit: Int = 100
  ) {
    self.firing = firing
    self.unacknowledged = unacknowledged
    self.sessionID = sessionID
    self.owner = owner
    self.limit = limit
  }
}

/// One notification of one alert to one channel.
public struct AlertDelivery: Sendable, Hashable {
  /// The alert.
  public var alertID: UUID
  /// The channel's name.
  public var channel: String
  /// `firing` or `resolved`.
  public var event: String
  /// Whether it got through.
  public var delivered: Bool
  /// Attempts made.
  public var attempts: Int
  /// The last attempt's error, when it failed.
  public var lastError: String?
  /// When it was recorded, microseconds since 1970.
  public var updatedMicros: Int64

  /// Creates a delivery record.
  public init(
    alertID: UUID, channel: String, event: String, delivered: Bool, attempts: Int, lastError: String? = nil,
    updatedMicros: Int64
  ) {
    self.alertID = alertID
    self.channel = channel
    self.event = event
    self.delivered = delivered
    self.attempts = attempts
    self.lastError = lastError
    self.updatedMicros = updatedMicros
  }
}

/// Alerts, the API's alert rules and the notifications sent.
public protocol AlertStore: Sendable {
  /// Records an alert that fired.
  func insertAlert(_ alert: AlertRecord) async throws
  /// Marks an alert resolved at `micros` with its last value; whether it was firing.
  @discardableResult
  func resolveAlert(_ id: UUID, atMicros micros: Int64, value: Double?) async throws -> Bool
  /// Marks an alert acknowledged by `user`; the alert, or `nil` when there is none with `id`.
  func acknowledgeAlert(_ id: UUID, by user: UUID?, atMicros micros: Int64) async throws -> AlertRecord?
  /// The alert with `id`.
  func alert(_ id: UUID) async throws -> AlertRecord?
  /// Alerts, newest first.
  func alerts(_ query: AlertQuery) async throws -> [AlertRecord]
  /// Records a notification's outcome (replacing an earlier one for the same alert, channel and event).
  func recordDelivery(_ delivery: AlertDelivery) async throws
  /// The notifications of an alert.
  func deliveries(alert: UUID) async throws -> [AlertDelivery]
  /// Saves an API-defined rule (created or replaced by id); refuses a name another rule has.
  func saveAlertRule(_ rule: AlertRule, by user: UUID?) async throws
  /// The API-defined rules, by name.
  func alertRules() async throws -> [AlertRule]
  /// Deletes an API-defined rule; whether it existed.
  func deleteAlertRule(_ id: UUID) async throws -> Bool
}
