/// Sampling settings for one request; `nil` leaves the vendor's default.
public struct SamplingParameters: Sendable, Hashable, Codable {
  /// Sampling temperature.
  public var temperature: Double?
  /// Nucleus sampling mass.
  public var topP: Double?
  /// Top-k sampling (vendors that support it).
  public var topK: Int?
  /// The most tokens to generate.
  public var maxTokens: Int?
  /// Sequences that stop generation.
  public var stop: [String]?
  /// Seed for reproducible sampling, where the vendor supports it.
  public var seed: Int?
  /// Presence penalty.
  public var presencePenalty: Double?
  /// Frequency penalty.
  public var frequencyPenalty: Double?

  /// Creates parameters; everything defaults to the vendor's choice.
  public init(
    temperature: Double? = nil, topP: Double? = nil, topK: Int? = nil, maxTokens: Int? = nil,
    stop: [String]? = nil, seed: Int? = nil, presencePenalty: Double? = nil,
    frequencyPenalty: Double? = nil
  ) {
    self.temperature = temperature
    self.topP = topP
    self.topK = topK
    self.maxTokens = maxTokens
    self.stop = stop
    self.seed = seed
    self.presencePenalty = presencePenalty
    self.frequencyPenalty = frequencyPenalty
  }

  /// These parameters, with every unset one taken from `defaults`.
  public func filled(from defaults: SamplingParameters) -> SamplingParameters {
    SamplingParameters(
      temperature: temperature ?? defaults.temperature,
      topP: topP ?? defaults.topP,
      topK: topK ?? defaults.topK,
      maxTokens: maxTokens ?? defaults.maxTokens,
      stop: stop ?? defaults.stop,
      seed: seed ?? defaults.seed,
      presencePenalty: presencePenalty ?? defaults.presencePenalty,
      frequencyPenalty: frequencyPenalty ?? defaults.frequencyPenalty
    )
  }

  /// The parameters that are set, e.g. `temperature 0.7, max_tokens 64` (empty when none are).
  public var label: String {
    var parts: [String] = []
    if let temperature { parts.append("temperature \(temperature)") }
    if let topP { parts.append("top_p \(topP)") }
    if let topK { parts.append("top_k \(topK)") }
    if let maxTokens { parts.append("max_tokens \(maxTokens)") }
    if let stop { parts.append("stop \(stop)") }
    if let seed { parts.append("seed \(seed)") }
    if let presencePenalty { parts.append("presence_penalty \(presencePenalty)") }
    if let frequencyPenalty { parts.append("frequency_penalty \(frequencyPenalty)") }
    return parts.joined(separator: ", ")
  }
}
