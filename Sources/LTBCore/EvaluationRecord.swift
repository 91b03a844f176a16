public import Foundation

/// How one metric's evaluation of one response ended.
public enum EvaluationState: String, Sendable, Hashable, Codable, CaseIterable {
  /// A score was computed.
  case scored
  /// The evaluator failed (a judge that never returned valid JSON, a provider error).
  case error
  /// The metric cannot be computed for this response (no logprobs for perplexity, say).
  case unavailable
}

/// Tokens and cost an LLM judge spent on one evaluation, reported apart from the models under test.
public struct JudgeUsage: Sendable, Hashable, Codable {
  /// The judge's provider.
  public var provider: String
  /// The judge's model.
  public var model: String
  /// Prompt tokens over every call (samples and repairs included).
  public var inputTokens: Int
  /// Completion tokens over every call.
  public var outputTokens: Int
  /// Cost in USD, when the catalogue prices the model.
  public var cost: Double?
  /// How many calls were made.
  public var calls: Int

  /// Creates a usage record.
  public init(
    provider: String, model: String, inputTokens: Int = 0, outputTokens: Int = 0, cost: Double? = nil,
    calls: Int = 0
  ) {
    self.provider = provider
    self.model = model
    self.inputTokens = inputTokens
    self.outputTokens = outputTokens
    self.cost = cost
    self.calls = calls
  }
}

/// One metric's verdict on one stored response: a row of the `evaluations` table.
public struct EvaluationRecord: Sendable, Hashable, Codable {
  /// The result evaluated.
  public var resultID: UUID
  /// Its session.
  public var sessionID: UUID
  /// The case id.
  public var testID: String
  /// The metric's name (unique within a case: the assertion's `name`, else its type).
  public var metric: String
  /// The evaluator's id and version.
  public var evaluator: String
  /// The evaluator's version (a cache key part: a new version re-scores).
  public var evaluatorVersion: Int
  /// Scored, error or unavailable.
  public var state: EvaluationState
  /// The score in [0, 1] (for metrics with a natural scale, the raw value is in `value`).
  public var score: Double?
  /// The metric's own value (BLEU 0–100, WER, milliseconds, perplexity…).
  public var value: Double?
  /// Whether it passed its threshold.
  public var passed: Bool?
  /// The threshold applied, when any.
  public var threshold: Double?
  /// The weight in the case's score.
  public var weight: Double
  /// Why: what was compared, the judge's reasoning, the error.
  public var explanation: String
  /// Evaluator-specific detail (claims and verdicts, samples and their agreement…).
  public var details: JSONValue?
  /// The judge's spend, for model-graded metrics.
  public var judge: JudgeUsage?
  /// Whether it came from the evaluation cache.
  public var cached: Bool

  /// Creates a record.
  public init(
    resultID: UUID, sessionID: UUID, testID: String, metric: String, evaluator: String, evaluatorVersion: Int,
    state: EvaluationState, score: Double? = nil, value: Double? = nil, passed: Bool? = nil,
    threshold: Double? = nil, weight: Double = 1, explanation: String, details: JSONValue? = nil,
    judge: JudgeUsage? = nil, cached: Bool = false
  ) {
    self.resultID = resultID
    self.sessionID = sessionID
    self.testID = testID
    self.metric = metric
    self.evaluator = evaluator
    self.evaluatorVersion = evaluatorVersion
    self.state = state
    self.score = score
    self.value = value
    self.passed = passed
    self.threshold = threshold
    self.weight = weight
    self.explanation = explanation
    self.details = details
    self.judge = judge
    self.cached = cached
  }
}
