import Foundation
import LTBCore
import LTBProviders
import Testing

/// Alerts end to end against real parts: `ltb serve` with a TTFT rule and four channels runs a
/// benchmark against `ltb fake-server`, whose slow stretch makes the rule fire and then resolve.
/// The Python gql client sees both on the `alerts` subscription; Debian's Alertmanager receives
/// them and routes them to a webhook receiver; the signed webhook's HMAC checks out; the Slack
/// payloads have Block Kit's shape; aiosmtpd, requiring STARTTLS and AUTH, receives both e-mails.
@Suite("Alerting", .serialized)
struct AlertingTests {
  /// A started helper process whose first output line was `ready`.
  static func startReady(_ tool: String, _ arguments: [String]) throws -> Process {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: tool)
    process.arguments = arguments
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    try process.run()
    var seen = ""
    while !seen.contains("ready") {
      let chunk = output.fileHandleForReading.availableData
      if chunk.isEmpty { break }
      seen += String(decoding: chunk, as: UTF8.self)
    }
    guard seen.contains("ready") else {
      process.terminate()
      throw LTBError(.internal, "\(tool) did not start: \(seen)")
    }
    return process
  }

  /// The JSON lines of `file` (none when it does not exist yet).
  static func lines(_ file: URL) -> [JSONValue] {
    guard let text = try? String(contentsOf: file, encoding: .utf8) else { return [] }
    return text.split(separator: "\n").compactMap { try? JSONValue.parse(String($0)) }
  }

  /// Waits up to `seconds` for `ready` to hold.
  static func eventually(_ seconds: Double, _ ready: () -> Bool) async throws {
    let deadline = ContinuousClock.now + .seconds(seconds)
    while !ready(), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(200)) }
  }

  @Test(
    "a TTFT rule fires during a slow stretch and resolves after it: subscription, Alertmanager, webhook, Slack, e-mail"
  )
  func slowStretch() async throws {
    let directory = try BenchCommandTests.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let path = { (name: String) in directory.appendingPathComponent(name) }
    let certificates = try DistributedTests.certificates(in: directory)
    let (fakePort, receiverPort, smtpPort, alertmanagerPort, port) = (
      try FreePort.find(), try FreePort.find(), try FreePort.find(), try FreePort.find(), try FreePort.find()
    )
    let python = try APIServerTests.python()
    let scripts = BenchCommandTests.repository.appendingPathComponent("scripts/reference")

    // The receivers, Alertmanager routing to the receiver, and the fake provider: 40 requests
    // answered at 20 ms, then 60 with a 700 ms first token, then fast again.
    let receivers = try Self.startReady(
      python,
      [
        scripts.appendingPathComponent("alert_receivers.py").path, String(receiverPort), String(smtpPort),
        certificates.cert, certificates.key, "hook-secret", directory.path,
      ])
    defer { receivers.terminate() }
    try Data(
      """
      route:
        receiver: hook
        group_by: [alertname]
        group_wait: 1s
        group_interval: 1s
        repeat_interval: 1h
      receivers:
        - name: hook
          webhook_configs:
            - url: http://127.0.0.1:\(receiverPort)/alertmanager
              send_resolved: true

      """.utf8
    ).write(to: path("alertmanager.yml"))
    let alertmanager = Process()
    alertmanager.executableURL = URL(fileURLWithPath: "/usr/bin/prometheus-alertmanager")
    alertmanager.arguments = [
      "--config.file=\(path("alertmanager.yml").path)", "--storage.path=\(path("am-data").path)",
      "--web.listen-address=127.0.0.1:\(alertmanagerPort)", "--cluster.listen-address=",
    ]
    alertmanager.standardOutput = FileHandle.nullDevice
    alertmanager.standardError = FileHandle.nullDevice
    try alertmanager.run()
    defer { alertmanager.terminate() }
    let fake = try CommandLineTests.start([
      "fake-server", "--port", String(fakePort), "--ttft-ms", "20", "--itl-ms", "1", "--tokens", "8",
      "--slow-after", "40", "--slow-requests", "60", "--slow-ttft-ms", "700",
    ])
    defer { fake.process.terminate() }
    try await Self.eventually(10) {
      (try? Shell.run("/usr/bin/curl", ["-fs", "http://127.0.0.1:\(alertmanagerPort)/-/ready"]))?.status == 0
        && (try? Shell.run("/usr/bin/curl", ["-fs", "http://127.0.0.1:\(fakePort)/v1/models"]))?.status == 0
    }

    try Data(
      """
      [providers.fake]
      type = "openai-compatible"
      base_url = "http://127.0.0.1:\(fakePort)/v1"
      default_model = "fake-model"
      max_retries = 0

      [alerts.channels.am]
      type = "alertmanager"
      url = "http://127.0.0.1:\(alertmanagerPort)"

      [alerts.channels.hook]
      type = "webhook"
      url = "http://127.0.0.1:\(receiverPort)/hook"
      secret_env = "LTB_TEST_HOOK_SECRET"

      [alerts.channels.slack]
      type = "slack"
      url = "http://127.0.0.1:\(receiverPort)/slack"

      [alerts.channels.mail]
      type = "email"
      host = "localhost"
      port = \(smtpPort)
      ca_file = "\(certificates.ca)"
      username = "alerts"
      password_env = "LTB_TEST_MAIL_PASSWORD"
      from = "ltb@example.org"
      to = ["oncall@example.org"]

      [[alerts.rules]]
      name = "slow-ttft"
      metric = "ttft"
      statistic = "p99"
      threshold = 500
      window = "2s"
      min_samples = 3
      for = "1s"
      severity = "critical"
      channels = ["am", "hook", "slack", "mail"]

      """.utf8
    ).write(to: path("ltb.toml"))
    let dataset = path("cases.jsonl")
    try Data(
      (0..<200).map { #"{"id": "c\#($0)", "prompt": "Question \#($0)?"}"# }.joined(separator: "\n").utf8
    )
    .write(to: dataset)
    try Data(
      """
      name: slow-stretch
      datasets: [\(dataset.path)]
      targets: [{ provider: fake }]
      load: { pattern: constant, rate: 20 }

      """.utf8
    ).write(to: path("suite.yaml"))

    let database = "sqlite:" + path("alerts.sqlite").path
    let key = try ServedAPI.key(database: database)
    let server = try ServedAPI.start(
      port: port, database: database, ["--config", path("ltb.toml").path],
      environment: ["LTB_TEST_HOOK_SECRET": "hook-secret", "LTB_TEST_MAIL_PASSWORD": "mail-password"])
    defer { server.process.terminate() }
    try await APIServerTests.waitUntilReady(port, server)

    // The gql client follows the alerts subscription while the benchmark it creates runs.
    let run = try Shell.run(
      python,
      [
        scripts.appendingPathComponent("gql_alerts.py").path, "ws://127.0.0.1:\(port)/graphql",
        path("suite.yaml").path, key, "slow-ttft",
      ])
    #expect(run.status == 0, "\(run.stderr.suffix(2_000))")
    let output = try JSONValue.parse(run.stdout)
    let events = (output["events"]?.arrayValue ?? []).filter { $0["rule"] == "slow-ttft" }
    #expect(events.map { $0["state"]?.stringValue ?? "" } == ["FIRING", "RESOLVED"], "\(output)")
    #expect((events.first?["value"]?.doubleValue ?? 0) > 500, "\(events)")
    #expect(events.first?["severity"] == "critical" && events.first?["provider"] == "fake")
    #expect(events.first?["sessionId"] == output["session"])
    let stored = output["stored"]?.arrayValue ?? []
    #expect(stored.count == 1 && stored.first?["state"] == "RESOLVED", "\(stored)")
    #expect(stored.first?["id"] == events.first?["id"])

    // The signed webhook and Slack: one notification each way.
    let http = path("http.jsonl")
    try await Self.eventually(15) {
      Self.lines(http).filter { $0["path"] == "/alertmanager" }.contains {
        (try? JSONValue.parse($0["body"]?.stringValue ?? ""))?["status"] == "resolved"
      }
    }
    let posts = Self.lines(http)
    let hooks = posts.filter { $0["path"] == "/hook" }
    #expect(hooks.count == 2, "\(hooks)")
    #expect(hooks.allSatisfy { $0["signature_valid"] == true }, "the HMAC checks out")
    let hookBodies = hooks.compactMap { try? JSONValue.parse($0["body"]?.stringValue ?? "") }
    #expect(hookBodies.map { $0["status"]?.stringValue ?? "" } == ["firing", "resolved"])
    #expect(
      hookBodies.first?["alert"]?["rule"] == "slow-ttft"
        && hookBodies.first?["alert"]?["threshold"]?.doubleValue == 500)
    let slack = posts.filter { $0["path"] == "/slack" }.compactMap {
      try? JSONValue.parse($0["body"]?.stringValue ?? "")
    }
    #expect(slack.count == 2)
    for message in slack {
      let blocks = message["blocks"]?.arrayValue ?? []
      #expect(blocks.map { $0["type"]?.stringValue ?? "" } == ["header", "section", "section", "context"])
      #expect(blocks.first?["text"]?["type"] == "plain_text")
      #expect((blocks.first?["text"]?["text"]?.stringValue?.count ?? 999) <= 150)
      #expect((blocks[2]["fields"]?.arrayValue?.count ?? 99) <= 10)
      #expect(message["text"]?.stringValue?.contains("slow-ttft") == true)
    }
    #expect(slack.first?["blocks"]?.arrayValue?.first?["text"]?["text"] == "FIRING [critical] slow-ttft")

    // Alertmanager grouped the alert and notified its receiver when it fired and when it resolved.
    let routed = posts.filter { $0["path"] == "/alertmanager" }.compactMap {
      try? JSONValue.parse($0["body"]?.stringValue ?? "")
    }
    #expect(routed.contains { $0["status"] == "firing" }, "\(routed)")
    #expect(routed.contains { $0["status"] == "resolved" }, "\(routed)")
    let labels = routed.first?["alerts"]?.arrayValue?.first?["labels"]
    #expect(
      labels?["alertname"] == "slow-ttft" && labels?["severity"] == "critical"
        && labels?["provider"] == "fake")

    // aiosmtpd took both e-mails over STARTTLS, authenticated.
    let mail = path("mail.jsonl")
    try await Self.eventually(10) { Self.lines(mail).count >= 2 }
    let mails = Self.lines(mail)
    #expect(mails.count == 2)
    #expect(
      mails.allSatisfy {
        $0["tls"] == true && $0["authenticated"] == true && $0["rcpt_tos"] == ["oncall@example.org"]
      })
    let subjects = mails.compactMap { mail in
      mail["message"]?.stringValue?.split(separator: "\r\n").first { $0.hasPrefix("Subject: ") }.map(
        String.init)
        ?? mail["message"]?.stringValue?.split(separator: "\n").first { $0.hasPrefix("Subject: ") }.map(
          String.init)
    }
    #expect(
      subjects == [
        "Subject: [LTB] FIRING critical: slow-ttft", "Subject: [LTB] RESOLVED critical: slow-ttft",
      ])
    #expect(mails.first?["message"]?.stringValue?.contains("Threshold: 500 ms") == true)

    // /metrics counted the alert and every delivery.
    let scrape = try Shell.run("/usr/bin/curl", ["-fs", "http://127.0.0.1:\(port)/metrics"])
    let metrics = Set(scrape.stdout.split(separator: "\n").map(String.init))
    #expect(metrics.contains(#"ltb_alerts_total{severity="critical"} 1"#), "\(scrape.stdout.prefix(500))")
    #expect(metrics.contains(#"ltb_alerts_firing{severity="critical"} 0.0"#))
    for channel in ["am", "hook", "slack", "mail"] {
      #expect(
        metrics.contains(#"ltb_alert_notifications_total{channel="\#(channel)",outcome="delivered"} 2"#))
    }
  }
}
