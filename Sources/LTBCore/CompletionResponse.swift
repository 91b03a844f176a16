/// A finished answer with its usage, cost and timing.
public struct CompletionResponse: Sendable, Hashable, Codable {
  /// The provider that answered (its configured name).
  public var provider: String
  /// The model that answered.
  public var model: String
  /// The vendor's id of the response.
  public var responseID: String?
  /// The answer's text.
  public var text: String
  /// Visible reasoning, when the model streamed some.
  public var reasoning: String?
  /// Tool calls the model made.
  public var toolCalls: [ToolCall]
  /// Why generation stopped.
  public var finishReason: FinishReason?
  /// Token counts.
  public var usage: Usage
  /// Cost from the catalogue; `nil` when the model has no price in the catalogue.
  public var cost: Cost?
  /// Our timing of the request.
  public var timing: RequestTiming
  /// The server's own timing, when it reports one.
  public var serverTimings: ServerTimings?
  /// Token log-probabilities, when asked for and returned.
  public var logprobs: [TokenLogprob]?
  /// Whether the response was streamed.
  public var streamed: Bool
  /// How many attempts it took (1 when no retry was needed).
  public var attempts: Int
  /// Where it was served, per the response's headers.
  public var providerMetadata: ProviderMetadata?

  /// Creates a response.
  public init(
    provider: String, model: String, responseID: String? = nil, text: String, reasoning: String? = nil,
    toolCalls: [ToolCall] = [], finishReason: FinishReason? = nil, usage: Usage, cost: Cost? = nil,
    timing: RequestTiming, serverTimings: ServerTimings? = nil, logprobs: [TokenLogprob]? = nil,
    streamed: Bool, attempts: Int = 1, providerMetadata: ProviderMetadata? = nil
  ) {
    self.providerMetadata = providerMetadata
    self.provider = provider
    self.model = model
    self.responseID = responseID
    self.text = text
    self.reasoning = reasoning
    self.toolCalls = toolCalls
    self.finishReason = finishReason
    self.usage = usage
    self.cost = cost
    self.timing = timing
    self.serverTimings = serverTimings
    self.logprobs = logprobs
    self.streamed = streamed
    self.attempts = attempts
  }
}
