public import Foundation
public import LTBCore

/// An alert: a rule whose condition held for a group, from when it fired until it resolved.
public struct AlertFiring: Sendable, Hashable {
  /// The alert's id (the row in the `alerts` table).
  public var id: UUID
  /// The rule.
  public var rule: AlertRule
  /// Whose requests.
  public var group: AlertGroup
  /// The figure when it fired, then its latest value.
  public var value: Double
  /// What the figure was compared with.
  public var threshold: Double
  /// When it fired.
  public var startedAt: Date
  /// When it resolved; `nil` while firing.
  public var resolvedAt: Date?
  /// Why it resolved, when not because its condition stopped holding.
  public var note: String?

  /// An alert firing now.
  public init(
    id: UUID = UUID(), rule: AlertRule, group: AlertGroup, value: Double, threshold: Double, startedAt: Date,
    resolvedAt: Date? = nil
  ) {
    self.id = id
    self.rule = rule
    self.group = group
    self.value = value
    self.threshold = threshold
    self.startedAt = startedAt
    self.resolvedAt = resolvedAt
  }

  /// `firing` or `resolved`.
  public var state: String { resolvedAt == nil ? "firing" : "resolved" }

  /// The message: the rule's template filled in, or a sentence naming the figure and the bound.
  public var message: String {
    let value = Self.text(self.value)
    let threshold = Self.text(self.threshold)
    let template =
      rule.message.isEmpty
      ? "{rule}: {metric} is {value}{unit} (\(rule.condition == .below || rule.condition == .decrease ? "below" : "above") {threshold}{unit})"
        + (group.session == nil ? "" : " for {provider}/{model} in session {session}")
      : rule.message
    var metric = rule.metric.rawValue
    if rule.metric.takesStatistic { metric += " \(rule.statistic.rawValue)" }
    if let score = rule.score { metric += " of \(score)" }
    let filled =
      template
      .replacingOccurrences(of: "{rule}", with: rule.name)
      .replacingOccurrences(of: "{metric}", with: metric)
      .replacingOccurrences(of: "{value}", with: value)
      .replacingOccurrences(of: "{threshold}", with: threshold)
      .replacingOccurrences(of: "{unit}", with: rule.metric.unit)
      .replacingOccurrences(of: "{provider}", with: group.provider)
      .replacingOccurrences(of: "{model}", with: group.model)
      .replacingOccurrences(of: "{session}", with: group.session?.uuidString.lowercased() ?? "")
    guard resolvedAt != nil, let note else { return filled }
    return filled + " (resolved: \(note))"
  }

  /// The details published with the event and stored with the alert.
  public var details: [String: String] {
    var details = [
      "alert_id": id.uuidString.lowercased(), "rule": rule.name, "rule_id": rule.id.uuidString.lowercased(),
      "state": state, "metric": rule.metric.rawValue, "value": Self.text(value),
      "threshold": Self.text(threshold), "summary": rule.summary,
    ]
    if let note { details["note"] = note }
    if let session = group.session {
      details["session"] = session.uuidString.lowercased()
      details["provider"] = group.provider
      details["model"] = group.model
    }
    return details
  }

  /// A figure for people: at most three decimals.
  static func text(_ value: Double) -> String {
    guard value.isFinite else { return "n/a" }
    let rounded = (value * 1_000).rounded() / 1_000
    return NumberText.decimal(rounded, integralFraction: false)
  }
}
