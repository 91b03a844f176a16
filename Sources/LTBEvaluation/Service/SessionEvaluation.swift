public import Foundation
public import LTBCore
public import LTBStorage

/// A session's evaluation, per target (provider and model): case verdicts, the case score and
/// every metric with their intervals, the judge's spend apart from the models' own cost, and the
/// evaluation cache's hits and misses.
public struct SessionEvaluation: Sendable, Codable {
  /// One provider/model of the session.
  public struct Group: Sendable, Codable {
    /// The provider.
    public var provider: String
    /// The model.
    public var model: String
    /// Responses evaluated.
    public var evaluated: Int
    /// Case verdicts: pass, fail, error.
    public var pass: Int
    /// Failed cases.
    public var fail: Int
    /// Errored cases.
    public var error: Int
    /// The weighted case score.
    public var caseScore: MetricSummary?
    /// Each metric by name.
    public var metrics: [String: MetricSummary]
    /// Accuracy, macro-F1 and the confusion matrix of each label-giving metric
    /// (`audio-classification`, `speaker-id`, `emotion`), by name.
    public var classifications: [String: ClassificationSummary]
    /// Cost of the model under test, USD.
    public var modelCost: Double
    /// The part of `modelCost` that was images, USD.
    public var imageCost: Double = 0
    /// The part of `modelCost` that was audio, USD.
    public var audioCost: Double = 0
    /// Cost of judging its answers, USD.
    public var judgeCost: Double
    /// Judge prompt tokens.
    public var judgeInputTokens: Int
    /// Judge completion tokens.
    public var judgeOutputTokens: Int
    /// Judge calls.
    public var judgeCalls: Int

    /// `provider/model`.
    public var label: String { "\(provider)/\(model)" }
  }

  /// The session.
  public var sessionID: UUID
  /// Per target, in the order first seen.
  public var groups: [Group]
  /// The evaluation cache's counts during the grading that produced the verdicts.
  public var cache: EvaluationCache.Statistics
  /// That grading: when, with which judge and embedder (absent for sessions never graded).
  public var run: EvaluationRun?

  /// Summarizes what the store holds for a session, with the cache counts of its last grading.
  public static func load(session: UUID, store: any BenchStore) async throws -> SessionEvaluation {
    let run = try await store.evaluationRun(session: session)
    var evaluation = summarize(
      try await SessionRecords.load(session: session, store: store), session: session,
      cache: run?.cache ?? EvaluationCache.Statistics())
    evaluation.run = run
    return evaluation
  }

  /// Summarizes a session's records, per provider/model.
  public static func summarize(_ data: SessionRecords, session: UUID, cache: EvaluationCache.Statistics)
    -> SessionEvaluation
  {
    let records = Dictionary(grouping: data.records, by: \.resultID)
    let verdicts = Dictionary(data.cases.map { ($0.resultID, $0) }, uniquingKeysWith: { $1 })
    let groups = data.byTarget.compactMap { label, results -> Group? in
      guard let first = results.first else { return nil }
      let mine = results.flatMap { records[$0.id] ?? [] }
      let cases = results.compactMap { verdicts[$0.id] }
      var metrics: [String: MetricSummary] = [:]
      var classifications: [String: ClassificationSummary] = [:]
      for (metric, rows) in Dictionary(grouping: mine, by: \.metric) {
        let labelled = rows.filter { $0.state == .scored }.compactMap(\.details)
        if let summary = ClassificationSummary(details: labelled) { classifications[metric] = summary }
        let scored = rows.filter { $0.state == .scored }
        // One fixed seed: the same data always give the same interval.
        metrics[metric] = MetricSummary(
          scores: scored.compactMap(\.score), passes: scored.compactMap(\.passed),
          errors: rows.filter { $0.state == .error }.count,
          unavailable: rows.filter { $0.state == .unavailable }.count, seed: 1)
      }
      let caseScores = cases.compactMap(\.score)
      let judged = mine.compactMap(\.judge)
      return Group(
        provider: first.provider, model: first.model, evaluated: cases.count,
        pass: cases.filter { $0.verdict == .pass }.count, fail: cases.filter { $0.verdict == .fail }.count,
        error: cases.filter { $0.verdict == .error }.count,
        caseScore: caseScores.isEmpty
          ? nil : MetricSummary(scores: caseScores, passes: cases.map { $0.verdict == .pass }, seed: 1),
        metrics: metrics, classifications: classifications,
        modelCost: results.reduce(0) { $0 + ($1.cost?.total ?? 0) },
        imageCost: results.reduce(0) { $0 + ($1.cost?.image ?? 0) },
        audioCost: results.reduce(0) { $0 + ($1.cost?.audio ?? 0) },
        judgeCost: judged.reduce(0) { $0 + ($1.cost ?? 0) },
        judgeInputTokens: judged.reduce(0) { $0 + $1.inputTokens },
        judgeOutputTokens: judged.reduce(0) { $0 + $1.outputTokens },
        judgeCalls: judged.reduce(0) { $0 + $1.calls })
    }
    return SessionEvaluation(sessionID: session, groups: groups, cache: cache)
  }
}
