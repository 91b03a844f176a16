import Foundation
import LTBCore

/// The body of `POST /api/v2/alerts` (Alertmanager's `postableAlerts`): one alert with its
/// labels (which identify it: the same labels update the same alert), annotations, and times.
/// A resolved alert is sent again with `endsAt`; a firing one without, so that Alertmanager keeps
/// it until its `resolve_timeout` unless it is sent again (the dispatcher re-sends firing alerts
/// every minute).
enum AlertmanagerPayload {
  /// The labels Alertmanager groups, routes and silences by.
  static func labels(_ alert: AlertFiring) -> [String: String] {
    var labels = [
      "alertname": alert.rule.name, "severity": alert.rule.severity.rawValue, "service": "ltb",
      "metric": alert.rule.metric.rawValue,
    ]
    if let session = alert.group.session {
      labels["session"] = session.uuidString.lowercased()
      labels["provider"] = alert.group.provider
      labels["model"] = alert.group.model
    }
    return labels
  }

  /// The JSON body for `alert`.
  static func body(_ alert: AlertFiring, generatorURL: String) -> String {
    var entry: [String: JSONValue] = [
      "labels": .object(labels(alert).mapValues(JSONValue.string)),
      "annotations": .object([
        "summary": .string(alert.message), "description": .string(alert.rule.summary),
        "value": .string(AlertFiring.text(alert.value)),
        "threshold": .string(AlertFiring.text(alert.threshold)),
        "alert_id": .string(alert.id.uuidString.lowercased()),
      ]),
      "startsAt": .string(alert.startedAt.iso8601Text),
    ]
    if let resolvedAt = alert.resolvedAt { entry["endsAt"] = .string(resolvedAt.iso8601Text) }
    if !generatorURL.isEmpty { entry["generatorURL"] = .string(generatorURL) }
    return JSONValue.array([.object(entry)]).serialized(sortedKeys: true)
  }
}
