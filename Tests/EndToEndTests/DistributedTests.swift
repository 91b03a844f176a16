import Foundation
import LTBCore
import LTBProviders
import Testing

/// Distributed runs as a user runs them: `ltb serve` (coordinator inside) on a real PostgreSQL,
/// `ltb worker` processes, `ltb bench --distributed`, and processes killed, stopped and drained
/// mid-run. Each test checks by task key in the database that every task was stored exactly once.
@Suite("Distributed runs", .serialized, .timeLimit(.minutes(3)))
struct DistributedTests {
  static func withCluster(_ body: (DistributedCluster) async throws -> Void) async throws {
    let cluster = try DistributedCluster()
    defer { cluster.tearDown() }
    try await cluster.startServer()
    try await body(cluster)
  }

  @Test("three workers run a suite: every task stored once, the summary a local run's; routing by provider")
  func threeWorkers() async throws {
    try await Self.withCluster { cluster in
      for name in ["w1", "w2", "w3"] { try cluster.startWorker(name) }
      // A fourth worker offers only the local model: no task of `fake` may reach it.
      try cluster.startWorker("llama-only", ["--providers", "llamacpp"])
      try await cluster.waitForWorkers(4)
      let suite = try cluster.suite(cases: 300, rate: 150)
      let run = try cluster.bench(suite).finish()
      #expect(run.status == 0, "\(run.stderr.suffix(2_000))")
      let session = try #require(BenchCommandTests.sessionID(in: run.stderr))
      #expect(run.stdout.contains("completed"))
      let stored = try cluster.stored(session)
      #expect(stored.rows == 300 && stored.keys == 300 && stored.succeeded == 300, "\(stored)")
      #expect(try cluster.sql("SELECT count(*) FROM queue_tasks WHERE state = 'done'") == "300")
      // Each worker's figures reach the registry at its heartbeats.
      try await Task.sleep(for: .milliseconds(1_500))
      let done = try cluster.sql("SELECT name || '=' || tasks_done FROM workers ORDER BY name")
        .split(separator: "\n").map(String.init)
      let counts = Dictionary(
        uniqueKeysWithValues: done.map {
          ($0.split(separator: "=")[0], Int($0.split(separator: "=")[1]) ?? -1)
        })
      #expect(counts["llama-only"] == 0, "\(done)")
      #expect(["w1", "w2", "w3"].allSatisfy { (counts[Substring($0)] ?? 0) > 0 }, "\(done)")
      #expect(["w1", "w2", "w3"].reduce(0) { $0 + (counts[Substring($1)] ?? 0) } == 300, "\(done)")
      // The same suite run locally reports the same counts.
      let local = try CommandLineTests.run(
        ["bench", suite, "--database", cluster.database, "--no-eval"], environment: cluster.environment)
      #expect(local.status == 0, "\(local.stderr.suffix(1_000))")
      let line = { (text: String) in
        text.split(separator: "\n").first { $0.contains("requests ") }.map(String.init)
      }
      #expect(
        line(run.stdout) != nil && line(run.stdout) == line(local.stdout), "\(run.stdout)\n\(local.stdout)")
    }
  }

  @Test(
    "the API: createBenchmark(distributed: true) with gql, the workers query, workerEvents, /metrics families"
  )
  func throughTheAPI() async throws {
    try await Self.withCluster { cluster in
      for name in ["w1", "w2"] { try cluster.startWorker(name) }
      try await cluster.waitForWorkers(2)
      let suite = try cluster.suite(cases: 200, rate: 100)
      let script = BenchCommandTests.repository.appendingPathComponent("scripts/reference/gql_workers.py")
        .path
      let run = try Shell.run(
        try APIServerTests.python(),
        [script, "ws://127.0.0.1:\(cluster.httpPort)/graphql", suite, cluster.key])
      #expect(run.status == 0, "\(run.stderr.suffix(2_000))")
      let seen = try JSONValue.parse(run.stdout)
      #expect(seen["final"]?["benchmark"]?["status"] == "COMPLETED", "\(run.stdout.prefix(2_000))")
      #expect(seen["final"]?["benchmark"]?["resultCounts"] == ["SUCCESS": 200])
      let workers = seen["workers"]?.arrayValue ?? []
      #expect(workers.count == 2)
      #expect(workers.allSatisfy { $0["state"] == "ACTIVE" && ($0["tasksDone"]?.intValue ?? 0) > 0 })
      #expect(workers.reduce(0) { $0 + ($1["tasksDone"]?.intValue ?? 0) } == 200)
      #expect(workers.allSatisfy { $0["providers"]?.arrayValue?.contains("fake") == true })
      #expect(
        workers.allSatisfy { $0["scheduleLagP99Ms"]?.doubleValue != nil && $0["maxConcurrentTasks"] == 8 })
      let events = seen["events"]?.arrayValue ?? []
      let joined = Set(
        events.filter { $0["kind"] == "JOINED" }.compactMap { $0["worker"]?["name"]?.stringValue })
      #expect(joined == ["w1", "w2"], "\(events.prefix(4))")
      #expect(events.contains { $0["kind"] == "CHANGED" && ($0["worker"]?["tasksDone"]?.intValue ?? 0) > 0 })

      let scrape = try Shell.run("/usr/bin/curl", ["-fs", "http://127.0.0.1:\(cluster.httpPort)/metrics"])
      let exposition = cluster.directory.appendingPathComponent("metrics.txt")
      try Data(scrape.stdout.utf8).write(to: exposition)
      let check = try Shell.run("/bin/sh", ["-c", "promtool check metrics < '\(exposition.path)'"])
      #expect(check.status == 0, "promtool: \(check.stdout)\(check.stderr)")
      let lines = Set(scrape.stdout.split(separator: "\n").map(String.init))
      #expect(lines.contains(#"ltb_queue_tasks{state="done"} 200.0"#), "\(scrape.stdout.suffix(3_000))")
      #expect(lines.contains(#"ltb_queue_tasks{state="queued"} 0.0"#))
      #expect(lines.contains(#"ltb_workers{state="active"} 2.0"#))
      #expect(lines.contains { $0.hasPrefix(#"ltb_worker_tasks{worker="w1"}"#) })
      #expect(lines.contains { $0.hasPrefix("ltb_lease_expiries_total ") })
    }
  }

  @Test("kill -9 of a worker mid-run: its leases lapse and other workers run them; nothing lost or doubled")
  func killedWorker() async throws {
    try await Self.withCluster { cluster in
      for name in ["w1", "w2", "w3"] { try cluster.startWorker(name) }
      try await cluster.waitForWorkers(3)
      let bench = try cluster.bench(try cluster.suite(cases: 500, rate: 100))
      try await Task.sleep(for: .seconds(2))
      let victim = try #require(cluster.workers["w1"])
      kill(victim.process.processIdentifier, SIGKILL)
      let run = bench.finish()
      #expect(run.status == 0, "\(run.stderr.suffix(2_000))")
      let session = try #require(BenchCommandTests.sessionID(in: run.stderr))
      let stored = try cluster.stored(session)
      #expect(stored.rows == 500 && stored.keys == 500 && stored.succeeded == 500, "\(stored)")
      #expect(
        try Int(cluster.sql("SELECT count(*) FROM queue_tasks WHERE attempts > 1")) ?? 0 > 0,
        "the killed worker's leases were leased again")
      #expect(try cluster.sql("SELECT state FROM workers WHERE name = 'w1'") == "gone")
    }
  }

  @Test("SIGSTOP a worker past its lease, then SIGCONT: its late results are refused by the fence")
  func stoppedWorker() async throws {
    try await Self.withCluster { cluster in
      for name in ["w1", "w2"] { try cluster.startWorker(name) }
      try await cluster.waitForWorkers(2)
      let bench = try cluster.bench(try cluster.suite(cases: 500, rate: 100))
      try await Task.sleep(for: .seconds(1))
      let paused = try #require(cluster.workers["w1"])
      kill(paused.process.processIdentifier, SIGSTOP)
      try await Task.sleep(for: .seconds(4))
      kill(paused.process.processIdentifier, SIGCONT)
      let run = bench.finish()
      #expect(run.status == 0, "\(run.stderr.suffix(2_000))")
      let session = try #require(BenchCommandTests.sessionID(in: run.stderr))
      let stored = try cluster.stored(session)
      #expect(stored.rows == 500 && stored.keys == 500 && stored.succeeded == 500, "\(stored)")
      kill(paused.process.processIdentifier, SIGTERM)
      let log = paused.finish()
      #expect(log.stderr.contains("refused"), "\(log.stderr.suffix(3_000))")
      #expect(log.status == 0)
    }
  }

  @Test("kill -9 of the coordinator mid-run, restart: workers reconnect and the run completes exactly once")
  func restartedCoordinator() async throws {
    try await Self.withCluster { cluster in
      for name in ["w1", "w2"] { try cluster.startWorker(name) }
      try await cluster.waitForWorkers(2)
      let bench = try cluster.bench(try cluster.suite(cases: 500, rate: 100))
      try await Task.sleep(for: .milliseconds(1_500))
      let server = try #require(cluster.server)
      kill(server.process.processIdentifier, SIGKILL)
      _ = server.finish()
      try await Task.sleep(for: .seconds(1))
      try await cluster.startServer()
      let run = bench.finish()
      #expect(run.status == 0, "\(run.stderr.suffix(2_000))")
      let session = try #require(BenchCommandTests.sessionID(in: run.stderr))
      let stored = try cluster.stored(session)
      #expect(stored.rows == 500 && stored.keys == 500 && stored.succeeded == 500, "\(stored)")
      let worker = try #require(cluster.workers["w1"])
      kill(worker.process.processIdentifier, SIGTERM)
      let log = worker.finish()
      #expect(log.stderr.contains("lost the coordinator"), "\(log.stderr.suffix(2_000))")
    }
  }

  @Test(
    "a worker's probes: /health at once, /ready only while the coordinator answers; ltb healthcheck says so")
  func workerProbes() async throws {
    try await Self.withCluster { cluster in
      let port = try FreePort.find()
      try cluster.startWorker("probed", ["--health-port", String(port), "--health-host", "127.0.0.1"])
      let ready = "http://127.0.0.1:\(port)/ready"
      try await AlertingTests.eventually(20) {
        (try? CommandLineTests.run(["healthcheck", ready]))?.status == 0
      }
      let healthy = try CommandLineTests.run(["healthcheck", ready])
      #expect(healthy.status == 0 && healthy.stdout.contains("answered 200"), "\(healthy)")
      let metrics = try Shell.run("/usr/bin/curl", ["-fs", "http://127.0.0.1:\(port)/metrics"]).stdout
      #expect(
        metrics.contains("ltb_worker_capacity 8") && metrics.contains("ltb_worker_draining 0"), "\(metrics)")
      let age = metrics.split(separator: "\n").first { $0.hasPrefix("ltb_worker_heartbeat_age_seconds ") }
      #expect(
        age.flatMap { Double($0.split(separator: " ")[1]) }.map { (0..<3).contains($0) } == true, "\(metrics)"
      )

      // The coordinator gone: after three missed heartbeats the worker is not ready, still alive.
      let server = try #require(cluster.server)
      kill(server.process.processIdentifier, SIGKILL)
      _ = server.finish()
      var refused = (status: Int32(0), stdout: "", stderr: "")
      try await AlertingTests.eventually(20) {
        refused = (try? CommandLineTests.run(["healthcheck", ready])) ?? refused
        return refused.status != 0
      }
      #expect(refused.status == 69 && refused.stderr.contains("answered 503"), "\(refused)")
      #expect(refused.stderr.contains("no heartbeat answered"), "\(refused.stderr)")
      #expect(try CommandLineTests.run(["healthcheck", "http://127.0.0.1:\(port)/health"]).status == 0)
      try await cluster.startServer()
      try await AlertingTests.eventually(20) {
        (try? CommandLineTests.run(["healthcheck", ready]))?.status == 0
      }
      #expect(try CommandLineTests.run(["healthcheck", ready]).status == 0)
    }
    // A worker that never reached its coordinator is alive and not ready, and says why.
    let port = try FreePort.find()
    let lonely = try CommandLineTests.start(
      [
        "worker", "--coordinator", "http://127.0.0.1:\(try FreePort.find())", "--token", "ltb_nothing",
        "--health-port", String(port), "--health-host", "127.0.0.1",
      ],
      environment: [
        "LTB_PROVIDERS__FAKE__TYPE": "openai-compatible",
        "LTB_PROVIDERS__FAKE__BASE_URL": "http://127.0.0.1:9/v1",
      ])
    defer {
      kill(lonely.process.processIdentifier, SIGKILL)
      _ = lonely.finish()
    }
    try await AlertingTests.eventually(20) {
      (try? CommandLineTests.run(["healthcheck", "http://127.0.0.1:\(port)/health"]))?.status == 0
    }
    let waiting = try Shell.run("/usr/bin/curl", ["-s", "http://127.0.0.1:\(port)/ready"])
    #expect(waiting.stdout.contains("not registered with the coordinator yet"), "\(waiting)")
    let bad = try CommandLineTests.run(["healthcheck", "ftp://example.org"])
    #expect(bad.status == 78 && bad.stderr.contains("not an http(s) URL"), "\(bad)")
    let closed = try CommandLineTests.run(["healthcheck", "http://127.0.0.1:\(try FreePort.find())/health"])
    #expect(closed.status == 69 && closed.stderr.contains("did not answer"), "\(closed)")
  }

  @Test("cancelling a run reaches every worker; resume finishes it; SIGTERM drains a worker, nothing lost")
  func cancelResumeAndDrain() async throws {
    try await Self.withCluster { cluster in
      for name in ["w1", "w2"] { try cluster.startWorker(name) }
      try await cluster.waitForWorkers(2)
      let suite = try cluster.suite(cases: 400, rate: 100)
      let bench = try cluster.bench(suite)
      try await Task.sleep(for: .milliseconds(1_500))
      kill(bench.process.processIdentifier, SIGINT)
      let cancelled = bench.finish()
      #expect(cancelled.status == 130, "\(cancelled.stderr.suffix(2_000))")
      let session = try #require(BenchCommandTests.sessionID(in: cancelled.stderr))
      let open = try cluster.sql(
        "SELECT count(*) FROM queue_tasks WHERE session_id = '\(session)' AND state IN ('queued', 'leased')")
      #expect(open == "0")
      let partial = try cluster.stored(session)
      #expect(partial.rows > 0 && partial.rows < 400 && partial.rows == partial.keys, "\(partial)")

      // Resume, and drain one worker in the middle: its tasks are finished or handed back.
      let resumed = try cluster.bench(suite, ["--resume", session])
      try await Task.sleep(for: .seconds(1))
      let drained = try #require(cluster.workers["w1"])
      kill(drained.process.processIdentifier, SIGTERM)
      let drainLog = drained.finish()
      #expect(drainLog.status == 0, "\(drainLog.stderr.suffix(2_000))")
      #expect(drainLog.stderr.contains("drained"))
      #expect(drainLog.stderr.contains("sessions cancelled"), "the cancellation reached w1")
      let run = resumed.finish()
      #expect(run.status == 0, "\(run.stderr.suffix(2_000))")
      let stored = try cluster.stored(session)
      #expect(stored.rows == 400 && stored.keys == 400 && stored.succeeded == 400, "\(stored)")
      #expect(try cluster.sql("SELECT count(*) FROM queue_tasks WHERE state = 'failed'") == "0")
      let other = try #require(cluster.workers["w2"])
      kill(other.process.processIdentifier, SIGTERM)
      #expect(other.finish().stderr.contains("sessions cancelled"), "the cancellation reached w2")
    }
  }

  @Test("no worker: a clear refusal; a viewer's key and a missing key are refused; a wrong certificate too")
  func refusals() async throws {
    try await Self.withCluster { cluster in
      let suite = try cluster.suite(cases: 5, rate: 10)
      let none = try cluster.bench(suite).finish()
      #expect(none.status != 0)
      #expect(none.stderr.contains("no worker is connected"), "\(none.stderr)")
      #expect(none.stderr.contains("ltb worker --coordinator"))

      let viewerKey = try ServedAPI.key(database: cluster.database, name: "viewer", role: "viewer")
      try cluster.startWorker("viewer", token: viewerKey)
      let viewer = try #require(cluster.workers["viewer"]).finish()
      #expect(viewer.status == 77, "\(viewer.stderr)")
      #expect(viewer.stderr.contains("may not run benchmarks"), "\(viewer.stderr)")
      let missing = try CommandLineTests.run(
        ["worker", "--coordinator", "http://127.0.0.1:\(cluster.grpcPort)"], environment: cluster.environment)
      #expect(missing.status == 78 && missing.stderr.contains("--token"), "\(missing.stderr)")
      let bogus = try CommandLineTests.run(
        ["worker", "--coordinator", "http://127.0.0.1:\(cluster.grpcPort)", "--token", "ltb_not-a-key"],
        environment: cluster.environment)
      #expect(bogus.status == 77, "\(bogus.stderr)")

      // TLS: a coordinator with a certificate signed by one authority; a worker trusting it
      // joins, one trusting another authority is refused.
      let tls = try Self.certificates(in: cluster.directory)
      let port = try FreePort.find()
      let coordinator = try CommandLineTests.start(
        [
          "coordinator", "--database", cluster.database, "--grpc-port", String(port), "--grpc-tls-cert",
          tls.cert,
          "--grpc-tls-key", tls.key,
        ], environment: cluster.environment)
      defer { kill(coordinator.process.processIdentifier, SIGKILL) }
      _ = coordinator.waitForError("coordinator on https://")
      let trusted = try CommandLineTests.start(
        [
          "worker", "--coordinator", "https://127.0.0.1:\(port)", "--token", cluster.key, "--name", "tls",
          "--ca-cert", tls.ca,
        ], environment: cluster.environment)
      try await cluster.waitForWorkers(1)
      let untrusted = try CommandLineTests.run(
        [
          "worker", "--coordinator", "https://127.0.0.1:\(port)", "--token", cluster.key, "--ca-cert",
          tls.otherCA,
        ], environment: cluster.environment)
      #expect(untrusted.status == 78, "\(untrusted.stderr.suffix(1_000))")
      #expect(untrusted.stderr.contains("certificate"), "\(untrusted.stderr.suffix(1_000))")

      // SIGTERM stops the coordinator promptly with exit 0 though a worker's stream is open
      // (the stream is cancelled; the worker reconnects), then drains the worker.
      let stopping = ContinuousClock.now
      kill(coordinator.process.processIdentifier, SIGTERM)
      let stopped = coordinator.finish()
      #expect(stopped.status == 0, "\(stopped.stderr.suffix(1_000))")
      #expect(
        ContinuousClock.now - stopping < .seconds(5),
        "the coordinator took \(ContinuousClock.now - stopping) to stop")
      kill(trusted.process.processIdentifier, SIGTERM)
      #expect(trusted.finish().status == 0)
    }
  }

  /// A CA, a certificate it signs for 127.0.0.1, and an unrelated CA, made with openssl.
  static func certificates(in directory: URL) throws -> (
    ca: String, cert: String, key: String, otherCA: String
  ) {
    let path = { (name: String) in directory.appendingPathComponent(name).path }
    let steps: [[String]] = [
      [
        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", path("ca.key"), "-out", path("ca.pem"),
        "-days",
        "2", "-subj", "/CN=ltb test CA",
      ],
      [
        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", path("other.key"), "-out",
        path("other.pem"),
        "-days", "2", "-subj", "/CN=another CA",
      ],
      [
        "req", "-newkey", "rsa:2048", "-nodes", "-keyout", path("server.key"), "-out", path("server.csr"),
        "-subj",
        "/CN=127.0.0.1",
      ],
      [
        "x509", "-req", "-in", path("server.csr"), "-CA", path("ca.pem"), "-CAkey", path("ca.key"),
        "-CAcreateserial", "-out", path("server.pem"), "-days", "2", "-extfile", path("san.cnf"),
      ],
    ]
    try Data("subjectAltName=IP:127.0.0.1,DNS:localhost\n".utf8).write(
      to: URL(fileURLWithPath: path("san.cnf")))
    for step in steps {
      let made = try Shell.run("/usr/bin/openssl", step)
      guard made.status == 0 else { throw LTBError(.internal, "openssl \(step[0]): \(made.stderr)") }
    }
    return (path("ca.pem"), path("server.pem"), path("server.key"), path("other.pem"))
  }
}
