import Foundation
import LTBCore

/// An alert as an RFC 5322 plain-text e-mail: subject `[LTB] FIRING critical: RULE`, the
/// message and the figures in the body, lines ending in CRLF.
enum EmailMessage {
  /// The subject line.
  static func subject(_ alert: AlertFiring) -> String {
    "[LTB] \(alert.resolvedAt == nil ? "FIRING" : "RESOLVED") \(alert.rule.severity.rawValue): \(alert.rule.name)"
  }

  /// The whole message: headers, a blank line, the body.
  static func text(_ alert: AlertFiring, from: String, to: [String], date: Date = Date()) -> String {
    var body = [
      alert.message, "",
      "Rule:      \(alert.rule.name) (\(alert.rule.summary))",
      "Severity:  \(alert.rule.severity.rawValue)",
      "Value:     \(AlertFiring.text(alert.value))\(alert.rule.metric.unit)",
      "Threshold: \(AlertFiring.text(alert.threshold))\(alert.rule.metric.unit)",
      "Since:     \(alert.startedAt.iso8601Text)",
    ]
    if let resolvedAt = alert.resolvedAt { body.append("Resolved:  \(resolvedAt.iso8601Text)") }
    if let session = alert.group.session {
      body += [
        "Provider:  \(alert.group.provider)", "Model:     \(alert.group.model)",
        "Session:   \(session.uuidString.lowercased())",
      ]
    }
    body += ["", "Alert \(alert.id.uuidString.lowercased()), sent by LLM Test Bench."]
    let domain = from.split(separator: "@").last.map(String.init) ?? "ltb.local"
    let headers = [
      "From: \(from)", "To: \(to.joined(separator: ", "))", "Subject: \(headerSafe(subject(alert)))",
      "Date: \(rfc5322(date))", "Message-ID: <\(alert.id.uuidString.lowercased()).\(alert.state)@\(domain)>",
      "MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit",
    ]
    return (headers + [""] + body.map(headerSafe)).joined(separator: "\r\n") + "\r\n"
  }

  /// A header or body line without bare CR or LF (a rule name cannot inject headers).
  static func headerSafe(_ line: String) -> String {
    line.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
  }

  /// A date as RFC 5322 writes it, in UTC: `Sat, 05 Dec 2026 06:30:00 +0000`.
  static func rfc5322(_ date: Date) -> String {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "UTC")
    formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
    return formatter.string(from: date)
  }
}
