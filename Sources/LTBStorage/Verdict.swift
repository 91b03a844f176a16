public import Foundation
public import LTBCore

/// One metric's verdict as a listing reads it: the columns of the `evaluations` table, and
/// what only the stored record holds (`detail`) when the listing asked for it. The whole
/// record is an ``EvaluationRecord``.
public struct Verdict: Sendable, Hashable {
  /// What only the stored record holds.
  public struct Detail: Sendable, Hashable {
    /// The metric's own value (BLEU 0-100, WER, milliseconds, perplexity...).
    public var value: Double?
    /// The pass threshold, when the assertion has one.
    public var threshold: Double?
    /// Why it scored so.
    public var explanation: String
    /// The judge's model, for judge metrics.
    public var judgeModel: String?
    /// What the judge cost, in USD, when priced.
    public var judgeCostUSD: Double?
    /// The evaluator that produced it (a plugin's `plugin:NAME@VERSION`).
    public var evaluator: String = ""
  }

  /// The result judged.
  public var resultID: UUID
  /// The metric's name.
  public var metric: String
  /// Scored, error or unavailable.
  public var state: EvaluationState
  /// The score in [0, 1].
  public var score: Double?
  /// Whether it passed, for assertions with a threshold.
  public var passed: Bool?
  /// Value, threshold, explanation and judge; `nil` when only the columns were read.
  public var detail: Detail?

  /// A verdict from its columns.
  public init(resultID: UUID, metric: String, state: EvaluationState, score: Double?, passed: Bool?) {
    self.resultID = resultID
    self.metric = metric
    self.state = state
    self.score = score
    self.passed = passed
  }

  /// A whole record's verdict, with its detail.
  public init(_ record: EvaluationRecord) {
    self.init(
      resultID: record.resultID, metric: record.metric, state: record.state, score: record.score,
      passed: record.passed)
    detail = Detail(
      value: record.value, threshold: record.threshold, explanation: record.explanation,
      judgeModel: record.judge?.model, judgeCostUSD: record.judge?.cost, evaluator: record.evaluator)
  }
}
