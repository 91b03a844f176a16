/// One chat-shaped request to a model.
public struct CompletionRequest: Sendable, Hashable, Codable {
  /// The model to ask; `nil` uses the provider's default model.
  public var model: String?
  /// The system prompt, kept apart because vendors place it differently.
  public var system: String?
  /// The conversation.
  public var messages: [Message]
  /// Sampling settings.
  public var parameters: SamplingParameters
  /// Ask for token log-probabilities; the value is how many alternatives per token (0 = only the chosen one).
  public var logprobs: Int?
  /// The shape of the answer.
  public var responseFormat: ResponseFormat
  /// Functions the model may call.
  public var tools: [ToolDefinition]
  /// A chat completion or a transcription.
  public var task: CompletionTask = .chat
  /// How the model may use them.
  public var toolChoice: ToolChoice?

  /// Creates a request.
  public init(
    model: String? = nil, system: String? = nil, messages: [Message],
    parameters: SamplingParameters = SamplingParameters(), logprobs: Int? = nil,
    responseFormat: ResponseFormat = .text, tools: [ToolDefinition] = [], toolChoice: ToolChoice? = nil
  ) {
    self.model = model
    self.system = system
    self.messages = messages
    self.parameters = parameters
    self.logprobs = logprobs
    self.responseFormat = responseFormat
    self.tools = tools
    self.toolChoice = toolChoice
  }

  /// A single-turn text request.
  public init(
    prompt: String, system: String? = nil, model: String? = nil,
    parameters: SamplingParameters = SamplingParameters()
  ) {
    self.init(
      model: model, system: system, messages: [Message(role: .user, text: prompt)], parameters: parameters)
  }

  /// Every modality the request carries.
  public var modalities: Set<Modality> {
    var result: Set<Modality> = [.text]
    for message in messages {
      for part in message.content { result.insert(part.modality) }
    }
    return result
  }

  /// All the text the model reads (system and messages), for token estimates.
  public var promptText: String {
    ([system].compactMap { $0 } + messages.map(\.text)).joined(separator: "\n")
  }
}
