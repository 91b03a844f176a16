/// How a suite's answers are graded: the judge model for model-graded metrics and the
/// embedding model for embedding similarity (suite keys `judge` and `embedding`).
public struct EvaluationSettings: Sendable, Hashable, Codable {
  /// The judge's provider (a configured provider name).
  public var judgeProvider: String?
  /// The judge's model (the provider's default when absent).
  public var judgeModel: String?
  /// The judge's temperature (default 0).
  public var judgeTemperature: Double?
  /// The provider that embeds for `embedding-similarity`.
  public var embeddingProvider: String?
  /// Its embedding model.
  public var embeddingModel: String?

  /// Creates settings.
  public init(
    judgeProvider: String? = nil, judgeModel: String? = nil, judgeTemperature: Double? = nil,
    embeddingProvider: String? = nil, embeddingModel: String? = nil
  ) {
    self.judgeProvider = judgeProvider
    self.judgeModel = judgeModel
    self.judgeTemperature = judgeTemperature
    self.embeddingProvider = embeddingProvider
    self.embeddingModel = embeddingModel
  }
}
