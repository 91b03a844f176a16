/// What a provider or a model can do.
public struct ProviderCapabilities: Sendable, Hashable, Codable {
  /// Streams responses.
  public var streaming: Bool
  /// Accepts images.
  public var vision: Bool
  /// Accepts audio.
  public var audio: Bool
  /// Calls functions (tools).
  public var functionCalling: Bool
  /// Produces embeddings.
  public var embeddings: Bool
  /// Returns token log-probabilities.
  public var logprobs: Bool
  /// Honours JSON mode or a JSON schema.
  public var jsonMode: Bool
  /// Can count tokens exactly (a tokenizer endpoint).
  public var tokenCounting: Bool
  /// Vendor supports fine-tuning (informational).
  public var fineTuning: Bool
  /// The largest context of any model, in tokens.
  public var maxContextLength: Int

  /// Creates a capability record.
  public init(
    streaming: Bool = true, vision: Bool = false, audio: Bool = false, functionCalling: Bool = false,
    embeddings: Bool = false, logprobs: Bool = false, jsonMode: Bool = false, tokenCounting: Bool = false,
    fineTuning: Bool = false, maxContextLength: Int = 0
  ) {
    self.streaming = streaming
    self.vision = vision
    self.audio = audio
    self.functionCalling = functionCalling
    self.embeddings = embeddings
    self.logprobs = logprobs
    self.jsonMode = jsonMode
    self.tokenCounting = tokenCounting
    self.fineTuning = fineTuning
    self.maxContextLength = maxContextLength
  }

  /// The input modalities supported.
  public var supportedModalities: [Modality] {
    [.text] + (vision ? [.image] : []) + (audio ? [.audio] : [])
  }

  /// Whether the given capability is present.
  public func has(_ capability: Capability) -> Bool {
    switch capability {
    case .streaming: streaming
    case .vision: vision
    case .audio: audio
    case .functionCalling: functionCalling
    case .embeddings: embeddings
    case .logprobs: logprobs
    case .jsonMode: jsonMode
    case .tokenCounting: tokenCounting
    }
  }
}

/// One capability, for lookups such as "every provider that can embed".
public enum Capability: String, Sendable, Hashable, Codable, CaseIterable {
  case streaming, vision, audio
  case functionCalling = "function-calling"
  case embeddings, logprobs
  case jsonMode = "json-mode"
  case tokenCounting = "token-counting"
}
