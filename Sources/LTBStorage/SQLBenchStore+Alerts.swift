public import Foundation
public import LTBCore
import SQLKit

/// Alerts, API-defined alert rules and notification outcomes (migration 0008).
extension SQLBenchStore {
  /// Records an alert that fired.
  public func insertAlert(_ alert: AlertRecord) async throws {
    let details = String(decoding: try Self.encoder.encode(alert.details), as: UTF8.self)
    try await connections.write { database in
      try await database.raw(
        """
        INSERT INTO alerts (id, rule_id, rule_name, severity, message, details, session_id, provider, model,
          value, threshold, triggered_us, resolved_us)
        VALUES (\(bind: alert.id), \(bind: alert.ruleID), \(bind: alert.ruleName), \(bind: alert.severity.rawValue),
          \(bind: alert.message), \(self.json(details)), \(bind: alert.sessionID), \(bind: alert.provider),
          \(bind: alert.model), \(bind: Self.finite(alert.value)), \(bind: Self.finite(alert.threshold)),
          \(bind: alert.triggeredMicros), \(bind: alert.resolvedMicros))
        """
      ).run()
    }
  }

  /// Marks an alert resolved; whether it was firing.
  @discardableResult
  public func resolveAlert(_ id: UUID, atMicros micros: Int64, value: Double?) async throws -> Bool {
    try await connections.write { database in
      try await !database.raw(
        """
        UPDATE alerts SET resolved_us = \(bind: micros), value = COALESCE(\(bind: Self.finite(value)), value)
        WHERE id = \(bind: id) AND resolved_us IS NULL RETURNING id
        """
      ).all().isEmpty
    }
  }

  /// Marks an alert acknowledged (the first acknowledgement stands).
  public func acknowledgeAlert(_ id: UUID, by user: UUID?, atMicros micros: Int64) async throws
    -> AlertRecord?
  {
    try await connections.write { database in
      try await database.raw(
        """
        UPDATE alerts SET acknowledged_us = \(bind: micros), acknowledged_by = \(bind: user)
        WHERE id = \(bind: id) AND acknowledged_us IS NULL
        """
      ).run()
    }
    return try await alert(id)
  }

  /// The alert with `id`.
  public func alert(_ id: UUID) async throws -> AlertRecord? {
    try await alerts(where: "WHERE id = \(bind: id)", limit: 1).first
  }

  /// Alerts, newest first.
  public func alerts(_ query: AlertQuery) async throws -> [AlertRecord] {
    var conditions: [SQLQueryString] = []
    if let firing = query.firing {
      conditions.append(firing ? "resolved_us IS NULL" : "resolved_us IS NOT NULL")
    }
    if query.unacknowledged { conditions.append("acknowledged_us IS NULL") }
    if let session = query.sessionID { conditions.append("session_id = \(bind: session)") }
    if let owner = query.owner {
      conditions.append("session_id IN (SELECT id FROM sessions WHERE user_id = \(bind: owner))")
    }
    let clause: SQLQueryString =
      conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
    return try await alerts(where: clause, limit: max(1, min(query.limit, 10_000)))
  }

  /// Records a notification's outcome.
  public func recordDelivery(_ delivery: AlertDelivery) async throws {
    try await connections.write { database in
      try await database.raw(
        """
        INSERT INTO alert_deliveries (alert_id, channel, event, status, attempts, last_error, updated_us)
        VALUES (\(bind: delivery.alertID), \(bind: delivery.channel), \(bind: delivery.event),
          \(bind: delivery.delivered ? "delivered" : "failed"), \(bind: delivery.attempts), \(bind: delivery.lastError),
          \(bind: delivery.updatedMicros))
        ON CONFLICT (alert_id, channel, event) DO UPDATE SET status = excluded.status,
          attempts = excluded.attempts, last_error = excluded.last_error, updated_us = excluded.updated_us
        """
      ).run()
    }
  }

  /// The notifications of an alert, by channel.
  public func deliveries(alert: UUID) async throws -> [AlertDelivery] {
    try await connections.read { database in
      try await database.raw(
        """
        SELECT alert_id, channel, event, status, attempts, last_error, updated_us FROM alert_deliveries
        WHERE alert_id = \(bind: alert) ORDER BY channel, event
        """
      ).all().map { row in
        AlertDelivery(
          alertID: try row.decode(column: "alert_id", as: UUID.self),
          channel: try row.decode(column: "channel", as: String.self),
          event: try row.decode(column: "event", as: String.self),
          delivered: try row.decode(column: "status", as: String.self) == "delivered",
          attempts: try row.decode(column: "attempts", as: Int.self),
          lastError: try row.decode(column: "last_error", as: String?.self),
          updatedMicros: try row.decode(column: "updated_us", as: Int64.self))
      }
    }
  }

  /// Saves an API-defined rule; refuses a name another rule has.
  public func saveAlertRule(_ rule: AlertRule, by user: UUID?) async throws {
    let definition = String(decoding: try Self.encoder.encode(rule), as: UTF8.self)
    let now = StoredTime.microseconds(Date())
    try await connections.write { database in
      let taken = try await database.raw(
        "SELECT id FROM alert_rules WHERE name = \(bind: rule.name) AND id <> \(bind: rule.id)"
      ).all()
      guard taken.isEmpty else {
        throw LTBError(
          .invalidInput, "an alert rule named '\(rule.name)' already exists",
          fix: "choose another name, or update that rule")
      }
      try await database.raw(
        """
        INSERT INTO alert_rules (id, name, definition, created_by, created_us, updated_us)
        VALUES (\(bind: rule.id), \(bind: rule.name), \(self.json(definition)), \(bind: user), \(bind: now), \(bind: now))
        ON CONFLICT (id) DO UPDATE SET name = excluded.name, definition = excluded.definition,
          updated_us = excluded.updated_us
        """
      ).run()
    }
  }

  /// The API-defined rules, by name.
  public func alertRules() async throws -> [AlertRule] {
    let definition: SQLQueryString =
      connections.dialect == .postgres ? "definition::text AS definition" : "definition"
    return try await connections.read { database in
      try await database.raw("SELECT \(definition) FROM alert_rules ORDER BY name").all().map { row in
        try JSONDecoder().decode(
          AlertRule.self, from: Data(try row.decode(column: "definition", as: String.self).utf8))
      }
    }
  }

  /// Deletes an API-defined rule; whether it existed.
  public func deleteAlertRule(_ id: UUID) async throws -> Bool {
    try await connections.write { database in
      try await !database.raw("DELETE FROM alert_rules WHERE id = \(bind: id) RETURNING id").all().isEmpty
    }
  }

  static var encoder: JSONEncoder {
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys
    return encoder
  }

  private func json(_ text: String) -> SQLQueryString {
    connections.dialect == .postgres ? "\(bind: text)::jsonb" : "\(bind: text)"
  }

  /// A figure the databases can store (NaN and infinities become NULL).
  private static func finite(_ value: Double?) -> Double? { value.flatMap { $0.isFinite ? $0 : nil } }

  private func alerts(where condition: SQLQueryString, limit: Int) async throws -> [AlertRecord] {
    let details: SQLQueryString = connections.dialect == .postgres ? "details::text AS details" : "details"
    return try await connections.read { database in
      try await database.raw(
        """
        SELECT id, rule_id, rule_name, severity, message, \(details), session_id, provider, model, value,
          threshold, triggered_us, resolved_us, acknowledged_us, acknowledged_by
        FROM alerts \(condition) ORDER BY triggered_us DESC, id LIMIT \(unsafeRaw: String(limit))
        """
      ).all().map { row in
        let details = try row.decode(column: "details", as: String.self)
        return AlertRecord(
          id: try row.decode(column: "id", as: UUID.self),
          ruleID: try row.decode(column: "rule_id", as: UUID.self),
          ruleName: try row.decode(column: "rule_name", as: String.self),
          severity: AlertSeverity(rawValue: try row.decode(column: "severity", as: String.self)) ?? .warning,
          message: try row.decode(column: "message", as: String.self),
          details: (try? JSONDecoder().decode([String: String].self, from: Data(details.utf8))) ?? [:],
          sessionID: try row.decode(column: "session_id", as: UUID?.self),
          provider: try row.decode(column: "provider", as: String?.self),
          model: try row.decode(column: "model", as: String?.self),
          value: try row.decode(column: "value", as: Double?.self),
          threshold: try row.decode(column: "threshold", as: Double?.self),
          triggeredMicros: try row.decode(column: "triggered_us", as: Int64.self),
          resolvedMicros: try row.decode(column: "resolved_us", as: Int64?.self),
          acknowledgedMicros: try row.decode(column: "acknowledged_us", as: Int64?.self),
          acknowledgedBy: try row.decode(column: "acknowledged_by", as: UUID?.self))
      }
    }
  }
}
