import Foundation
import LTBCore
import LTBProviders
import LTBStorage
import Testing

/// `ltb serve` as a user runs it, probed by a real third-party client: schemathesis generates
/// requests from the served OpenAPI document and checks that none gets a server error.
@Suite("ltb serve", .serialized)
struct APIServerTests {
  /// The Python with the pinned tools (`scripts/python-tools`; `LTB_PYTHON` overrides).
  static func python() throws -> String {
    if let python = ProcessInfo.processInfo.environment["LTB_PYTHON"], !python.isEmpty { return python }
    let run = try Shell.run(
      BenchCommandTests.repository.appendingPathComponent("scripts/python-tools").path, [])
    return run.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
  }

  @Test("schemathesis runs every REST route from /api/v1/openapi.json and finds no server error")
  func schemathesis() async throws {
    let directory = try BenchCommandTests.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let path = directory.appendingPathComponent("api.sqlite").path
    let store = try await SQLBenchStore.open(.sqlite(path: path))
    let suite = BenchmarkSuite(name: "api", datasets: [], targets: [BenchmarkTarget(provider: "llamacpp")])
    let session = BenchmarkSession(name: "api", status: .completed, suite: suite, totalTasks: 1)
    try await store.createSession(session)
    try await store.insertResults([
      BenchmarkResult(
        sessionID: session.id, taskKey: "k", testID: "q", dataset: "d", provider: "llamacpp", model: "m",
        status: .success, prompt: "Capital of France?", response: "Paris")
    ])
    await store.close()
    let port = try FreePort.find()
    let server = try CommandLineTests.start(["serve", "--port", String(port), "--database", "sqlite:" + path])
    defer { server.process.terminate() }
    var ready = false
    for _ in 0..<100 where !ready {
      ready = (try? Shell.run("/usr/bin/curl", ["-fs", "http://127.0.0.1:\(port)/ready"]))?.status == 0
      if !ready { try await Task.sleep(for: .milliseconds(100)) }
    }
    #expect(ready, "ltb serve did not become ready")
    let tool = URL(fileURLWithPath: try Self.python()).deletingLastPathComponent().appendingPathComponent(
      "schemathesis")
    let run = try Shell.run(
      tool.path,
      [
        "run", "http://127.0.0.1:\(port)/api/v1/openapi.json", "--checks", "not_a_server_error",
        "--max-examples", "25",
        "--seed", "20261129",
      ])
    #expect(run.status == 0, "\(run.stdout.suffix(3_000))\(run.stderr.suffix(1_000))")
    #expect(run.stdout.contains("Tested: 15"), "every route was exercised")
    #expect(run.stdout.contains("passed"))
  }
}
