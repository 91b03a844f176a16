public import Foundation

/// One grading of a session's stored answers: when it ran, who judged and embedded, how many
/// answers it graded, and how often the evaluation cache answered instead of an evaluator.
public struct EvaluationRun: Sendable, Hashable, Codable {
  /// When the grading finished.
  public var finishedAt: Date
  /// Answers graded.
  public var graded: Int
  /// How the evaluation cache answered the grading's metric evaluations.
  public var cache: EvaluationCacheStatistics
  /// The judge as `provider/model`, when one was configured.
  public var judge: String?
  /// The embedder as `provider/model`, when one was configured.
  public var embedder: String?

  /// Creates a record of one grading.
  public init(
    finishedAt: Date = Date(), graded: Int, cache: EvaluationCacheStatistics, judge: String? = nil,
    embedder: String? = nil
  ) {
    self.finishedAt = finishedAt
    self.graded = graded
    self.cache = cache
    self.judge = judge
    self.embedder = embedder
  }
}
