import AsyncHTTPClient
import Crypto
import Foundation
import LTBCore
import LTBFakeServer
import LTBStorage
import Logging
import Synchronization
import Testing

@testable import LTBAlerts

/// Notifications: retries with backoff and the recorded outcome, a channel that never gets
/// through, the HTTP channels' bodies and signature against a real loopback server, refusals and
/// timeouts named.
@Suite("Alert delivery")
struct AlertDeliveryTests {
  /// A channel that fails its first `failures` attempts (or every one), counting them.
  final class FlakyChannel: AlertChannel {
    let name: String
    let failures: Int
    let attempts = Atomic<Int>(0)

    init(name: String, failures: Int) {
      self.name = name
      self.failures = failures
    }

    func deliver(_ alert: AlertFiring) async throws {
      let attempt = attempts.add(1, ordering: .relaxed).newValue
      if attempt <= failures { throw LTBError(.network, "attempt \(attempt) refused") }
    }
  }

  static let rule = AlertRule(
    name: "slow-ttft", metric: .ttft, threshold: 500, severity: .critical, channels: ["flaky"])

  static func alert(_ rule: AlertRule = rule) -> AlertFiring {
    AlertFiring(
      rule: rule, group: AlertGroup(session: UUID(), provider: "p", model: "m"), value: 812.5, threshold: 500,
      startedAt: Date(timeIntervalSince1970: 1_800_000_000))
  }

  /// A SQLite store in a temporary folder, holding `alert`'s row.
  static func store(with alert: AlertFiring) async throws -> SQLBenchStore {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent(
      "ltb-alerts-\(UUID().uuidString).sqlite")
    let store = try await SQLBenchStore.open(.sqlite(path: path.path))
    try await store.insertAlert(
      AlertRecord(
        id: alert.id, ruleID: alert.rule.id, ruleName: alert.rule.name, severity: alert.rule.severity,
        message: alert.message, triggeredMicros: 1))
    return store
  }

  @Test("a failing channel is retried with backoff until it gets through, and the outcome is recorded")
  func retried() async throws {
    let alert = Self.alert()
    let store = try await Self.store(with: alert)
    let channel = FlakyChannel(name: "flaky", failures: 2)
    let dispatcher = AlertDispatcher(
      channels: [(AlertChannelSettings(name: "flaky", kind: .webhook, maxAttempts: 5), channel)],
      store: store,
      logger: Logger(label: "test"), backoff: .milliseconds(5))
    dispatcher.notify(alert)
    await dispatcher.drain(within: .seconds(10))
    #expect(channel.attempts.load(ordering: .relaxed) == 3)
    let recorded = try await store.deliveries(alert: alert.id)
    #expect(recorded.count == 1)
    #expect(
      recorded.first?.delivered == true && recorded.first?.attempts == 3 && recorded.first?.event == "firing")
    #expect(dispatcher.counts["flaky"]?.delivered == 1 && dispatcher.counts["flaky"]?.failed == 0)
    await store.close()
  }

  @Test("a channel that never gets through is recorded failed after its attempts, with the last error")
  func exhausted() async throws {
    let alert = Self.alert()
    let store = try await Self.store(with: alert)
    let channel = FlakyChannel(name: "flaky", failures: .max)
    let dispatcher = AlertDispatcher(
      channels: [(AlertChannelSettings(name: "flaky", kind: .slack, maxAttempts: 3), channel)], store: store,
      logger: Logger(label: "test"), backoff: .milliseconds(5))
    var resolved = alert
    resolved.resolvedAt = alert.startedAt.addingTimeInterval(60)
    dispatcher.notify(resolved)
    await dispatcher.drain(within: .seconds(10))
    #expect(channel.attempts.load(ordering: .relaxed) == 3)
    let recorded = try #require(try await store.deliveries(alert: alert.id).first)
    #expect(!recorded.delivered && recorded.attempts == 3 && recorded.event == "resolved")
    #expect(recorded.lastError == "attempt 3 refused")
    #expect(dispatcher.counts["flaky"]?.failed == 1)
    await store.close()
  }

  @Test(
    "the webhook's body and HMAC signature, Slack's blocks and Alertmanager's postable alert, over real HTTP")
  func httpChannels() async throws {
    let server = try await LoopbackHTTPServer.start { request, writer in
      if request.path == "/down" {
        try await writer.respond(status: 503, body: "maintenance")
      } else {
        try await writer.respond(status: 200, body: "{}")
      }
    }
    let alert = Self.alert()
    // A client of its own, shut before the server stops (the server waits for open connections).
    let client = HTTPClient(eventLoopGroupProvider: .singleton)
    func channel(_ kind: AlertChannelSettings.Kind, _ path: String, secret: String = "") -> HTTPAlertChannel {
      HTTPAlertChannel(
        name: kind.rawValue, kind: kind, url: server.baseURL + path, secret: secret, timeout: .seconds(5),
        client: client)
    }
    try await channel(.webhook, "/hook", secret: "s3cret").deliver(alert)
    try await channel(.slack, "/slack").deliver(alert)
    try await channel(.alertmanager, "/am").deliver(alert)
    let requests = server.requests
    let hook = try #require(requests.first { $0.path == "/hook" })
    let body = String(decoding: hook.body, as: UTF8.self)
    let timestamp = try #require(hook.header("X-LTB-Timestamp"))
    let expected = HMAC<SHA256>.authenticationCode(
      for: Data("\(timestamp).\(body)".utf8), using: SymmetricKey(data: Data("s3cret".utf8)))
    #expect(
      hook.header("X-LTB-Signature") == "sha256=" + expected.map { String(format: "%02x", $0) }.joined())
    #expect(hook.header("X-LTB-Event") == "firing")
    let parsed = try JSONValue.parse(body)
    #expect(parsed["status"] == "firing" && parsed["alert"]?["value"]?.doubleValue == 812.5)
    #expect(parsed["alert"]?["severity"] == "critical" && parsed["alert"]?["provider"] == "p")

    let slack = try JSONValue.parse(
      String(decoding: try #require(requests.first { $0.path == "/slack" }).body, as: UTF8.self))
    let blocks = slack["blocks"]?.arrayValue ?? []
    #expect(blocks.map { $0["type"]?.stringValue ?? "" } == ["header", "section", "section", "context"])
    #expect(blocks.first?["text"]?["text"] == "FIRING [critical] slow-ttft")
    #expect(blocks[2]["fields"]?.arrayValue?.first?["text"] == "*Severity*\ncritical")

    let am = try #require(requests.first { $0.path == "/am/api/v2/alerts" })
    let postable = try JSONValue.parse(String(decoding: am.body, as: UTF8.self)).arrayValue?.first
    #expect(
      postable?["labels"]?["alertname"] == "slow-ttft" && postable?["labels"]?["severity"] == "critical")
    #expect(postable?["startsAt"] == "2027-01-15T08:00:00.000Z" && postable?["endsAt"] == nil)
    var resolved = alert
    resolved.resolvedAt = alert.startedAt.addingTimeInterval(30)
    #expect(
      try JSONValue.parse(AlertmanagerPayload.body(resolved, generatorURL: "")).arrayValue?.first?["endsAt"]
        == "2027-01-15T08:00:30.000Z")

    await #expect {
      try await channel(.webhook, "/down").deliver(alert)
    } throws: { error in
      (error as? LTBError)?.message == "webhook channel webhook answered HTTP 503: maintenance"
    }
    try await client.shutdown()
    await server.stop()
  }

  @Test("an e-mail: subject, headers and a body that cannot inject headers")
  func email() {
    var rule = Self.rule
    rule.name = "evil\r\nBcc: victim@example.org"
    let text = EmailMessage.text(
      Self.alert(rule), from: "ltb@example.org", to: ["a@example.org", "b@example.org"],
      date: Date(timeIntervalSince1970: 1_800_000_000))
    let lines = text.components(separatedBy: "\r\n")
    #expect(lines.contains("To: a@example.org, b@example.org"))
    #expect(lines.contains("Date: Fri, 15 Jan 2027 08:00:00 +0000"))
    #expect(lines.contains("Subject: [LTB] FIRING critical: evil  Bcc: victim@example.org"))
    #expect(!lines.contains { $0.hasPrefix("Bcc:") })
    #expect(lines.contains("Value:     812.5 ms"))
  }
}
