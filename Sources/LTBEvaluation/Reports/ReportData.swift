public import Foundation
public import LTBCore
public import LTBStorage

/// Everything a report shows about one session, loaded once: the session, its measured
/// results, their verdicts and the evaluation summary.
public struct ReportData: Sendable {
  /// The session.
  public var session: BenchmarkSession
  /// Its measured results (warm-ups excluded), oldest first.
  public var results: [BenchmarkResult]
  /// Metric verdicts by result.
  public var records: [UUID: [EvaluationRecord]]
  /// Case verdicts by result.
  public var cases: [UUID: CaseEvaluation]
  /// The per-target summary.
  public var evaluation: SessionEvaluation
  /// Every metric name, sorted.
  public var metricNames: [String]

  /// Loads a session's report data.
  public static func load(session id: UUID, store: any BenchStore) async throws -> ReportData {
    guard let session = try await store.session(id) else {
      throw LTBError(.notFound, "no session \(id)", fix: "list sessions with `ltb sessions list`")
    }
    let data = try await SessionRecords.load(session: id, store: store)
    return ReportData(
      session: session, results: data.results, records: Dictionary(grouping: data.records, by: \.resultID),
      cases: Dictionary(data.cases.map { ($0.resultID, $0) }, uniquingKeysWith: { $1 }),
      evaluation: SessionEvaluation.summarize(
        data, session: id,
        cache: try await store.evaluationRun(session: id)?.cache ?? EvaluationCache.Statistics()),
      metricNames: Set(data.records.map(\.metric)).sorted())
  }

  /// The targets in the order first seen.
  var labels: [String] {
    var seen: [String] = []
    for result in results where !seen.contains(SessionRecords.label(result)) {
      seen.append(SessionRecords.label(result))
    }
    return seen
  }

  /// Percentiles (p50, p90, p95, p99) of a measurement for one target's successful results.
  func percentiles(_ label: String, _ value: (BenchmarkResult) -> Double?) -> [String: Double] {
    let values = results.filter { SessionRecords.label($0) == label && $0.status == .success }.compactMap(
      value
    )
    .sorted()
    guard !values.isEmpty else { return [:] }
    return [
      "p50": Statistics.quantile(sorted: values, 0.5), "p90": Statistics.quantile(sorted: values, 0.9),
      "p95": Statistics.quantile(sorted: values, 0.95), "p99": Statistics.quantile(sorted: values, 0.99),
    ]
  }

  /// The verdict of a result as text: pass, fail, error, or `-` when nothing was asserted.
  func verdict(_ result: BenchmarkResult) -> String {
    if let verdict = cases[result.id]?.verdict { return verdict.rawValue }
    return result.status == .success ? "-" : "error"
  }
}
