/// Token counts of one request.
public struct Usage: Sendable, Hashable, Codable {
  /// Where the counts come from.
  public enum Source: String, Sendable, Hashable, Codable {
    /// The vendor reported them in the response.
    case reported
    /// A real tokenizer counted them (for example llama.cpp `/tokenize`).
    case tokenizer
    /// Estimated from text length; labelled so that nobody mistakes it for a count.
    case estimated
  }

  /// Tokens read (prompt).
  public var inputTokens: Int
  /// Tokens generated.
  public var outputTokens: Int
  /// Input tokens served from the vendor's prompt cache (priced lower by some vendors).
  public var cachedInputTokens: Int
  /// Output tokens spent on hidden reasoning, when the vendor reports them.
  public var reasoningTokens: Int?
  /// Where the counts come from.
  public var source: Source
  /// Input tokens the vendor reported as images (part of `inputTokens`).
  public var imageTokens: Int? = nil
  /// Input tokens the vendor reported as audio (part of `inputTokens`).
  public var audioTokens: Int? = nil
  /// Seconds of audio the vendor reported billing (speech-to-text models priced by length).
  public var audioSeconds: Double? = nil

  /// Creates a usage record.
  public init(
    inputTokens: Int, outputTokens: Int, cachedInputTokens: Int = 0, reasoningTokens: Int? = nil,
    source: Source = .reported
  ) {
    self.inputTokens = inputTokens
    self.outputTokens = outputTokens
    self.cachedInputTokens = cachedInputTokens
    self.reasoningTokens = reasoningTokens
    self.source = source
  }

  /// Input plus output tokens.
  public var totalTokens: Int { inputTokens + outputTokens }
}
