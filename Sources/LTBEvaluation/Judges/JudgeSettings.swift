public import LTBCore

/// Which model judges, and how: configurable per suite (`[judge]`) and per assertion
/// (`provider`, `model`, `samples`).
public struct JudgeSettings: Sendable {
  /// The judge's provider.
  public var provider: any Provider
  /// The judge's model (the provider's default when `nil`).
  public var model: String?
  /// Sampling temperature for single verdicts (samples > 1 use `sampleTemperature`).
  public var temperature: Double
  /// Temperature when a metric asks for several samples.
  public var sampleTemperature: Double
  /// The most tokens a verdict may take.
  public var maxTokens: Int

  /// Creates settings.
  public init(
    provider: any Provider, model: String? = nil, temperature: Double = 0, sampleTemperature: Double = 0.7,
    maxTokens: Int = 512
  ) {
    self.provider = provider
    self.model = model
    self.temperature = temperature
    self.sampleTemperature = sampleTemperature
    self.maxTokens = maxTokens
  }

  /// `provider/model`, for reports and cache keys.
  public var label: String { "\(provider.name)/\(model ?? provider.defaultModel ?? "default")" }
}
