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
    var results: [BenchmarkResult] = []
    try await store.forEachResultPage(session: id) { page in results += page.filter { !$0.warmup } }
    let records = try await store.evaluations(session: id)
    return ReportData(
      session: session, results: results, records: Dictionary(grouping: records, by: \.resultID),
      cases: Dictionary(
        try await store.caseEvaluations(session: id).map { ($0.resultID, $0) }, uniquingKeysWith: { $1 }),
      evaluation: try await SessionEvaluation.load(
        session: id, store: store, cache: EvaluationCache.Statistics()),
      metricNames: Set(records.map(\.metric)).sorted())
  }

  /// `provider/model` of a result.
  static func label(_ result: BenchmarkResult) -> String { "\(result.provider)/\(result.model)" }

  /// The targets in the order first seen.
  var labels: [String] {
    var seen: [String] = []
    for result in results where !seen.contains(Self.label(result)) { seen.append(Self.label(result)) }
    return seen
  }

  /// Percentiles (p50, p90, p95, p99) of a measurement for one target's successful results.
  func percentiles(_ label: String, _ value: (BenchmarkResult) -> Double?) -> [String: Double] {
    let values = results.filter { Self.label($0) == label && $0.status == .success }.compactMap(value)
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
