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

  /// `top` over `base`: the judge (provider with its model) and the embedder (provider with its
  /// model) each come whole from the first layer that names a provider; the temperature from
  /// the first that sets one.
  public static func layered(_ top: EvaluationSettings, over base: EvaluationSettings) -> EvaluationSettings {
    let judge = top.judgeProvider != nil ? top : base
    let embedding = top.embeddingProvider != nil ? top : base
    return EvaluationSettings(
      judgeProvider: judge.judgeProvider, judgeModel: judge.judgeModel,
      judgeTemperature: top.judgeTemperature ?? base.judgeTemperature,
      embeddingProvider: embedding.embeddingProvider, embeddingModel: embedding.embeddingModel)
  }

  /// Settings from `provider/model` texts, as the configuration and the command line write them
  /// (the model is optional; an empty text names none).
  public init(judge: String?, embedder: String?, judgeTemperature: Double? = nil) {
    func split(_ text: String?) -> (String?, String?) {
      guard let text, !text.isEmpty else { return (nil, nil) }
      let parts = text.split(separator: "/", maxSplits: 1).map(String.init)
      return (parts.first, parts.count > 1 ? parts[1] : nil)
    }
    let (judgeProvider, judgeModel) = split(judge)
    let (embeddingProvider, embeddingModel) = split(embedder)
    self.init(
      judgeProvider: judgeProvider, judgeModel: judgeModel, judgeTemperature: judgeTemperature,
      embeddingProvider: embeddingProvider, embeddingModel: embeddingModel)
  }
}
