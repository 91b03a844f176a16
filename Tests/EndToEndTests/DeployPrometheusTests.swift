import Foundation
import LTBCore
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
    let rules = try Self.promtool(["check", "rules", "rules/recording.yml", "rules/alerts.yml"])
    #expect(rules.status == 0, "\(rules.stdout)\(rules.stderr)")
    #expect(
      rules.stdout.contains("SUCCESS: 10 rules found") && rules.stdout.contains("SUCCESS: 6 rules found"))
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
    #expect(alerts.count == 6)
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
}
