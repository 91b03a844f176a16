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
    /// Cost of the model under test, USD.
    public var modelCost: Double
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
  /// The evaluation cache's counts for this run.
  public var cache: EvaluationCache.Statistics

  /// Summarizes what the store holds for a session.
  public static func load(session: UUID, store: any BenchStore, cache: EvaluationCache.Statistics)
    async throws
    -> SessionEvaluation
  {
    var targets: [UUID: (label: String, provider: String, model: String, cost: Double)] = [:]
    var order: [String] = []
    try await store.forEachResultPage(session: session) { page in
      for result in page where !result.warmup {
        let label = "\(result.provider)/\(result.model)"
        if !order.contains(label) { order.append(label) }
        targets[result.id] = (label, result.provider, result.model, result.cost?.total ?? 0)
      }
    }
    let records = try await store.evaluations(session: session)
    let verdicts = try await store.caseEvaluations(session: session)
    var groups: [Group] = []
    for label in order {
      let ids = Set(targets.filter { $0.value.label == label }.keys)
      guard let first = targets.values.first(where: { $0.label == label }) else { continue }
      let mine = records.filter { ids.contains($0.resultID) }
      let cases = verdicts.filter { ids.contains($0.resultID) }
      var metrics: [String: MetricSummary] = [:]
      for (metric, rows) in Dictionary(grouping: mine, by: \.metric) {
        let scored = rows.filter { $0.state == .scored }
        metrics[metric] = MetricSummary(
          scores: scored.compactMap(\.score), passes: scored.compactMap(\.passed),
          errors: rows.filter { $0.state == .error }.count,
          unavailable: rows.filter { $0.state == .unavailable }.count,
          seed: UInt64(truncatingIfNeeded: metric.hashValue & 0) + 1)
      }
      let caseScores = cases.compactMap(\.score)
      let judged = mine.compactMap(\.judge)
      groups.append(
        Group(
          provider: first.provider, model: first.model, evaluated: cases.count,
          pass: cases.filter { $0.verdict == .pass }.count, fail: cases.filter { $0.verdict == .fail }.count,
          error: cases.filter { $0.verdict == .error }.count,
          caseScore: caseScores.isEmpty
            ? nil : MetricSummary(scores: caseScores, passes: cases.map { $0.verdict == .pass }, seed: 1),
          metrics: metrics, modelCost: targets.values.filter { $0.label == label }.reduce(0) { $0 + $1.cost },
          judgeCost: judged.reduce(0) { $0 + ($1.cost ?? 0) },
          judgeInputTokens: judged.reduce(0) { $0 + $1.inputTokens },
          judgeOutputTokens: judged.reduce(0) { $0 + $1.outputTokens },
          judgeCalls: judged.reduce(0) { $0 + $1.calls }))
    }
    return SessionEvaluation(sessionID: session, groups: groups, cache: cache)
  }
}
