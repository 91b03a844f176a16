import Foundation
import LTBCore
import LTBProviders
import Testing

/// `deploy/prometheus` checked by Debian's promtool: the configuration and both rule files are
/// valid, and every alert's unit test passes (and a wrong expectation would fail it).
@Suite("deploy/prometheus")
struct DeployPrometheusTests {
  static let folder = BenchCommandTests.repository.appendingPathComponent("deploy/prometheus")

  static func promtool(_ arguments: [String], in directory: URL = folder) throws -> (
    status: Int32, stdout: String, stderr: String
  ) {
    try Shell.run(
      "/bin/sh", ["-c", "cd '\(directory.path)' && promtool " + arguments.joined(separator: " ")])
  }

  @Test("promtool check config and check rules accept the deployment's Prometheus files")
  func checks() throws {
    let config = try Self.promtool(["check", "config", "prometheus.yml"])
    #expect(config.status == 0, "\(config.stdout)\(config.stderr)")
    #expect(config.stdout.contains("SUCCESS: 2 rule files found"))
    let alertmanager = try Shell.run(
      "/usr/bin/amtool",
      ["check-config", Self.folder.appendingPathComponent("../alertmanager/alertmanager.yml").path])
    #expect(alertmanager.status == 0, "\(alertmanager.stdout)\(alertmanager.stderr)")
    let rules = try Self.promtool(["check", "rules", "rules/recording.yml", "rules/alerts.yml"])
    #expect(rules.status == 0, "\(rules.stdout)\(rules.stderr)")
    #expect(
      rules.stdout.contains("SUCCESS: 10 rules found") && rules.stdout.contains("SUCCESS: 7 rules found"))
  }

  @Test("every alert has a unit test, and promtool test rules passes them; a wrong expectation fails")
  func unitTests() throws {
    let passed = try Self.promtool(
      ["test", "rules", "alerts_test.yml"], in: Self.folder.appendingPathComponent("tests"))
    #expect(passed.status == 0, "\(passed.stdout)\(passed.stderr)")
    let tests = try String(
      contentsOf: Self.folder.appendingPathComponent("tests/alerts_test.yml"), encoding: .utf8)
    let rules = try String(
      contentsOf: Self.folder.appendingPathComponent("rules/alerts.yml"), encoding: .utf8)
    let alerts = rules.split(separator: "\n").compactMap { line -> String? in
      let text = line.trimmingCharacters(in: .whitespaces)
      return text.hasPrefix("- alert: ") ? String(text.dropFirst("- alert: ".count)) : nil
    }
    #expect(alerts.count == 7)
    for alert in alerts {
      #expect(
        tests.contains("alertname: \(alert)\n        exp_alerts:\n          - exp_labels"),
        "\(alert) never fires in a test")
    }
    let mutated = Self.folder.appendingPathComponent("tests/mutated_test.yml")
    try Data(tests.replacingOccurrences(of: "fake/m: 10% of", with: "fake/m: 11% of").utf8).write(to: mutated)
    defer { try? FileManager.default.removeItem(at: mutated) }
    let failed = try Self.promtool(
      ["test", "rules", "mutated_test.yml"], in: Self.folder.appendingPathComponent("tests"))
    #expect(failed.status != 0 && (failed.stdout + failed.stderr).contains("FAILED"), "\(failed.stdout)")
  }

  @Test(
    "Debian's Prometheus with the deployment's rules scrapes a running gateway and worker: every recording rule, board panel and the adapter's queue metric has data"
  )
  func scrape() async throws {
    let directory = try BenchCommandTests.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let (fake, environment, base) = try APIServerTests.fakeTarget(in: directory, cases: 40)
    defer { fake.process.terminate() }
    let database = "sqlite:" + directory.appendingPathComponent("p.sqlite").path
    let key = try ServedAPI.key(database: database)
    let port = try FreePort.find()
    let grpcPort = try FreePort.find()
    let server = try ServedAPI.start(
      port: port, database: database, ["--grpc-port", String(grpcPort)], environment: environment)
    defer { server.process.terminate() }
    try await APIServerTests.waitUntilReady(port, server)
    // A worker with its probes and /metrics, as the deployments run it.
    let workerPort = try FreePort.find()
    let worker = try CommandLineTests.start(
      [
        "worker", "--coordinator", "http://127.0.0.1:\(grpcPort)", "--token", key, "--name", "w1",
        "--health-port", String(workerPort), "--health-host", "127.0.0.1",
      ], environment: environment)
    defer {
      kill(worker.process.processIdentifier, SIGKILL)
      worker.process.waitUntilExit()
    }
    try await AlertingTests.eventually(20) {
      (try? Shell.run("/usr/bin/curl", ["-fs", "http://127.0.0.1:\(workerPort)/ready"]))?.status == 0
    }

    // The deployment's configuration, pointed at this gateway and evaluated every second.
    let config = directory.appendingPathComponent("prometheus")
    try FileManager.default.createDirectory(at: config, withIntermediateDirectories: true)
    try FileManager.default.copyItem(
      at: Self.folder.appendingPathComponent("rules"), to: config.appendingPathComponent("rules"))
    let deployed = try String(
      contentsOf: Self.folder.appendingPathComponent("prometheus.yml"), encoding: .utf8)
    let local =
      deployed
      .replacingOccurrences(of: "scrape_interval: 15s", with: "scrape_interval: 1s")
      .replacingOccurrences(of: "evaluation_interval: 15s", with: "evaluation_interval: 1s")
      .replacingOccurrences(of: "gateway:8080", with: "127.0.0.1:\(port)")
      .replacingOccurrences(
        of: "dns_sd_configs:\n      - names: [\"worker\"]\n        type: A\n        port: 8081",
        with: "static_configs:\n      - targets: [\"127.0.0.1:\(workerPort)\"]")
    #expect(
      local != deployed && local.contains("127.0.0.1:\(port)") && local.contains("127.0.0.1:\(workerPort)"))
    try Data(local.utf8).write(to: config.appendingPathComponent("prometheus.yml"))
    let prometheusPort = try FreePort.find()
    let prometheus = Process()
    prometheus.executableURL = URL(fileURLWithPath: "/usr/bin/prometheus")
    prometheus.arguments = [
      "--config.file=\(config.appendingPathComponent("prometheus.yml").path)",
      "--storage.tsdb.path=\(directory.appendingPathComponent("tsdb").path)",
      "--web.listen-address=127.0.0.1:\(prometheusPort)",
    ]
    prometheus.standardOutput = FileHandle.nullDevice
    prometheus.standardError = FileHandle.nullDevice
    try prometheus.run()
    defer {
      kill(prometheus.processIdentifier, SIGKILL)
      prometheus.waitUntilExit()
    }
    let api = "http://127.0.0.1:\(prometheusPort)"
    try await AlertingTests.eventually(20) {
      (try? Shell.run("/usr/bin/curl", ["-fs", "\(api)/-/ready"]))?.status == 0
    }

    // A streamed run through the API, so that every family the rules read has samples.
    let created = try GatewayCoreTests.graphQL(
      port, key, "mutation($s: String!) { createBenchmark(input: { suite: $s }) { id } }",
      ["s": .string(base + "stream: true\nload: { pattern: constant, rate: 10 }\n")])
    #expect(created["data"]?["createBenchmark"]?["id"]?.stringValue != nil, "\(created)")
    // And a distributed one, which the worker runs, for the workers board.
    let distributed = try GatewayCoreTests.graphQL(
      port, key, "mutation($s: String!) { createBenchmark(input: { suite: $s, distributed: true }) { id } }",
      ["s": .string(base + "load: { pattern: constant, rate: 10 }\n")])
    #expect(distributed["data"]?["createBenchmark"]?["id"]?.stringValue != nil, "\(distributed)")

    func query(_ expression: String) throws -> [JSONValue] {
      let answer = try Shell.run(
        "/usr/bin/curl", ["-fs", "\(api)/api/v1/query", "--data-urlencode", "query=\(expression)"])
      return (try? JSONValue.parse(answer.stdout))?["data"]?["result"]?.arrayValue ?? []
    }
    let recording = try String(
      contentsOf: Self.folder.appendingPathComponent("rules/recording.yml"), encoding: .utf8)
    let records = recording.split(separator: "\n").compactMap { line -> String? in
      let text = line.trimmingCharacters(in: .whitespaces)
      return text.hasPrefix("- record: ") ? String(text.dropFirst("- record: ".count)) : nil
    }
    #expect(records.count == 10)
    var empty = records
    try await AlertingTests.eventually(45) {
      empty = records.filter { ((try? query($0)) ?? []).isEmpty }
      return empty.isEmpty
    }
    #expect(empty.isEmpty, "recording rules without data: \(empty)")
    // Every panel of the Grafana boards shows data: a board that shows nothing fails.
    let boards = try FileManager.default.contentsOfDirectory(
      at: BenchCommandTests.repository.appendingPathComponent("deploy/grafana/dashboards"),
      includingPropertiesForKeys: nil)
    #expect(boards.count == 3)
    var panels: [(board: String, title: String, expressions: [String])] = []
    for board in boards {
      let json = try JSONValue.parse(try String(contentsOf: board, encoding: .utf8))
      #expect(json["uid"]?.stringValue?.hasPrefix("ltb-") == true)
      for panel in json["panels"]?.arrayValue ?? [] {
        #expect(panel["datasource"]?["uid"] == "prometheus")
        panels.append(
          (
            board.lastPathComponent, panel["title"]?.stringValue ?? "",
            (panel["targets"]?.arrayValue ?? []).compactMap { $0["expr"]?.stringValue }
          ))
      }
    }
    #expect(panels.count == 24 && panels.allSatisfy { !$0.expressions.isEmpty })
    var blank: [String] = []
    try await AlertingTests.eventually(20) {
      blank = panels.flatMap { panel in
        panel.expressions.filter { ((try? query($0)) ?? []).isEmpty }.map {
          "\(panel.board) \(panel.title): \($0)"
        }
      }
      return blank.isEmpty
    }
    #expect(blank.isEmpty, "panels without data: \(blank)")
    let tests = try query("ltb:tests:rate1m{provider=\"fake\"}")
    #expect((tests.first?["value"]?.arrayValue?.last?.stringValue).flatMap(Double.init) ?? 0 > 0, "\(tests)")
    #expect(try query("ltb:test_errors:ratio_rate5m").first?["value"]?.arrayValue?.last == "0")
    #expect(try query("up{job=\"ltb-gateway\"}").first?["value"]?.arrayValue?.last == "1")
    #expect(try query("ltb_database_ready").first?["value"]?.arrayValue?.last == "1")
    #expect(try query("up{job=\"ltb-worker\"}").first?["value"]?.arrayValue?.last == "1")
    let finished = try query("ltb_worker_completed_tasks_total{job=\"ltb-worker\"}")
    #expect(
      (finished.first?["value"]?.arrayValue?.last?.stringValue).flatMap(Double.init) ?? 0 > 0, "\(finished)")
    // The Prometheus adapter's rule, with the workers' HPA selector filled in, finds the queue.
    let adapter = try String(
      contentsOf: BenchCommandTests.repository.appendingPathComponent(
        "deploy/k8s/prometheus-adapter-rules.yaml"),
      encoding: .utf8)
    let template = try #require(
      adapter.split(separator: "\n").first { $0.contains("metricsQuery:") }?
        .split(separator: "'", omittingEmptySubsequences: false).dropFirst().first)
    let rendered =
      template
      .replacingOccurrences(of: "<<.Series>>", with: "ltb_queue_tasks")
      .replacingOccurrences(of: "<<.LabelMatchers>>", with: "state=\"queued\"")
      .replacingOccurrences(of: "<<.GroupBy>>", with: "state")
    #expect(try query(rendered).count == 1, "\(rendered)")
    // Every rule evaluated without error, and no alert fires on a healthy run.
    let rules = try Shell.run("/usr/bin/curl", ["-fs", "\(api)/api/v1/rules"])
    let groups = (try JSONValue.parse(rules.stdout))["data"]?["groups"]?.arrayValue ?? []
    let all = groups.flatMap { $0["rules"]?.arrayValue ?? [] }
    #expect(all.count == 17)
    #expect(all.allSatisfy { $0["health"] == "ok" }, "\(all.filter { $0["health"] != "ok" })")
    #expect(all.filter { $0["type"] == "alerting" }.allSatisfy { $0["state"] == "inactive" })
  }
}
