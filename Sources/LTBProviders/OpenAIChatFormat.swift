public import Foundation
public import LTBCore

/// The OpenAI chat-completions wire format, shared by OpenAI, Mistral and OpenAI-compatible
/// servers; a ``Dialect`` holds the few places where they differ.
public struct OpenAIChatFormat: Sendable {
  /// Where servers that speak this format differ.
  public struct Dialect: Sendable {
    /// The field for the output limit (`max_completion_tokens` at OpenAI, `max_tokens` elsewhere).
    public var maxTokensField: String
    /// The field for the sampling seed (`seed`, or `random_seed` at Mistral).
    public var seedField: String
    /// Whether to send `stream_options.include_usage` (servers that reject unknown fields do not get it).
    public var sendsIncludeUsage: Bool
    /// Whether an image part is `{"image_url": "..."}` (Mistral) rather than `{"image_url": {"url": ...}}`.
    public var imageURLIsString: Bool
    /// Whether `top_k` may be sent (OpenAI refuses it).
    public var acceptsTopK: Bool
    /// Whether the server returns logprobs (Mistral does not).
    public var returnsLogprobs: Bool
    /// The embedding model used when a call names none (`nil`: the provider's default model).
    public var defaultEmbeddingModel: String?

    /// OpenAI itself.
    public static let openAI = Dialect(
      maxTokensField: "max_completion_tokens", seedField: "seed", sendsIncludeUsage: true,
      imageURLIsString: false, acceptsTopK: false, returnsLogprobs: true,
      defaultEmbeddingModel: "text-embedding-3-small")
    /// Mistral's La Plateforme.
    public static let mistral = Dialect(
      maxTokensField: "max_tokens", seedField: "random_seed", sendsIncludeUsage: false,
      imageURLIsString: true, acceptsTopK: false, returnsLogprobs: false,
      defaultEmbeddingModel: "mistral-embed")
    /// vLLM, llama.cpp, LM Studio, TGI and the like.
    public static let compatible = Dialect(
      maxTokensField: "max_tokens", seedField: "seed", sendsIncludeUsage: true, imageURLIsString: false,
      acceptsTopK: true, returnsLogprobs: true, defaultEmbeddingModel: nil)
  }

  /// The dialect spoken.
  public var dialect: Dialect

  /// Creates the format for a dialect.
  public init(dialect: Dialect) {
    self.dialect = dialect
  }

  /// The JSON body of a chat request.
  public func body(_ request: CompletionRequest, model: String, stream: Bool) -> [String: JSONValue] {
    var messages: [JSONValue] = []
    if let system = request.system { messages.append(["role": "system", "content": .string(system)]) }
    messages += request.messages.map(message)
    var body: [String: JSONValue] = ["model": .string(model), "messages": .array(messages)]
    let parameters = request.parameters
    body.set("temperature", .number(parameters.temperature))
    body.set("top_p", .number(parameters.topP))
    if dialect.acceptsTopK { body.set("top_k", .number(parameters.topK)) }
    body.set(dialect.maxTokensField, .number(parameters.maxTokens))
    body.set("stop", .strings(parameters.stop))
    body.set(dialect.seedField, .number(parameters.seed))
    body.set("presence_penalty", .number(parameters.presencePenalty))
    body.set("frequency_penalty", .number(parameters.frequencyPenalty))
    if let logprobs = request.logprobs {
      body["logprobs"] = true
      if logprobs > 0 { body["top_logprobs"] = .int(logprobs) }
    }
    switch request.responseFormat {
    case .text: break
    case .jsonObject: body["response_format"] = ["type": "json_object"]
    case .jsonSchema(let name, let schema):
      body["response_format"] = [
        "type": "json_schema", "json_schema": ["name": .string(name), "schema": schema, "strict": true],
      ]
    }
    if !request.tools.isEmpty {
      body["tools"] = functionTools(request.tools)
    }
    if let choice = request.toolChoice {
      switch choice {
      case .auto: body["tool_choice"] = "auto"
      case .none: body["tool_choice"] = "none"
      case .required: body["tool_choice"] = dialect.imageURLIsString ? "any" : "required"
      case .function(let name):
        body["tool_choice"] = ["type": "function", "function": ["name": .string(name)]]
      }
    }
    if stream {
      body["stream"] = true
      if dialect.sendsIncludeUsage { body["stream_options"] = ["include_usage": true] }
    }
    return body
  }

  private func message(_ message: Message) -> JSONValue {
    var object: [String: JSONValue] = ["role": .string(message.role.rawValue)]
    if message.isTextOnly {
      object["content"] = .string(message.text)
    } else {
      object["content"] = .array(message.content.map(part))
    }
    if !message.toolCalls.isEmpty {
      object["tool_calls"] = .array(
        message.toolCalls.map {
          [
            "id": .string($0.id), "type": "function",
            "function": ["name": .string($0.name), "arguments": .string($0.arguments)],
          ]
        })
    }
    object.set("tool_call_id", .text(message.toolCallID))
    return .object(object)
  }

  private func part(_ part: ContentPart) -> JSONValue {
    switch part {
    case .text(let text):
      return ["type": "text", "text": .string(text)]
    case .image(let image):
      if dialect.imageURLIsString { return ["type": "image_url", "image_url": .string(image.urlString)] }
      var imageURL: [String: JSONValue] = ["url": .string(image.urlString)]
      imageURL.set("detail", .text(image.detail))
      return ["type": "image_url", "image_url": .object(imageURL)]
    case .audio(let audio):
      if dialect.imageURLIsString {
        return ["type": "input_audio", "input_audio": .string(audio.data.base64EncodedString())]
      }
      return [
        "type": "input_audio",
        "input_audio": [
          "data": .string(audio.data.base64EncodedString()), "format": .string(audio.format.rawValue),
        ],
      ]
    }
  }

  /// Decodes a non-streamed chat completion.
  public func decodeResponse(_ data: Data) throws -> [StreamEvent] {
    let completion = try WireJSON.decode(OpenAIChatChunk.self, from: data, context: "chat completion")
    return completion.events(isStream: false)
  }
}

/// A chat completion or one streamed chunk, as OpenAI-format servers send it.
struct OpenAIChatChunk: Decodable {
  var id: String?
  var model: String?
  var choices: [Choice]?
  var usage: UsageBlock?
  var timings: LlamaCppTimings?
  var error: JSONValue?
  /// `"error"` on Mistral's error objects, which carry `message` at the top level.
  var object: String?
  var message: String?

  struct Choice: Decodable {
    var index: Int?
    var delta: MessageBlock?
    var message: MessageBlock?
    var finishReason: String?
    var logprobs: LogprobsBlock?
  }

  struct MessageBlock: Decodable {
    var content: FlexibleContent?
    var reasoningContent: String?
    var reasoning: String?
    var toolCalls: [ToolCallBlock]?
    var refusal: String?
  }

  struct ToolCallBlock: Decodable {
    var index: Int?
    var id: String?
    var function: FunctionBlock?

    struct FunctionBlock: Decodable {
      var name: String?
      var arguments: String?
    }
  }

  struct LogprobsBlock: Decodable {
    var content: [WireTokenLogprob]?
  }

  struct UsageBlock: Decodable {
    var promptTokens: Int?
    var completionTokens: Int?
    var promptTokensDetails: PromptDetails?
    var completionTokensDetails: CompletionDetails?

    struct PromptDetails: Decodable { var cachedTokens: Int? }
    struct CompletionDetails: Decodable { var reasoningTokens: Int? }
  }

  func events(isStream: Bool) -> [StreamEvent] {
    var events: [StreamEvent] = []
    if id != nil || model != nil { events.append(.metadata(responseID: id, model: model)) }
    for choice in choices ?? [] where (choice.index ?? 0) == 0 {
      if let block = isStream ? choice.delta : choice.message {
        if let reasoning = block.reasoningContent ?? block.reasoning, !reasoning.isEmpty {
          events.append(.reasoning(reasoning))
        }
        for piece in block.content?.pieces ?? [] {
          events.append(piece.isThinking ? .reasoning(piece.text) : .text(piece.text))
        }
        if let refusal = block.refusal, !refusal.isEmpty { events.append(.text(refusal)) }
        for (position, call) in (block.toolCalls ?? []).enumerated() {
          events.append(
            .toolCall(
              index: call.index ?? position, id: call.id, name: call.function?.name,
              argumentsDelta: call.function?.arguments ?? ""))
        }
      }
      if let entries = choice.logprobs?.content, !entries.isEmpty {
        events.append(.logprobs(entries.map(\.tokenLogprob)))
      }
      if let reason = choice.finishReason { events.append(.finish(Self.finishReason(reason))) }
    }
    if let usage, let prompt = usage.promptTokens, let completion = usage.completionTokens {
      events.append(
        .usage(
          Usage(
            inputTokens: prompt, outputTokens: completion,
            cachedInputTokens: usage.promptTokensDetails?.cachedTokens ?? 0,
            reasoningTokens: usage.completionTokensDetails?.reasoningTokens)))
    }
    if let timings { events.append(.serverTimings(timings.serverTimings)) }
    return events
  }

  static func finishReason(_ value: String) -> FinishReason {
    switch value {
    case "stop", "eos", "end_turn": .stop
    case "length", "model_length": .length
    case "tool_calls", "function_call": .toolCalls
    case "content_filter": .contentFilter
    default: .other
    }
  }
}

/// Message content that is either a string or a list of typed chunks (Mistral's reasoning models).
struct FlexibleContent: Decodable {
  struct Piece {
    var text: String
    var isThinking: Bool
  }

  var pieces: [Piece]

  init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    if let text = try? container.decode(String.self) {
      pieces = text.isEmpty ? [] : [Piece(text: text, isThinking: false)]
      return
    }
    let chunks = try container.decode([JSONValue].self)
    pieces = chunks.flatMap { chunk -> [Piece] in
      if chunk["type"]?.stringValue == "thinking" {
        let parts = chunk["thinking"]?.arrayValue ?? []
        return parts.compactMap { $0["text"]?.stringValue }.map { Piece(text: $0, isThinking: true) }
      }
      return chunk["text"]?.stringValue.map { [Piece(text: $0, isThinking: false)] } ?? []
    }
  }
}

/// Decodes an OpenAI-format event stream; complete at `[DONE]` or once a finish reason arrived.
struct OpenAIStreamDecoder: ChatStreamDecoder {
  let settings: ProviderSettings
  private(set) var isComplete = false

  init(settings: ProviderSettings) {
    self.settings = settings
  }

  mutating func decode(_ message: StreamMessage) throws -> [StreamEvent] {
    guard case .event(let event) = message else { return [] }
    let payload = event.data.trimmingCharacters(in: .whitespaces)
    if payload == "[DONE]" {
      isComplete = true
      return []
    }
    if payload.isEmpty { return [] }
    let chunk = try WireJSON.decode(
      OpenAIChatChunk.self, from: Data(payload.utf8), context: "chat completion chunk")
    if let error = chunk.error {
      throw ProviderErrorMapping.streamError(["error": error], settings: settings)
    }
    if chunk.object == "error" {
      throw ProviderErrorMapping.streamError(
        ["message": .string(chunk.message ?? "unknown error")], settings: settings)
    }
    let events = chunk.events(isStream: true)
    if events.contains(where: { if case .finish = $0 { true } else { false } }) { isComplete = true }
    return events
  }
}
