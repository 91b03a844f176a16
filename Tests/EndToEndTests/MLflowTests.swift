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

  /// Starts `mlflow server` on `port` with its SQLite store and artifacts in `directory`.
  static func startServer(python: String, port: Int, in directory: URL) throws -> Process {
    let server = Process()
    server.executableURL = URL(fileURLWithPath: python)
    server.arguments = [
      "-m", "mlflow", "server", "--host", "127.0.0.1", "--port", String(port), "--workers", "1",
      "--backend-store-uri", "sqlite:///" + directory.appendingPathComponent("mlflow.db").path,
      "--artifacts-destination", directory.appendingPathComponent("artifacts").path,
    ]
    server.standardOutput = FileHandle.nullDevice
    server.standardError = FileHandle.nullDevice
    try server.run()
    return server
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
    let server = try Self.startServer(python: python, port: mlflowPort, in: directory)
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
    #expect(seen["artifacts"] == ["evaluation.json", "report.html", "results.jsonl", "summary.json"])
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

  @Test(
    "exportSession through the API is retried until MLflow answers; bench --log-to mlflow logs steps while it runs and completes the same run; importDataset writes a dataset a suite can name"
  )
  func exportThroughTheAPIAndLive() async throws {
    let directory = try BenchCommandTests.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
    let (fakePort, mlflowPort, apiPort) = (try FreePort.find(), try FreePort.find(), try FreePort.find())
    let python = try Self.python()
    // Each request takes about 0.3 s, so a ten-request run spans more than one live flush (2 s).
    let fake = try CommandLineTests.start([
      "fake-server", "--port", String(fakePort), "--ttft-ms", "250", "--itl-ms", "10", "--tokens", "4",
    ])
    defer { fake.process.terminate() }
    try Data(
      """
      [integrations.mlflow]
      tracking_uri = "http://127.0.0.1:\(mlflowPort)"

      [integrations.exports]
      retry_seconds = 1
      attempts = 12
      import_directory = "\(path("imported"))"

      [providers.fake]
      type = "openai-compatible"
      base_url = "http://127.0.0.1:\(fakePort)/v1"
      max_retries = 0

      """.utf8
    ).write(to: URL(fileURLWithPath: path("ltb.toml")))
    try Data(
      (0..<10).map { #"{"id": "c\#($0)", "prompt": "Say hello \#($0)"}"# }.joined(separator: "\n").utf8
    ).write(to: URL(fileURLWithPath: path("cases.jsonl")))
    try Data(
      """
      name: mlflow-live
      datasets: [\(path("cases.jsonl"))]
      targets: [{ provider: fake, model: model-a }]
      assertions: [{ type: contains, value: tok1 }]
      concurrency: 1

      """.utf8
    ).write(to: URL(fileURLWithPath: path("suite.yaml")))
    let database = path("ltb.sqlite")
    let bench = try CommandLineTests.run([
      "bench", path("suite.yaml"), "--config", path("ltb.toml"), "--database", "sqlite:" + database,
    ])
    #expect(bench.status == 0, "\(bench.stderr)")
    let first = try #require(BenchCommandTests.sessionID(in: bench.stderr))

    // --log-to while MLflow is down: the run succeeds, and the export waits in the queue.
    let down = try CommandLineTests.run([
      "bench", path("suite.yaml"), "--config", path("ltb.toml"), "--database", "sqlite:" + database,
      "--log-to", "mlflow",
    ])
    #expect(down.status == 0, "\(down.stderr)")
    #expect(down.stderr.contains("queued: `ltb serve` on this database tries again in"), "\(down.stderr)")
    let queued = try #require(BenchCommandTests.sessionID(in: down.stderr))
    let shown = try CommandLineTests.run(["sessions", "show", queued, "--database", "sqlite:" + database])
    #expect(shown.stdout.contains("export to mlflow: retrying, 1 attempt(s), next at "), "\(shown.stdout)")
    #expect(shown.stdout.contains("did not answer"), "\(shown.stdout)")

    // The server's export queue, asked while no MLflow answers: the export waits and retries.
    let key = try ServedAPI.key(database: "sqlite:" + database)
    let server = try ServedAPI.start(
      port: apiPort, database: "sqlite:" + database, ["--config", path("ltb.toml")])
    defer { server.process.terminate() }
    try await APIServerTests.waitUntilReady(apiPort, server)
    func graphql(_ query: String) throws -> JSONValue {
      let body: JSONValue = ["query": .string(query)]
      let answer = try Shell.run(
        "/usr/bin/curl",
        ["-s", "-X", "POST", "http://127.0.0.1:\(apiPort)/graphql", "-H", "Content-Type: application/json"]
          + ServedAPI.bearer(key) + ["-d", body.serialized()])
      return try JSONValue.parse(Data(answer.stdout.utf8))
    }
    let requested = try graphql(
      #"mutation { exportSession(id: "\#(first)", to: MLFLOW) { tracker state attempts } }"#)
    #expect(requested["data"]?["exportSession"]?["state"] == "PENDING", "\(requested)")
    let exportsQuery =
      #"{ benchmark(id: "\#(first)") { exports { state attempts lastError externalId url nextAttemptAt } } }"#
    var exports: JSONValue = .null
    try await AlertingTests.eventually(60) {
      exports = (try? graphql(exportsQuery))?["data"]?["benchmark"]?["exports"]?[0] ?? .null
      return exports["state"] == "RETRYING"
    }
    #expect(exports["state"] == "RETRYING", "\(exports)")
    #expect(exports["lastError"]?.stringValue?.contains("did not answer") == true, "\(exports)")
    #expect(exports["nextAttemptAt"]?.stringValue != nil)

    // MLflow comes up: a later attempt writes the export.
    let mlflow = try Self.startServer(python: python, port: mlflowPort, in: directory)
    defer { kill(mlflow.processIdentifier, SIGKILL) }
    try await AlertingTests.eventually(120) {
      exports = (try? graphql(exportsQuery))?["data"]?["benchmark"]?["exports"]?[0] ?? .null
      return exports["state"] == "COMPLETE"
    }
    #expect(exports["state"] == "COMPLETE", "\(exports)")
    #expect((exports["attempts"]?.intValue ?? 0) >= 2)
    #expect(exports["lastError"] == .null)
    let exportedRun = try #require(exports["externalId"]?.stringValue)
    #expect(exports["url"]?.stringValue?.hasSuffix("/runs/\(exportedRun)") == true)
    let read = try Shell.run(
      python,
      [
        BenchCommandTests.repository.appendingPathComponent("scripts/reference/mlflow_read.py").path,
        "http://127.0.0.1:\(mlflowPort)", exportedRun,
      ])
    #expect(read.status == 0, "\(read.stderr.suffix(2_000))")
    #expect(try JSONValue.parse(read.stdout)["run"]?["metrics"]?["requests"]?.doubleValue == 10)
    // The export --log-to queued is written by the same queue.
    let queuedQuery = #"{ benchmark(id: "\#(queued)") { exports { state attempts externalId } } }"#
    var queuedExport: JSONValue = .null
    try await AlertingTests.eventually(150) {
      queuedExport = (try? graphql(queuedQuery))?["data"]?["benchmark"]?["exports"]?[0] ?? .null
      return queuedExport["state"] == "COMPLETE"
    }
    #expect(
      queuedExport["state"] == "COMPLETE" && (queuedExport["attempts"]?.intValue ?? 0) >= 2, "\(queuedExport)"
    )
    let shownAfter = try CommandLineTests.run([
      "sessions", "show", queued, "--database", "sqlite:" + database,
    ])
    #expect(shownAfter.stdout.contains("export to mlflow: complete, "), "\(shownAfter.stdout)")

    // A run logged while it runs: the same run gets the live steps and then the whole export.
    let started = Date()
    let live = try CommandLineTests.run([
      "bench", path("suite.yaml"), "--config", path("ltb.toml"), "--database", "sqlite:" + database,
      "--log-to", "mlflow",
    ])
    let ended = Date()
    #expect(live.status == 0, "\(live.stderr)")
    let logged = try #require(
      live.stderr.split(separator: "\n").first { $0.hasPrefix("logged to mlflow as run ") }, "\(live.stderr)")
    let liveRun = String(logged.dropFirst("logged to mlflow as run ".count).prefix(32))
    let liveRead = try Shell.run(
      python,
      [
        BenchCommandTests.repository.appendingPathComponent("scripts/reference/mlflow_read.py").path,
        "http://127.0.0.1:\(mlflowPort)", liveRun,
      ])
    #expect(liveRead.status == 0, "\(liveRead.stderr.suffix(2_000))")
    let seen = try JSONValue.parse(liveRead.stdout)
    #expect(seen["run"]?["tags"]?["ltb.export"] == "complete")
    #expect(seen["run"]?["status"] == "FINISHED")
    #expect(seen["run"]?["params"]?["suite"] == "mlflow-live")
    #expect(seen["run"]?["liveE2eSteps"] == 10, "every request is a live step")
    let counts = seen["run"]?["liveCompleted"]?.arrayValue ?? []
    #expect(counts.last?[1]?.doubleValue == 10, "\(counts)")
    // Logged during the run: a count below the total, stamped before the command ended.
    let early = counts.first { ($0[1]?.doubleValue ?? 10) < 10 }
    #expect(early != nil, "no live step was logged before the run ended: \(counts)")
    if let stamp = early?[2]?.doubleValue {
      #expect(stamp / 1_000 > started.timeIntervalSince1970 && stamp / 1_000 < ended.timeIntervalSince1970)
    }
    #expect(seen["children"]?.arrayValue?.count == 1)

    // compare_runs: the two runs read back from MLflow compare as the stored sessions do.
    let second = try #require(BenchCommandTests.sessionID(in: live.stderr))
    let throughMLflow = try CommandLineTests.run([
      "compare", "--from", "mlflow", exportedRun, liveRun, "--json", "--config", path("ltb.toml"),
    ])
    #expect(throughMLflow.status == 0, "\(throughMLflow.stderr)")
    let stored = try CommandLineTests.run([
      "compare", first, second, "--json", "--database", "sqlite:" + database,
    ])
    #expect(stored.status == 0, "\(stored.stderr)")
    let remote = try JSONValue.parse(Data(throughMLflow.stdout.utf8))
    let local = try JSONValue.parse(Data(stored.stdout.utf8))
    #expect(remote["pairedCases"] == 10 && remote["pairedCases"] == local["pairedCases"], "\(remote)")
    let remoteMetrics = remote["metrics"]?.arrayValue ?? []
    let compared = Set(remoteMetrics.compactMap { $0["name"]?.stringValue })
    #expect(compared.isSuperset(of: ["contains", "latency_ms"]), "\(compared)")
    #expect(
      remoteMetrics == local["metrics"]?.arrayValue, "the same figures through MLflow as from the store")
    let notSession = try CommandLineTests.run([
      "compare", "--from", "mlflow", exportedRun, "0123456789abcdef0123456789abcdef", "--config",
      path("ltb.toml"),
    ])
    #expect(notSession.status == 66 && notSession.stderr.contains("has no run"), "\(notSession.stderr)")

    // A dataset imported through the API lands in the import directory, ready for a suite.
    try Data(
      #"{"examples": [{"query": "What is 2 + 2?", "reference_answer": "4", "reference_contexts": ["Arithmetic."]}, {"query": "Capital of France?", "reference_answer": "Paris"}]}"#
        .utf8
    ).write(to: URL(fileURLWithPath: path("rag.json")))
    let imported = try graphql(
      #"mutation { importDataset(input: {from: LLAMAINDEX, name: "\#(path("rag.json"))"}) { source path cases } }"#
    )
    #expect(imported["data"]?["importDataset"]?["cases"] == 2, "\(imported)")
    #expect(
      imported["data"]?["importDataset"]?["path"]?.stringValue == path("imported") + "/llamaindex-rag.jsonl")
    let validated = try CommandLineTests.run(["dataset", "validate", path("imported/llamaindex-rag.jsonl")])
    #expect(validated.status == 0 && validated.stdout.contains("2 valid cases"), "\(validated.stdout)")
    let audit = try graphql(#"{ auditLog(first: 20) { edges { node { action } } } }"#)
    let actions = audit["data"]?["auditLog"]?["edges"]?.arrayValue?.compactMap {
      $0["node"]?["action"]?.stringValue
    }
    #expect(Set(actions ?? []).isSuperset(of: ["session.export", "dataset.import"]), "\(audit)")
  }
}
