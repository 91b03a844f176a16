import Foundation
import LTBCore
import LTBProviders
import Testing

/// `ltb export --to mlflow` against a real `mlflow server` (PyPI, SQLite backend, local artifact
/// root behind its proxy), read back with MLflow's own Python client.
@Suite("MLflow export", .serialized)
struct MLflowTests {
  /// The Python of the MLflow venv (`scripts/python-tools mlflow`; `LTB_MLFLOW_PYTHON` overrides).
  static func python() throws -> String {
    if let python = ProcessInfo.processInfo.environment["LTB_MLFLOW_PYTHON"], !python.isEmpty {
      return python
    }
    let run = try Shell.run(
      BenchCommandTests.repository.appendingPathComponent("scripts/python-tools").path, ["mlflow"])
    return run.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
  }

  @Test(
    "a graded two-model session becomes an experiment, a parent run and a run per model, with figures, steps and artifacts; exporting again writes nothing; a dead tracker is a clear error"
  )
  func export() async throws {
    let directory = try BenchCommandTests.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
    let (fakePort, mlflowPort, deadPort) = (try FreePort.find(), try FreePort.find(), try FreePort.find())
    let python = try Self.python()
    let server = Process()
    server.executableURL = URL(fileURLWithPath: python)
    server.arguments = [
      "-m", "mlflow", "server", "--host", "127.0.0.1", "--port", String(mlflowPort), "--workers", "1",
      "--backend-store-uri", "sqlite:///" + path("mlflow.db"), "--artifacts-destination", path("artifacts"),
    ]
    server.standardOutput = FileHandle.nullDevice
    server.standardError = FileHandle.nullDevice
    try server.run()
    defer { kill(server.processIdentifier, SIGKILL) }
    let fake = try CommandLineTests.start([
      "fake-server", "--port", String(fakePort), "--ttft-ms", "5", "--itl-ms", "1", "--tokens", "8",
    ])
    defer { fake.process.terminate() }

    try Data(
      """
      [integrations.mlflow]
      tracking_uri = "http://127.0.0.1:\(mlflowPort)"

      [providers.fake]
      type = "openai-compatible"
      base_url = "http://127.0.0.1:\(fakePort)/v1"
      max_retries = 0

      """.utf8
    ).write(to: URL(fileURLWithPath: path("ltb.toml")))
    try Data(
      (0..<6).map {
        #"{"id": "c\#($0)", "prompt": "Say hello \#($0)", "assertions": [{"type": "contains", "value": "\#($0 % 2 == 0 ? "tok1" : "absent")"}]}"#
      }
      .joined(separator: "\n").utf8
    ).write(to: URL(fileURLWithPath: path("cases.jsonl")))
    try Data(
      """
      name: mlflow-export
      datasets: [\(path("cases.jsonl"))]
      targets: [{ provider: fake, model: model-a, parameters: { temperature: 0.2 } }, { provider: fake, model: model-b }]
      repeats: 2
      concurrency: 2

      """.utf8
    ).write(to: URL(fileURLWithPath: path("suite.yaml")))
    let database = "sqlite:" + path("ltb.sqlite")
    let bench = try CommandLineTests.run([
      "bench", path("suite.yaml"), "--config", path("ltb.toml"), "--database", database, "--output",
      path("out"),
    ])
    #expect(bench.status == 0, "\(bench.stderr)")
    let session = try #require(BenchCommandTests.sessionID(in: bench.stderr))
    try await AlertingTests.eventually(90) {
      (try? Shell.run("/usr/bin/curl", ["-fs", "http://127.0.0.1:\(mlflowPort)/health"]))?.status == 0
    }

    let exported = try CommandLineTests.run([
      "export", session, "--to", "mlflow", "--config", path("ltb.toml"), "--database", database,
    ])
    #expect(exported.status == 0, "\(exported.stderr)")
    let run = exported.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    #expect(run.count == 32, "\(exported.stdout)")
    #expect(exported.stderr.contains("exported as run \(run) with 2 target runs"))

    // Read back by MLflow's own client.
    let read = try Shell.run(
      python,
      [
        BenchCommandTests.repository.appendingPathComponent("scripts/reference/mlflow_read.py").path,
        "http://127.0.0.1:\(mlflowPort)", run,
      ])
    #expect(read.status == 0, "\(read.stderr.suffix(2_000))")
    let seen = try JSONValue.parse(read.stdout)
    #expect(seen["experiment"] == "mlflow-export", "one experiment per suite, named after it")
    #expect(seen["run"]?["status"] == "FINISHED")
    #expect(seen["run"]?["tags"]?["ltb.session_id"]?.stringValue == session.lowercased())
    #expect(seen["run"]?["tags"]?["ltb.export"] == "complete")
    #expect(seen["run"]?["params"]?["suite"] == "mlflow-export")
    #expect(seen["run"]?["params"]?["repeats"] == "2")
    #expect(seen["run"]?["params"]?["load.concurrency"] == "2")
    #expect(seen["run"]?["metrics"]?["requests"]?.doubleValue == 24)
    #expect(seen["artifacts"] == ["report.html", "results.jsonl", "summary.json"])
    #expect(seen["summaryGroups"] == 2)
    #expect(seen["resultLines"] == 24)
    #expect(seen["reportIsHTML"] == true)

    // Each model's run: its figures equal ltb's own summary, its requests are steps.
    let summary = try JSONValue.parse(try Data(contentsOf: URL(fileURLWithPath: path("out/summary.json"))))
    let children = seen["children"]?.arrayValue ?? []
    #expect(children.count == 2)
    for group in summary["groups"]?.arrayValue ?? [] {
      let model = try #require(group["model"]?.stringValue)
      let child = try #require(children.first { $0["params"]?["model"]?.stringValue == model }, "\(model)")
      #expect(child["name"]?.stringValue == "fake/\(model)")
      #expect(child["tags"]?["mlflow.parentRunId"]?.stringValue == run)
      #expect(child["status"] == "FINISHED")
      let metrics = try #require(child["metrics"])
      for (key, statistic) in [("e2e", "endToEnd"), ("ttft", "timeToFirstToken")] {
        for percentile in ["p50", "p99"] {
          let stored = try #require(group[statistic]?[percentile]?.doubleValue)
          let logged = try #require(
            metrics["\(key)_\(percentile)_ms"]?.doubleValue, "\(key)_\(percentile)_ms")
          #expect(abs(stored - logged) < 1e-9)
        }
      }
      #expect(metrics["requests"]?.doubleValue == 12)
      // Even cases pass their check, odd ones fail: half of each model's answers pass.
      #expect(metrics["pass_rate"]?.doubleValue == 0.5)
      #expect(metrics["score.contains.mean"]?.doubleValue == 0.5)
      #expect(child["e2eSteps"]?.arrayValue?.compactMap(\.intValue) == Array(0..<12))
      #expect((child["e2eValues"]?.arrayValue?.compactMap(\.doubleValue) ?? []).allSatisfy { $0 > 0 })
    }
    #expect(Set(children.compactMap { $0["params"]?["temperature"]?.stringValue }) == ["0.2"])

    // Exporting again finds the complete export and writes nothing.
    let again = try CommandLineTests.run([
      "export", session, "--to", "mlflow", "--config", path("ltb.toml"), "--database", database,
    ])
    #expect(again.status == 0 && again.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == run)
    #expect(again.stderr.contains("already exported"))

    // A tracker that does not answer: a clear error after the retries, the network exit code.
    let dead = try CommandLineTests.run(
      ["export", session, "--to", "mlflow", "--database", database],
      environment: ["MLFLOW_TRACKING_URI": "http://127.0.0.1:\(deadPort)"])
    #expect(dead.status == 69, "\(dead.stderr)")
    #expect(dead.stderr.contains("did not answer") && dead.stderr.contains("tracking_uri"))
    let unconfigured = try CommandLineTests.run(["export", session, "--to", "mlflow", "--database", database])
    #expect(unconfigured.status == 78 && unconfigured.stderr.contains("MLFLOW_TRACKING_URI"))
  }
}
