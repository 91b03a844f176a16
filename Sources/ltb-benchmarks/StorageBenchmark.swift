import ArgumentParser
import Foundation
import LTBCore
import LTBEngine
import LTBStorage

/// `ltb-benchmarks`: figures for docs/benchmarks.md (run by scripts/benchmark).
@main
struct Benchmarks: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "ltb-benchmarks",
    abstract:
      "Measure the store (insert rate, query latency) and the text metrics (throughput against Python).",
    subcommands: [
      Storage.self, TextMetricsBenchmark.self, SeedCommand.self, SubscriptionBenchmark.self,
      AuthBenchmark.self, PageBenchmark.self, CoordinatorBenchmark.self, AlertBenchmark.self,
      TracingOffBenchmark.self, PluginBenchmark.self,
    ])

  struct Storage: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Insert N results into a fresh session, then time filtered, paginated queries.")

    @Option(name: .long, help: "sqlite:PATH or a postgres:// URL.") var database: String
    @Option(name: .long, help: "Results to insert.") var results = 1_000_000
    @Option(name: .long, help: "Results per insert batch.") var batch = 1_000
    @Option(name: .long, help: "Queries to time.") var queries = 200

    func run() async throws {
      let store = try await SQLBenchStore.open(try DatabaseLocation(parsing: database))
      let (session, seconds) = try await Self.fill(
        store, name: "storage-benchmark", results: results, batch: batch)
      print(
        String(
          format: "insert: %d results in %.2f s = %.0f results/s", results, seconds, Double(results) / seconds
        ))
      var latencies: [Double] = []
      var cursor: String?
      for index in 0..<queries {
        let query = ResultQuery(
          sessionID: session.id, statuses: index % 2 == 0 ? [.success] : [.failure], limit: 50,
          cursor: index % 10 == 0 ? nil : cursor)
        let queryStart = ContinuousClock.now
        let page = try await store.results(query)
        latencies.append((ContinuousClock.now - queryStart).milliseconds)
        cursor = page.nextCursor
      }
      let tagged = ContinuousClock.now
      _ = try await store.results(ResultQuery(sessionID: session.id, tagsAny: ["t7"], limit: 50))
      let tagMs = (ContinuousClock.now - tagged).milliseconds
      let searched = ContinuousClock.now
      _ = try await store.results(ResultQuery(sessionID: session.id, text: "question 4242", limit: 50))
      let textMs = (ContinuousClock.now - searched).milliseconds
      let distribution = try require(Distribution(latencies))
      print(
        String(
          format:
            "query: session + status filter, 50 per page, cursor pages: p50 %.2f ms, p95 %.2f ms, p99 %.2f ms (n=%d)",
          distribution.p50, distribution.p95, distribution.p99, distribution.count))
      print(
        String(
          format: "query: session + any tag, 50 per page: %.2f ms; full-text search: %.2f ms", tagMs, textMs))
      await store.close()
    }

    /// A completed session of `results` results, inserted `batch` at a time (each batch also
    /// handed to `each`); returns the session and the seconds it took.
    static func fill(
      _ store: SQLBenchStore, name: String, results: Int, batch: Int,
      each: ([BenchmarkResult]) async throws -> Void = { _ in }
    ) async throws -> (BenchmarkSession, Double) {
      let suite = BenchmarkSuite(name: name, datasets: [], targets: [BenchmarkTarget(provider: "bench")])
      let session = BenchmarkSession(name: name, status: .completed, suite: suite, totalTasks: results)
      try await store.createSession(session)
      try await store.registerProvider(name: "bench", kind: .openaiCompatible, baseURL: "http://127.0.0.1")
      let start = ContinuousClock.now
      var inserted = 0
      while inserted < results {
        let count = min(batch, results - inserted)
        let rows = (inserted..<inserted + count).map { Self.result(session: session.id, index: $0) }
        try await store.insertResults(rows)
        try await each(rows)
        inserted += count
      }
      return (session, (ContinuousClock.now - start).milliseconds / 1_000)
    }

    static func result(session: UUID, index: Int) -> BenchmarkResult {
      let offsets = (0..<64).map { Int64(20_000_000 + $0 * 500_000) }
      return BenchmarkResult(
        sessionID: session, taskKey: "0/0/bench/c\(index)/0", testID: "c\(index)", dataset: "bench",
        provider: "bench",
        model: "fake-model", status: index % 20 == 0 ? .failure : .success,
        prompt: "Question \(index): what is \(index) plus one?",
        response: "tok0 tok1 tok2 tok3 \(index + 1)",
        createdAt: Date(timeIntervalSince1970: 1_790_000_000 + Double(index) / 1_000),
        timing: RequestTiming(
          scheduledOffsetNanos: -100_000, contentEventOffsetsNanos: offsets, endOffsetNanos: 52_000_000),
        sentOffsetMs: Double(index), usage: Usage(inputTokens: 12, outputTokens: 64),
        cost: Cost(input: 0.000012, output: 0.000128),
        tags: ["t\(index % 10)"], category: "bench")
    }
  }
}

/// `#require` for a command-line tool.
func require<T>(_ value: T?) throws -> T {
  guard let value else { throw LTBError(.internal, "a measurement was empty") }
  return value
}
