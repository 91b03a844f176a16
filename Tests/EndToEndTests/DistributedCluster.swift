import Foundation
import LTBCore
import LTBProviders
import Testing

/// A distributed setup of real processes on loopback: a fresh PostgreSQL database, `ltb
/// fake-server` as provider `fake`, `ltb serve` with its coordinator, and `ltb worker`s that
/// join it with an API key; `bench` submits with `ltb bench --distributed` on the same store.
final class DistributedCluster: @unchecked Sendable {
  let directory: URL
  let database: String
  let admin: String
  let databaseName: String
  let fake: CommandLineTests.Running
  let fakePort: Int
  let httpPort: Int
  let grpcPort: Int
  let key: String
  var server: CommandLineTests.Running?
  var workers: [String: CommandLineTests.Running] = [:]
  /// Further variables for every process started from now on (the tracing test's `OTEL_*`).
  var extraEnvironment: [String: String] = [:]

  /// The environment every process shares: the provider, the signing secret, info logs.
  var environment: [String: String] {
    [
      "LTB_PROVIDERS__FAKE__TYPE": "openai-compatible",
      "LTB_PROVIDERS__FAKE__BASE_URL": "http://127.0.0.1:\(fakePort)/v1",
      "LTB_PROVIDERS__FAKE__DEFAULT_MODEL": "fake-model",
      "LTB_JWT_SECRET": ServedAPI.secret, "LTB_GENERAL__LOG_LEVEL": "info",
    ].merging(extraEnvironment) { _, extra in extra }
  }

  init() throws {
    directory = try BenchCommandTests.temporaryDirectory()
    admin =
      ProcessInfo.processInfo.environment["LTB_TEST_POSTGRES_URL"]
      ?? "postgres://postgres@127.0.0.1:54329/postgres"
    databaseName = "ltb_dist_\(UUID().uuidString.prefix(8).lowercased())"
    let create = try Shell.run("/usr/bin/psql", [admin, "-q", "-c", "CREATE DATABASE \(databaseName)"])
    guard create.status == 0 else { throw LTBError(.storage, "cannot create a database: \(create.stderr)") }
    var components = URLComponents(string: admin)!
    components.path = "/" + databaseName
    database = components.string!
    fakePort = try FreePort.find()
    fake = try CommandLineTests.start([
      "fake-server", "--port", String(fakePort), "--ttft-ms", "20", "--itl-ms", "2", "--tokens", "8",
    ])
    httpPort = try FreePort.find()
    grpcPort = try FreePort.find()
    key = try ServedAPI.key(database: database)
  }

  /// Stops every process and drops the database.
  func tearDown() {
    for worker in workers.values where worker.process.isRunning {
      kill(worker.process.processIdentifier, SIGKILL)
    }
    if let server, server.process.isRunning { kill(server.process.processIdentifier, SIGKILL) }
    fake.process.terminate()
    _ = try? Shell.run(
      "/usr/bin/psql", [admin, "-q", "-c", "DROP DATABASE IF EXISTS \(databaseName) WITH (FORCE)"])
    try? FileManager.default.removeItem(at: directory)
  }

  /// Starts `ltb serve` (gateway and coordinator) with 2 s leases, and waits until it is ready.
  func startServer() async throws {
    server = try CommandLineTests.start(
      [
        "serve", "--port", String(httpPort), "--database", database, "--rate-limit", "0", "--grpc-port",
        String(grpcPort), "--lease-ms", "2000",
      ], environment: environment)
    try await APIServerTests.waitUntilReady(httpPort, server)
  }

  /// Starts a worker named `name` (extra arguments after the defaults).
  func startWorker(_ name: String, _ extra: [String] = [], token: String? = nil) throws {
    workers[name] = try CommandLineTests.start(
      [
        "worker", "--coordinator", "http://127.0.0.1:\(grpcPort)", "--token", token ?? key, "--name", name,
        "--max-concurrency", "8",
      ] + extra, environment: environment)
  }

  /// Waits until `count` workers are registered and active.
  func waitForWorkers(_ count: Int) async throws {
    for _ in 0..<100 {
      if try Int(sql("SELECT count(*) FROM workers WHERE state = 'active'")) ?? 0 >= count { return }
      try await Task.sleep(for: .milliseconds(100))
    }
    throw LTBError(.timeout, "\(count) workers did not register within 10 s")
  }

  /// One value (or rows joined by newlines) of a query on the cluster's database.
  func sql(_ query: String) throws -> String {
    let answer = try Shell.run("/usr/bin/psql", [database, "-At", "-c", query])
    guard answer.status == 0 else { throw LTBError(.storage, "psql: \(answer.stderr)") }
    return answer.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
  }

  /// A suite of `cases` cases against `fake` at `rate` requests per second.
  func suite(cases: Int, rate: Int) throws -> String {
    let dataset = directory.appendingPathComponent("cases-\(cases).jsonl")
    try Data((0..<cases).map { #"{"id": "c\#($0)", "prompt": "case \#($0)"}"# }.joined(separator: "\n").utf8)
      .write(to: dataset)
    let path = directory.appendingPathComponent("suite-\(cases)-\(rate).yaml")
    try Data(
      """
      name: distributed
      datasets: [\(dataset.path)]
      targets: [{ provider: fake }]
      load: { pattern: constant, rate: \(rate), concurrency: 32 }
      """.utf8
    ).write(to: path)
    return path.path
  }

  /// Starts `ltb bench SUITE --distributed` on the cluster's store.
  func bench(_ suite: String, _ extra: [String] = []) throws -> CommandLineTests.Running {
    try CommandLineTests.start(
      ["bench", suite, "--distributed", "--database", database, "--no-eval"] + extra, environment: environment
    )
  }

  /// The task keys stored for `session`: how many rows, how many distinct keys, how many succeeded.
  func stored(_ session: String) throws -> (rows: Int, keys: Int, succeeded: Int) {
    let line = try sql(
      "SELECT count(*), count(DISTINCT task_key), count(*) FILTER (WHERE status = 'success') FROM results WHERE session_id = '\(session)'"
    )
    let parts = line.split(separator: "|").compactMap { Int($0) }
    return (parts[0], parts[1], parts[2])
  }
}
