import Foundation
import LTBCore
import LTBProviders
import Testing

/// The dashboard in a real browser: Debian's Chromium driven through chromedriver by Selenium
/// (`scripts/reference/dashboard_check.py`), against a real `ltb serve` and `ltb fake-server`,
/// with axe-core auditing every page. Screenshots go to `.build/test-artifacts/dashboard/`.
@Suite("Dashboard", .serialized)
struct DashboardTests {
  @Test(
    "sign in, start a run and watch it live to 100 % through a dropped socket, figures equal to the stored summary, a failed case, compare, keys, a refused viewer; axe and console clean"
  )
  func browser() async throws {
    let directory = try BenchCommandTests.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    func path(_ name: String) -> URL { directory.appendingPathComponent(name) }
    let (fakePort, port) = (try FreePort.find(), try FreePort.find())
    // 40 cases; one in three asks for a word the fake answer lacks, so it fails its check.
    try Data(
      (0..<40).map { index in
        #"{"id": "c\#(index)", "prompt": "Say hello \#(index)", "assertions": [{"type": "contains", "value": "\#(index % 3 == 0 ? "absent" : "tok1")"}]}"#
      }.joined(separator: "\n").utf8
    ).write(to: path("cases.jsonl"))
    try Data(
      """
      ["openai-compatible"."fake-cheap"]
      context = 8192
      input = 0.5
      output = 1.5

      ["openai-compatible"."fake-dear"]
      context = 8192
      input = 5.0
      output = 15.0

      """.utf8
    ).write(to: path("models.toml"))
    try Data(
      """
      [general]
      models_file = "\(path("models.toml").path)"

      [providers.fake]
      type = "openai-compatible"
      base_url = "http://127.0.0.1:\(fakePort)/v1"
      default_model = "fake-cheap"
      max_retries = 0

      """.utf8
    ).write(to: path("ltb.toml"))
    func suite(_ name: String, model: String, rate: Int) -> String {
      """
      name: \(name)
      datasets: [\(path("cases.jsonl").path)]
      targets: [{ provider: fake, model: \(model) }]
      concurrency: 4
      timeout_ms: 1000
      load: { pattern: constant, rate: \(rate) }

      """
    }
    try Data(suite("dashboard-run", model: "fake-dear", rate: 8).utf8).write(to: path("suite.yaml"))
    // The baseline's 40 requests come first; requests 46-48 are slow enough to time out in the
    // browser's run, which gives it failed cases to open.
    let fake = try CommandLineTests.start([
      "fake-server", "--port", String(fakePort), "--ttft-ms", "20", "--itl-ms", "2", "--tokens", "16",
      "--slow-after", "45", "--slow-requests", "3", "--slow-ttft-ms", "1500",
    ])
    defer { fake.process.terminate() }
    let database = "sqlite:" + path("dash.sqlite").path
    let key = try ServedAPI.key(database: database)
    _ = try ServedAPI.key(database: database, name: "viewer", role: "viewer")
    // Access tokens live 35 s, so the page refreshes its sign-in (30 s before expiry) and its
    // socket is closed at expiry and reopened with the new token, all during the test.
    let server = try ServedAPI.start(
      port: port, database: database, ["--config", path("ltb.toml").path, "--access-token-ttl", "35"])
    defer { server.process.terminate() }
    try await APIServerTests.waitUntilReady(port, server)

    // The baseline session, started and finished through the API.
    let body = JSONValue.object([
      "input": ["suite": .string(suite("baseline-run", model: "fake-cheap", rate: 40))]
    ])
    .serialized()
    let created = try Shell.run(
      "/usr/bin/curl",
      [
        "-fs", "-X", "POST", "-H", "Content-Type: application/json", "-d", body,
        "http://127.0.0.1:\(port)/api/v1/benchmarks",
      ] + ServedAPI.bearer(key))
    let baseline = try #require(try JSONValue.parse(created.stdout)["id"]?.stringValue, "\(created.stdout)")
    try await AlertingTests.eventually(60) {
      let status = try? Shell.run(
        "/usr/bin/curl",
        ["-fs", "http://127.0.0.1:\(port)/api/v1/benchmarks/\(baseline)"] + ServedAPI.bearer(key))
      return (try? JSONValue.parse(status?.stdout ?? ""))?["status"] == "COMPLETED"
    }

    let artifacts = BenchCommandTests.repository.appendingPathComponent(".build/test-artifacts/dashboard")
    try? FileManager.default.removeItem(at: artifacts)
    try FileManager.default.createDirectory(at: artifacts, withIntermediateDirectories: true)
    let script = BenchCommandTests.repository.appendingPathComponent("scripts/reference/dashboard_check.py")
      .path
    let run = try Shell.run(
      try APIServerTests.python(),
      [script, "http://127.0.0.1:\(port)", path("suite.yaml").path, baseline, artifacts.path])
    let seen = try JSONValue.parse(run.stdout)
    #expect(run.status == 0, "\(seen["failures"] ?? JSONValue.null) \(run.stderr.suffix(1_500))")
    #expect(seen["failures"] == [])

    // Every page was audited, with no serious or critical violation and no script error.
    let pages = seen["pages"]?.objectValue ?? [:]
    #expect(pages.count == 17, "\(pages.keys.sorted())")
    for (name, page) in pages {
      #expect(page["violations"] == [], "\(name)")
      #expect(page["console"] == [], "\(name)")
    }
    #expect(
      FileManager.default.fileExists(atPath: artifacts.appendingPathComponent("live-run.png").path),
      "screenshots are kept")

    #expect(seen["landing"]?.stringValue?.contains("/dashboard/#/login") == true, "/ leads to the sign-in")
    #expect(seen["wrongPassword"]?.stringValue?.contains("password is wrong") == true)
    #expect(seen["badSuite"]?.stringValue?.contains("YAML") == true, "the server's located error is shown")
    // Live: several distinct figures before the end, then 100 %, equal to the stored summary.
    #expect((seen["livePercents"]?.arrayValue?.count ?? 0) >= 3, "\(seen["livePercents"] ?? JSONValue.null)")
    #expect(seen["finalPercent"] == "100.0 %")
    let shown = seen["shown"]?.objectValue ?? [:]
    #expect(shown.count == 16)
    for metric in ["ttft", "e2e"] {
      for statistic in ["p50", "p90", "p99", "mean"] {
        #expect(shown["live-\(metric)-\(statistic)"] == shown["stored-\(metric)-\(statistic)"])
      }
    }
    // The three timed-out requests, one of them opened.
    #expect(seen["timeoutRows"] == 3)
    #expect(seen["failedCase"]?.stringValue?.contains("did not finish within 1 s") == true)
    // Compare: verdicts per metric, 40 cases × 2 sessions, the cheap model alone on the front.
    #expect(seen["verdicts"]?["ttft_ms"] != nil, "\(seen["verdicts"] ?? JSONValue.null)")
    #expect(seen["verdicts"]?["contains"] != nil)
    #expect(seen["matrixCells"] == 80)
    #expect(seen["pareto"] == "baseline-run · fake-cheap")
    // A key shown once works, and is refused once revoked.
    #expect(seen["keyPrefix"] == "ltb_")
    #expect(seen["keyWorks"] == 200)
    #expect(seen["keyAfterRevoke"] == 401)
    #expect(seen["theme"] == "dark")
    #expect((seen["phoneOverflow"]?.doubleValue ?? 1) <= 0, "no sideways scrolling on a phone")
    #expect(seen["phoneNavVisible"] == true)
    let bytes = seen["transferBytes"]?.doubleValue ?? 0
    #expect(bytes > 30_000 && bytes < 300_000, "a first visit loads \(bytes) bytes")
    // The page refreshed its sign-in, never reusing a refresh token (which would end it).
    let audit = try SecurityTests.request("http://127.0.0.1:\(port)/api/v1/audit?first=200", key: key)
    let actions = ((try? JSONValue.parse(audit.body))?["edges"]?.arrayValue ?? []).compactMap {
      $0["node"]?["action"]?.stringValue
    }
    #expect(actions.contains("refresh.success"), "\(Set(actions))")
    #expect(!actions.contains("refresh.reuse") && !actions.contains("refresh.failure"))
    // A viewer sees no admin link and is refused the admin pages, by the page and by the API.
    #expect(seen["viewerNav"]?.stringValue?.contains("Admin") == false)
    #expect(seen["viewerAdmin"]?.stringValue?.contains("Not allowed") == true)
    #expect(seen["viewerUsersAPI"] == "FORBIDDEN")
  }
}
