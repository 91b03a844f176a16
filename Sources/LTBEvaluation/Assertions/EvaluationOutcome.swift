public import LTBCore

/// What an evaluator concluded about one response for one assertion.
public struct EvaluationOutcome: Sendable, Hashable, Codable {
  /// Scored, error or unavailable.
  public var state: EvaluationState
  /// The score in [0, 1].
  public var score: Double?
  /// The metric's own value (BLEU 0–100, WER, ms, perplexity…).
  public var value: Double?
  /// Whether it met its threshold.
  public var passed: Bool?
  /// The threshold applied.
  public var threshold: Double?
  /// Why, in words.
  public var explanation: String
  /// Evaluator-specific detail.
  public var details: JSONValue?
  /// What a judge spent.
  public var judge: JudgeUsage?
  /// What produced it when that is more precise than the evaluator's id: a plugin's
  /// `plugin:NAME@VERSION`, stored with the verdict instead of the evaluator's id.
  public var producedBy: String?

  /// A scored outcome.
  public static func scored(
    _ score: Double, passed: Bool, value: Double? = nil, threshold: Double? = nil, _ explanation: String,
    details: JSONValue? = nil, judge: JudgeUsage? = nil
  ) -> EvaluationOutcome {
    EvaluationOutcome(
      state: .scored, score: min(1, max(0, score)), value: value, passed: passed, threshold: threshold,
      explanation: explanation, details: details, judge: judge)
  }

  /// An evaluator failure: never a made-up score.
  public static func error(_ explanation: String, details: JSONValue? = nil, judge: JudgeUsage? = nil)
    -> EvaluationOutcome
  {
    EvaluationOutcome(state: .error, explanation: explanation, details: details, judge: judge)
  }

  /// The metric cannot be computed for this response.
  public static func unavailable(_ explanation: String) -> EvaluationOutcome {
    EvaluationOutcome(state: .unavailable, explanation: explanation)
  }

  /// The outcome of the negated assertion: the verdict and the score inverted.
  public var negated: EvaluationOutcome {
    guard state == .scored else { return self }
    var copy = self
    copy.score = score.map { 1 - $0 }
    copy.passed = passed.map { !$0 }
    copy.explanation = "negated: " + explanation
    return copy
  }
}
