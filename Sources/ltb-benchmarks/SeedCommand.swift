import ArgumentParser
import Foundation
import LTBCore
import LTBStorage

/// `ltb-benchmarks seed`: a store with one completed session of N results, each with two metric
/// verdicts, for the API benchmarks (a page of results with nested fields).
struct SeedCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "seed", abstract: "Fill a store with N results and two verdicts each; prints the session id."
  )

  @Option(name: .long, help: "sqlite:PATH or a postgres:// URL.") var database: String
  @Option(name: .long, help: "Results to insert.") var results = 1_000_000
  @Option(name: .long, help: "Results per insert batch.") var batch = 1_000

  func run() async throws {
    let store = try await SQLBenchStore.open(try DatabaseLocation(parsing: database))
    let (session, seconds) = try await Benchmarks.Storage.fill(
      store, name: "api-benchmark", results: results, batch: batch
    ) { rows in
      let verdicts = rows.flatMap { row in
        ["exact", "bleu"].map { metric in
          EvaluationRecord(
            resultID: row.id, sessionID: row.sessionID, testID: row.testID, metric: metric,
            evaluator: "deterministic", evaluatorVersion: 1, state: .scored,
            score: metric == "exact" ? 1 : 0.42,
            passed: true, explanation: metric)
        }
      }
      try await store.saveEvaluations(verdicts, cases: [])
    }
    FileHandle.standardError.write(
      Data(String(format: "seeded %d results with 2 verdicts each in %.1f s\n", results, seconds).utf8))
    print(session.id.uuidString.lowercased())
    await store.close()
  }
}
