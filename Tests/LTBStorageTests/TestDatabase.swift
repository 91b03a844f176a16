import Foundation
import LTBCore
import Logging
import PostgresNIO

@testable import LTBStorage

/// Fresh databases for tests: a temporary SQLite file, or a new database on the test
/// PostgreSQL server (`scripts/test-postgres start`, `LTB_TEST_POSTGRES_URL`).
enum TestDatabase {
  static var postgresURL: String {
    ProcessInfo.processInfo.environment["LTB_TEST_POSTGRES_URL"]
      ?? "postgres://postgres@127.0.0.1:54329/postgres"
  }

  /// A new, empty database of `dialect`; `drop` removes it.
  static func make(_ dialect: SQLDialectKind) async throws -> (
    location: DatabaseLocation, drop: @Sendable () async -> Void
  ) {
    switch dialect {
    case .sqlite:
      let path = FileManager.default.temporaryDirectory.appendingPathComponent(
        "ltb-test-\(UUID().uuidString).sqlite"
      ).path
      return (
        .sqlite(path: path),
        { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
      )
    case .postgres:
      let name =
        "ltb_test_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16))"
      try await admin("CREATE DATABASE \(name)")
      guard
        case .postgres(let host, let port, let username, let password, _, let socket) = try DatabaseLocation(
          parsing: postgresURL)
      else { throw LTBError(.internal, "LTB_TEST_POSTGRES_URL is not a PostgreSQL URL") }
      return (
        .postgres(
          host: host, port: port, username: username, password: password, database: name, unixSocket: socket),
        { try? await admin("DROP DATABASE IF EXISTS \(name) WITH (FORCE)") }
      )
    }
  }

  private static func admin(_ sql: String) async throws {
    guard
      case .postgres(let host, let port, let username, let password, let database, _) = try DatabaseLocation(
        parsing: postgresURL)
    else { throw LTBError(.internal, "LTB_TEST_POSTGRES_URL is not a PostgreSQL URL") }
    let configuration = PostgresConnection.Configuration(
      host: host, port: port, username: username, password: password, database: database, tls: .disable)
    let connection: PostgresConnection
    do {
      connection = try await PostgresConnection.connect(
        configuration: configuration, id: 1, logger: Logger(label: "ltb.test"))
    } catch {
      throw LTBError(
        .storage, "the test PostgreSQL server at \(postgresURL) is not reachable",
        fix: "run scripts/test-postgres start")
    }
    defer { Task { try? await connection.close() } }
    try await connection.query(PostgresQuery(unsafeSQL: sql), logger: Logger(label: "ltb.test"))
  }

  /// Opens a migrated store on a fresh database, runs `body`, closes and drops it.
  static func withStore<T: Sendable>(_ dialect: SQLDialectKind, _ body: (SQLBenchStore) async throws -> T)
    async throws -> T
  {
    let (location, drop) = try await make(dialect)
    let store = try await SQLBenchStore.open(location)
    do {
      let result = try await body(store)
      await store.close()
      await drop()
      return result
    } catch {
      await store.close()
      await drop()
      throw error
    }
  }
}

/// Test data.
enum Fixtures {
  static let suite = BenchmarkSuite(
    name: "conformance", datasets: ["/tmp/cases.jsonl"],
    targets: [BenchmarkTarget(provider: "alpha", model: "m1")])

  static func session(
    name: String = "conformance", createdAt: Date = Date(), status: SessionStatus = .running
  ) -> BenchmarkSession {
    BenchmarkSession(
      name: name, status: status, suite: suite, tags: ["ci", "nightly"], createdAt: rounded(createdAt),
      totalTasks: 10)
  }

  static func rounded(_ date: Date) -> Date {
    Date(timeIntervalSince1970: (date.timeIntervalSince1970 * 1_000_000).rounded() / 1_000_000)
  }

  static func result(
    session: UUID, index: Int, provider: String = "alpha", model: String = "m1",
    status: ResultStatus = .success,
    tags: [String] = ["t"], prompt: String? = nil, response: String? = nil, createdAt: Date? = nil,
    scores: [String: Double] = [:],
    warmup: Bool = false
  ) -> BenchmarkResult {
    BenchmarkResult(
      sessionID: session, taskKey: "0/0/ds/case-\(index)/0", testID: "case-\(index)", dataset: "ds",
      provider: provider, model: model,
      warmup: warmup, status: status, errorCode: status == .success ? nil : "server",
      error: status == .success ? nil : "boom (retry later)", prompt: prompt ?? "What is \(index) plus one?",
      response: status == .success ? (response ?? "It is \(index + 1).") : nil,
      finishReason: status == .success ? "stop" : nil,
      createdAt: rounded(createdAt ?? Date(timeIntervalSince1970: 1_790_000_000 + Double(index))),
      timing: RequestTiming(
        scheduledOffsetNanos: -1_500_000,
        contentEventOffsetsNanos: [10_000_000 + Int64(index) * 1_000, 20_000_000, 30_000_000],
        endOffsetNanos: 31_000_000),
      sentOffsetMs: Double(index) * 5, usage: Usage(inputTokens: 12, outputTokens: 3, cachedInputTokens: 2),
      cost: Cost(input: 0.00001, cachedInput: 0.000001, output: 0.00002),
      serverTimings: ServerTimings(
        source: "llama.cpp", promptTokens: 12, promptMilliseconds: 5.5, generatedTokens: 3,
        generationMilliseconds: 9.25),
      attempts: 1, parameters: SamplingParameters(temperature: 0.25, maxTokens: 16), tags: tags,
      category: "arith",
      metadata: ["source": "test", "n": .int(index)], evaluationScores: scores)
  }
}
