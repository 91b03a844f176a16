import Foundation
import LTBCore

/// A Slack incoming-webhook message in Block Kit: a header, the message, the figures as fields
/// and a context line, with `text` as the notification's fallback. Within Block Kit's limits: a
/// header's plain text at most 150 characters, a section's text 3,000, at most 10 fields of 2,000.
enum SlackPayload {
  /// The JSON body for `alert`.
  static func body(_ alert: AlertFiring) -> String {
    let state = alert.resolvedAt == nil ? "FIRING" : "RESOLVED"
    let title = "\(state) [\(alert.rule.severity.rawValue)] \(alert.rule.name)"
    var fields: [(String, String)] = [
      ("Severity", alert.rule.severity.rawValue),
      ("Value", AlertFiring.text(alert.value) + alert.rule.metric.unit),
      ("Threshold", AlertFiring.text(alert.threshold) + alert.rule.metric.unit),
    ]
    if let session = alert.group.session {
      fields += [
        ("Provider", alert.group.provider), ("Model", alert.group.model),
        ("Session", session.uuidString.lowercased()),
      ]
    }
    var context = "LLM Test Bench · \(alert.rule.summary) · since \(alert.startedAt.iso8601Text)"
    if let resolvedAt = alert.resolvedAt { context += " · resolved \(resolvedAt.iso8601Text)" }
    let blocks: [JSONValue] = [
      .object(["type": "header", "text": text(title, limit: 150, type: "plain_text")]),
      .object(["type": "section", "text": text(alert.message, limit: 3_000)]),
      .object([
        "type": "section",
        "fields": .array(fields.prefix(10).map { text("*\($0.0)*\n\($0.1)", limit: 2_000) }),
      ]),
      .object(["type": "context", "elements": .array([text(context, limit: 2_000)])]),
    ]
    return JSONValue.object(["text": .string("\(title): \(alert.message)"), "blocks": .array(blocks)])
      .serialized(sortedKeys: true)
  }

  private static func text(_ value: String, limit: Int, type: String = "mrkdwn") -> JSONValue {
    .object([
      "type": .string(type),
      "text": .string(value.count > limit ? String(value.prefix(limit - 1)) + "…" : value),
    ])
  }
}
