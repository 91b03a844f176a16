import Foundation
import LTBCore
import Testing

@testable import LTBStorage

/// Alerts, API rules and notification outcomes on SQLite and a real PostgreSQL.
@Suite("Alert store")
struct AlertStoreTests {
  @Test(
    "an alert fires, resolves once, is acknowledged once, and lists by state and session",
    arguments: TaskQueueTests.dialects)
  func alertLifecycle(dialect: SQLDialectKind) async throws {
    try await TestDatabase.withStore(dialect) { store in
      let (session, other) = (UUID(), UUID())
      let rule = AlertRule(name: "slow", metric: .ttft, threshold: 500)
      let firing = AlertRecord(
        id: UUID(), ruleID: rule.id, ruleName: rule.name, severity: .critical, message: "ttft p99 is 900 ms",
        details: ["metric": "ttft", "state": "firing"], sessionID: session, provider: "p", model: "m",
        value: 900,
        threshold: 500, triggeredMicros: 1_000)
      try await store.insertAlert(firing)
      try await store.insertAlert(
        AlertRecord(
          id: UUID(), ruleID: rule.id, ruleName: rule.name, severity: .info, message: "other",
          sessionID: other,
          value: .nan, triggeredMicros: 2_000))
      #expect(try await store.alerts(AlertQuery(firing: true)).map(\.triggeredMicros) == [2_000, 1_000])
      #expect(try await store.alert(firing.id) == firing)
      #expect(try await store.resolveAlert(firing.id, atMicros: 5_000, value: 420))
      #expect(try await !store.resolveAlert(firing.id, atMicros: 6_000, value: 1))
      let resolved = try #require(try await store.alert(firing.id))
      #expect(resolved.resolvedMicros == 5_000 && resolved.value == 420 && resolved.state == "resolved")
      #expect(try await store.alerts(AlertQuery(firing: false)).map(\.id) == [firing.id])
      #expect(try await store.alerts(AlertQuery(sessionID: other)).first?.value == nil)  // NaN stored as NULL
      #expect(try await store.alerts(AlertQuery(owner: UUID())).isEmpty)

      let acknowledged = try await store.acknowledgeAlert(firing.id, by: nil, atMicros: 7_000)
      #expect(acknowledged?.acknowledgedMicros == 7_000)
      _ = try await store.acknowledgeAlert(firing.id, by: nil, atMicros: 8_000)
      #expect(try await store.alert(firing.id)?.acknowledgedMicros == 7_000)
      #expect(try await store.alerts(AlertQuery(unacknowledged: true)).map(\.sessionID) == [other])
      #expect(try await store.acknowledgeAlert(UUID(), by: nil, atMicros: 1) == nil)

      try await store.recordDelivery(
        AlertDelivery(
          alertID: firing.id, channel: "hook", event: "firing", delivered: false, attempts: 1,
          lastError: "503",
          updatedMicros: 1))
      try await store.recordDelivery(
        AlertDelivery(
          alertID: firing.id, channel: "hook", event: "firing", delivered: true, attempts: 2, updatedMicros: 2
        ))
      let deliveries = try await store.deliveries(alert: firing.id)
      #expect(deliveries.count == 1 && deliveries[0].delivered && deliveries[0].attempts == 2)
      #expect(deliveries[0].lastError == nil)
    }
  }

  @Test(
    "API rules are saved, replaced by id, refused under a taken name, and deleted",
    arguments: TaskQueueTests.dialects)
  func rules(dialect: SQLDialectKind) async throws {
    try await TestDatabase.withStore(dialect) { store in
      var rule = AlertRule(
        id: UUID(), name: "errors", metric: .errorRate, threshold: 0.05, window: .seconds(30), forSeconds: 10,
        labels: AlertLabels(provider: "p"), channels: ["hook"])
      try await store.saveAlertRule(rule, by: nil)
      rule.threshold = 0.1
      try await store.saveAlertRule(rule, by: nil)
      #expect(try await store.alertRules() == [rule])
      let clash = AlertRule(id: UUID(), name: "errors", metric: .ttft, threshold: 1)
      await #expect(throws: LTBError.self) { try await store.saveAlertRule(clash, by: nil) }
      #expect(try await store.deleteAlertRule(rule.id))
      #expect(try await !store.deleteAlertRule(rule.id))
      #expect(try await store.alertRules().isEmpty)
    }
  }
}
