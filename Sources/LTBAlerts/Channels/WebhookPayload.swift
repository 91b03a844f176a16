import Crypto
import Foundation
import LTBCore

/// The generic webhook's body and signature. The body is JSON (`version`, `status`, `alert`);
/// with a secret, `X-LTB-Signature: sha256=HEX` is the HMAC-SHA256 of `TIMESTAMP.BODY` under the
/// secret, and `X-LTB-Timestamp` carries TIMESTAMP (Unix seconds), so a receiver can check both
/// who sent it and that it is not a replay.
enum WebhookPayload {
  /// The JSON body for `alert`.
  static func body(_ alert: AlertFiring) -> String {
    var fields: [String: JSONValue] = [
      "id": .string(alert.id.uuidString.lowercased()), "rule": .string(alert.rule.name),
      "rule_id": .string(alert.rule.id.uuidString.lowercased()),
      "severity": .string(alert.rule.severity.rawValue),
      "message": .string(alert.message), "summary": .string(alert.rule.summary),
      "metric": .string(alert.rule.metric.rawValue), "started_at": .string(alert.startedAt.iso8601Text),
      "resolved_at": alert.resolvedAt.map { .string($0.iso8601Text) } ?? .null,
      "value": alert.value.isFinite ? .double(alert.value) : .null,
      "threshold": alert.threshold.isFinite ? .double(alert.threshold) : .null,
    ]
    if let session = alert.group.session {
      fields["session"] = .string(session.uuidString.lowercased())
      fields["provider"] = .string(alert.group.provider)
      fields["model"] = .string(alert.group.model)
    }
    return JSONValue.object([
      "version": .string("1"), "status": .string(alert.state), "alert": .object(fields),
    ]).serialized(sortedKeys: true)
  }

  /// `sha256=` and the hex HMAC-SHA256 of `TIMESTAMP.BODY` under `secret`.
  static func signature(body: String, timestamp: Int64, secret: String) -> String {
    let code = HMAC<SHA256>.authenticationCode(
      for: Data("\(timestamp).\(body)".utf8), using: SymmetricKey(data: Data(secret.utf8)))
    return "sha256=" + code.map { String(format: "%02x", $0) }.joined()
  }
}
