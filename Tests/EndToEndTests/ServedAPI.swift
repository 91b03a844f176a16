import Foundation
import LTBCore
import LTBStorage
import Testing

/// `ltb serve` as an operator sets it up: a signing secret in the environment, an admin made
/// with `ltb users create` (password on stdin) and an API key from `ltb keys create`.
enum ServedAPI {
  /// A random signing secret for this test run (72 characters).
  static let secret = UUID().uuidString + UUID().uuidString

  /// The environment `ltb serve` needs, plus `extra`. The access log is off (`warning`): the
  /// tests read a server's standard error only when it has stopped, and a server whose pipe is
  /// full blocks on its next log line.
  static func environment(_ extra: [String: String] = [:]) -> [String: String] {
    extra.merging(["LTB_JWT_SECRET": secret, "LTB_GENERAL__LOG_LEVEL": "warning"]) { first, _ in first }
  }

  /// Creates user `name` with `role` in `database` and returns an API key for them.
  static func key(database: String, name: String = "admin", role: String = "admin") throws -> String {
    let created = try CommandLineTests.run(
      ["users", "create", name, "--email", "\(name)@example.org", "--role", role, "--database", database],
      input: "password-of-\(name)\n")
    #expect(created.status == 0, "\(created.stderr)")
    let key = try CommandLineTests.run([
      "keys", "create", "--user", name, "--name", "tests", "--database", database,
    ])
    #expect(key.status == 0, "\(key.stderr)")
    return key.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
  }

  /// Starts `ltb serve` on `port` over `database` (rate limiting off and the coordinator on any
  /// free port unless `arguments` set them).
  static func start(
    port: Int, database: String, _ arguments: [String] = [], environment: [String: String] = [:]
  ) throws -> CommandLineTests.Running {
    let limit = arguments.contains("--rate-limit") ? [] : ["--rate-limit", "0"]
    // The coordinator takes any free port unless the test names one, so servers run side by side.
    let grpc =
      arguments.contains("--grpc-port") || arguments.contains("--no-coordinator") ? [] : ["--grpc-port", "0"]
    return try CommandLineTests.start(
      ["serve", "--port", String(port), "--database", database] + limit + grpc + arguments,
      environment: Self.environment(environment))
  }

  /// curl arguments that authenticate with `key`.
  static func bearer(_ key: String) -> [String] { ["-H", "Authorization: Bearer \(key)"] }

  /// A SQLite store at `path` holding one completed session (named `name`) with one result.
  static func seed(_ path: String, name: String) async throws -> BenchmarkSession {
    let store = try await SQLBenchStore.open(.sqlite(path: path))
    let suite = BenchmarkSuite(name: name, datasets: [], targets: [BenchmarkTarget(provider: "llamacpp")])
    let session = BenchmarkSession(name: name, status: .completed, suite: suite, totalTasks: 1)
    do {
      try await store.createSession(session)
      try await store.insertResults([
        BenchmarkResult(
          sessionID: session.id, taskKey: "k", testID: "q", dataset: "d", provider: "llamacpp", model: "m",
          status: .success, prompt: "Capital of France?", response: "Paris")
      ])
      await store.close()
    } catch {
      await store.close()
      throw error
    }
    return session
  }
}
