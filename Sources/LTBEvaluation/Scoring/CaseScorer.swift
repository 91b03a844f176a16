public import Foundation
public import LTBCore

/// Combines one response's assertion outcomes into metric records and a case verdict: groups
/// pass when at least `required` members pass, the case score is the weighted mean of its
/// scored top-level assertions, and the verdict is pass, fail or error, never merged: any
/// failed assertion fails the case; otherwise any evaluator error makes it an error; metrics
/// that are unavailable for the response are recorded but neither pass nor fail it.
public enum CaseScorer {
  /// One assertion (or group) with its outcome.
  public struct Scored: Sendable {
    /// The assertion.
    public var spec: AssertionSpec
    /// Its outcome (already negated when the assertion is).
    public var outcome: EvaluationOutcome
    /// The evaluator that produced it and its version.
    public var evaluator: String
    /// The evaluator's version.
    public var version: Int
    /// Where the evaluation cache answered, for a cacheable evaluator (`nil` otherwise).
    public var cacheSource: EvaluationCache.Source?
    /// The members of a group.
    public var children: [Scored]

    /// Whether it came from the cache.
    public var cached: Bool { cacheSource.map { $0 != .miss } ?? false }

    /// Creates a scored assertion.
    public init(
      spec: AssertionSpec, outcome: EvaluationOutcome, evaluator: String, version: Int,
      cacheSource: EvaluationCache.Source? = nil, children: [Scored] = []
    ) {
      self.spec = spec
      self.outcome = outcome
      self.evaluator = evaluator
      self.version = version
      self.cacheSource = cacheSource
      self.children = children
    }

    /// Adds this assertion's cache lookups (its members' for a group) to `statistics`.
    public func count(into statistics: inout EvaluationCache.Statistics) {
      if let cacheSource { statistics.count(cacheSource) }
      for child in children { child.count(into: &statistics) }
    }
  }

  /// A group's outcome from its members'.
  public static func group(_ spec: AssertionSpec, _ members: [Scored]) -> EvaluationOutcome {
    let scored = members.filter { $0.outcome.state == .scored }
    let passed = scored.filter { $0.outcome.passed == true }.count
    let required = spec.required ?? members.count
    let weights = scored.map(\.spec.weight).reduce(0, +)
    let score =
      weights > 0
      ? scored.reduce(0.0) { $0 + ($1.outcome.score ?? 0) * $1.spec.weight } / weights
      : Double(passed) / Double(max(1, members.count))
    if passed < required, members.contains(where: { $0.outcome.state == .error }),
      passed + members.filter({ $0.outcome.state == .error }).count >= required
    {
      return .error(
        "\(passed) of \(members.count) passed (need \(required)); the rest could not be evaluated")
    }
    let outcome = EvaluationOutcome.scored(
      score, passed: passed >= required, value: Double(passed), threshold: Double(required),
      "\(passed) of \(members.count) passed (need \(required))")
    return spec.negated ? outcome.negated : outcome
  }

  /// The records (one per assertion and group member, names made unique) and the verdict.
  public static func combine(
    _ scored: [Scored], result: BenchmarkResult
  ) -> (records: [EvaluationRecord], verdict: CaseEvaluation) {
    var records: [EvaluationRecord] = []
    var used: [String: Int] = [:]
    func record(_ item: Scored, prefix: String) {
      var name = prefix + item.spec.name
      used[name, default: 0] += 1
      if let count = used[name], count > 1 { name += "#\(count)" }
      records.append(
        EvaluationRecord(
          resultID: result.id, sessionID: result.sessionID, testID: result.testID, metric: name,
          evaluator: item.evaluator, evaluatorVersion: item.version, state: item.outcome.state,
          score: item.outcome.score, value: item.outcome.value, passed: item.outcome.passed,
          threshold: item.outcome.threshold, weight: item.spec.weight, explanation: item.outcome.explanation,
          details: item.outcome.details, judge: item.outcome.judge, cached: item.cached))
      for child in item.children { record(child, prefix: name + "/") }
    }
    for item in scored { record(item, prefix: "") }
    let failed = scored.filter { $0.outcome.state == .scored && $0.outcome.passed == false }
    let errors = scored.filter { $0.outcome.state == .error }
    let counted = scored.filter { $0.outcome.state == .scored }
    let weights = counted.map(\.spec.weight).reduce(0, +)
    let score =
      weights > 0 ? counted.reduce(0.0) { $0 + ($1.outcome.score ?? 0) * $1.spec.weight } / weights : nil
    let verdict: CaseVerdict
    var reason: String?
    if result.status != .success {
      verdict = .error
      reason = "the request did not succeed: \(result.error ?? result.status.rawValue)"
    } else if let first = failed.first {
      verdict = .fail
      reason = "\(first.spec.name): \(first.outcome.explanation)"
    } else if let first = errors.first {
      verdict = .error
      reason = "\(first.spec.name): \(first.outcome.explanation)"
    } else {
      verdict = .pass
    }
    return (
      records,
      CaseEvaluation(
        resultID: result.id, sessionID: result.sessionID, testID: result.testID, verdict: verdict,
        score: result.status == .success ? score : nil,
        passed: counted.filter { $0.outcome.passed == true }.count, total: scored.count, reason: reason)
    )
  }
}
