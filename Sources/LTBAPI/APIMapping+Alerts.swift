import Foundation
import LTBAlerts
import LTBCore
import LTBStorage

extension APIMapping {
  /// A stored alert as the API shows it.
  static func alert(_ record: AlertRecord) -> Alert {
    func date(_ micros: Int64?) -> Date? {
      micros.map { Date(timeIntervalSince1970: Double($0) / 1_000_000) }
    }
    return Alert(
      id: record.id, rule: record.ruleName, state: record.resolvedMicros == nil ? .firing : .resolved,
      severity: record.severity.rawValue, message: record.message,
      details: .object(record.details.mapValues(JSONValue.string)), sessionId: record.sessionID,
      provider: record.provider, model: record.model, value: record.value, threshold: record.threshold,
      triggeredAt: date(record.triggeredMicros), resolvedAt: date(record.resolvedMicros),
      acknowledgedAt: date(record.acknowledgedMicros), acknowledgedBy: record.acknowledgedBy)
  }

  /// An alert event of the bus as the subscription shows it (a rule's carries its figures in
  /// its details; a reported failure has none).
  static func alert(severity: LTBCore.AlertSeverity, message: String, details: [String: String]) -> Alert {
    let resolved = details["state"] == "resolved"
    return Alert(
      id: details["alert_id"].flatMap(UUID.init(uuidString:)), rule: details["rule"],
      state: resolved ? .resolved : .firing, severity: severity.rawValue, message: message,
      details: .object(details.mapValues(JSONValue.string)),
      sessionId: details["session"].flatMap(UUID.init(uuidString:)), provider: details["provider"],
      model: details["model"], value: details["value"].flatMap(Double.init),
      threshold: details["threshold"].flatMap(Double.init),
      triggeredAt: resolved ? nil : Date(), resolvedAt: resolved ? Date() : nil)
  }

  /// A rule as the API shows it.
  static func alertRule(_ entry: AlertService.Entry) -> AlertRule {
    let rule = entry.rule
    var windowRequests: Int?
    var windowSeconds: Double?
    switch rule.window {
    case .requests(let count): windowRequests = count
    case .seconds(let seconds): windowSeconds = seconds
    }
    return AlertRule(
      id: rule.id, name: rule.name,
      source: AlertRuleSource(rawValue: entry.source.rawValue.uppercased()) ?? .api,
      metric: AlertMetric(rawValue: rule.metric.rawValue.uppercased()) ?? .ttft,
      statistic: AlertStatistic(rawValue: rule.statistic.rawValue.uppercased()) ?? .p99, score: rule.score,
      condition: AlertCondition(rawValue: rule.condition.rawValue.uppercased()) ?? .above,
      threshold: rule.threshold,
      baselineSession: rule.baselineSession, windowRequests: windowRequests, windowSeconds: windowSeconds,
      minSamples: rule.minSamples, forSeconds: rule.forSeconds,
      severity: AlertSeverity(rawValue: rule.severity.rawValue.uppercased()) ?? .warning,
      cooldownSeconds: rule.cooldownSeconds, sessionId: rule.labels.session, provider: rule.labels.provider,
      model: rule.labels.model, channels: rule.channels, message: rule.message, enabled: rule.enabled,
      summary: rule.summary)
  }

  /// The rule an input describes, with `id`; a window given both ways is refused.
  static func rule(_ input: AlertRuleInput, id: UUID) throws -> LTBCore.AlertRule {
    if input.windowRequests != nil, input.windowSeconds != nil {
      throw LTBError(
        .invalidInput, "an alert rule's window is either windowRequests or windowSeconds, not both",
        fix: "set one of them")
    }
    if let seconds = input.forSeconds, !(0...86_400).contains(seconds) {
      throw LTBError(.invalidInput, "forSeconds \(seconds) is out of range", fix: "use 0 to 86400 seconds")
    }
    if let seconds = input.cooldownSeconds, !(0...604_800).contains(seconds) {
      throw LTBError(
        .invalidInput, "cooldownSeconds \(seconds) is out of range", fix: "use 0 to 604800 seconds")
    }
    let window: AlertWindow =
      input.windowSeconds.map(AlertWindow.seconds) ?? .requests(input.windowRequests ?? 100)
    return LTBCore.AlertRule(
      id: id, name: input.name,
      metric: LTBCore.AlertMetric(rawValue: input.metric.rawValue.lowercased()) ?? .ttft,
      statistic: input.statistic.flatMap { LTBCore.AlertStatistic(rawValue: $0.rawValue.lowercased()) }
        ?? .p99,
      score: input.score,
      condition: input.condition.flatMap { LTBCore.AlertCondition(rawValue: $0.rawValue.lowercased()) }
        ?? .above,
      threshold: input.threshold, baselineSession: input.baselineSession, window: window,
      minSamples: input.minSamples ?? 10, forSeconds: input.forSeconds ?? 0,
      severity: input.severity.flatMap { LTBCore.AlertSeverity(rawValue: $0.rawValue.lowercased()) }
        ?? .warning,
      cooldownSeconds: input.cooldownSeconds ?? 300,
      labels: AlertLabels(session: input.sessionId, provider: input.provider, model: input.model),
      channels: input.channels ?? [], message: input.message ?? "", enabled: input.enabled ?? true)
  }
}
