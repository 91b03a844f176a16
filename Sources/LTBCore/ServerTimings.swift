/// Timings a server reports about its own work (llama.cpp `timings`, Ollama durations),
/// stored beside ours as ground truth.
public struct ServerTimings: Sendable, Hashable, Codable {
  /// Which server format these came from (`llama.cpp`, `ollama`).
  public var source: String
  /// Prompt tokens the server processed.
  public var promptTokens: Int?
  /// Time the server spent on the prompt, in milliseconds.
  public var promptMilliseconds: Double?
  /// Tokens the server generated.
  public var generatedTokens: Int?
  /// Time the server spent generating, in milliseconds.
  public var generationMilliseconds: Double?
  /// Time the server spent loading the model for this request, in milliseconds.
  public var loadMilliseconds: Double?
  /// The server's whole time for the request, in milliseconds.
  public var totalMilliseconds: Double?
  /// Prompt tokens served from the server's cache.
  public var cachedPromptTokens: Int?

  /// Creates a record.
  public init(
    source: String, promptTokens: Int? = nil, promptMilliseconds: Double? = nil, generatedTokens: Int? = nil,
    generationMilliseconds: Double? = nil, loadMilliseconds: Double? = nil, totalMilliseconds: Double? = nil,
    cachedPromptTokens: Int? = nil
  ) {
    self.source = source
    self.promptTokens = promptTokens
    self.promptMilliseconds = promptMilliseconds
    self.generatedTokens = generatedTokens
    self.generationMilliseconds = generationMilliseconds
    self.loadMilliseconds = loadMilliseconds
    self.totalMilliseconds = totalMilliseconds
    self.cachedPromptTokens = cachedPromptTokens
  }

  /// Generation speed as the server measured it, in tokens per second.
  public var generatedTokensPerSecond: Double? {
    guard let tokens = generatedTokens, let ms = generationMilliseconds, ms > 0 else { return nil }
    return Double(tokens) / (ms / 1_000)
  }
}
