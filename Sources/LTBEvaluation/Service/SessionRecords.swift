public import Foundation
public import LTBCore
public import LTBStorage

/// What the store holds about a session's measured answers, read once: its results (warm-ups
/// excluded), their metric verdicts and their case verdicts. Summaries, profiles, reports and
/// comparisons are computed from it.
public struct SessionRecords: Sendable {
  /// The measured results, oldest first.
  public var results: [BenchmarkResult]
  /// Every metric verdict.
  public var records: [EvaluationRecord]
  /// Every case verdict.
  public var cases: [CaseEvaluation]

  /// Creates records.
  public init(results: [BenchmarkResult], records: [EvaluationRecord], cases: [CaseEvaluation]) {
    self.results = results
    self.records = records
    self.cases = cases
  }

  /// Reads a session's records.
  public static func load(session: UUID, store: any BenchStore) async throws -> SessionRecords {
    var results: [BenchmarkResult] = []
    try await store.forEachResultPage(session: session) { page in results += page.filter { !$0.warmup } }
    return SessionRecords(
      results: results, records: try await store.evaluations(session: session),
      cases: try await store.caseEvaluations(session: session))
  }

  /// `provider/model` of a result.
  static func label(_ result: BenchmarkResult) -> String { "\(result.provider)/\(result.model)" }

  /// The results of each provider/model, in the order first seen.
  var byTarget: [(label: String, results: [BenchmarkResult])] {
    var order: [String] = []
    var grouped: [String: [BenchmarkResult]] = [:]
    for result in results {
      let label = Self.label(result)
      if grouped[label] == nil { order.append(label) }
      grouped[label, default: []].append(result)
    }
    return order.map { ($0, grouped[$0] ?? []) }
  }
}
