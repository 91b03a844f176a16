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
    let completion = try OpenAIChatChunk.parse(Array(data), context: "chat completion")
    if let error = completion.error {
      throw LTBError(
        .server,
        "the server answered with an error: \(ProviderErrorMapping.message(in: error) ?? error.canonicalText())"
      )
    }
    return completion.events(isStream: false)
  }
}

/// A chat completion or one streamed chunk, as OpenAI-format servers send it, read straight from
/// parsed JSON (this runs for every streamed token, so it avoids `Codable`'s overhead).
struct OpenAIChatChunk {
  let json: JSONValue

  init(json: JSONValue) {
    self.json = json
  }

  /// The error object of an error chunk (`{"error": …}`, or Mistral's `{"object": "error", …}`).
  var error: JSONValue? {
    if let error = json["error"], error != .null { return ["error": error] }
    if json["object"]?.stringValue == "error" { return ["message": json["message"] ?? "unknown error"] }
    return nil
  }

  func events(isStream: Bool) -> [StreamEvent] {
    var events: [StreamEvent] = []
    let id = json["id"]?.stringValue
    let model = json["model"]?.stringValue
    if id != nil || model != nil { events.append(.metadata(responseID: id, model: model)) }
    for choice in json["choices"]?.arrayValue ?? [] where (choice["index"]?.intValue ?? 0) == 0 {
      if let block = isStream ? choice["delta"] : choice["message"] {
        if let reasoning = (block["reasoning_content"] ?? block["reasoning"])?.stringValue, !reasoning.isEmpty
        {
          events.append(.reasoning(reasoning))
        }
        switch block["content"] {
        case .string(let text)? where !text.isEmpty:
          events.append(.text(text))
        case .array(let pieces)?:
          for piece in pieces {
            if piece["type"]?.stringValue == "thinking" {
              for part in piece["thinking"]?.arrayValue ?? [] {
                if let text = part["text"]?.stringValue { events.append(.reasoning(text)) }
              }
            } else if let text = piece["text"]?.stringValue, !text.isEmpty {
              events.append(.text(text))
            }
          }
        default:
          break
        }
        if let refusal = block["refusal"]?.stringValue, !refusal.isEmpty { events.append(.text(refusal)) }
        for (position, call) in (block["tool_calls"]?.arrayValue ?? []).enumerated() {
          events.append(
            .toolCall(
              index: call["index"]?.intValue ?? position, id: call["id"]?.stringValue,
              name: call["function"]?["name"]?.stringValue,
              argumentsDelta: call["function"]?["arguments"]?.stringValue ?? ""))
        }
      }
      if let entries = choice["logprobs"]?["content"]?.arrayValue, !entries.isEmpty {
        events.append(.logprobs(entries.compactMap(Self.tokenLogprob)))
      }
      if let reason = choice["finish_reason"]?.stringValue {
        events.append(.finish(Self.finishReason(reason)))
      }
    }
    if let usage = json["usage"], let prompt = usage["prompt_tokens"]?.intValue,
      let completion = usage["completion_tokens"]?.intValue
    {
      let details = usage["prompt_tokens_details"]
      var reported = Usage(
        inputTokens: prompt, outputTokens: completion,
        cachedInputTokens: details?["cached_tokens"]?.intValue ?? 0,
        reasoningTokens: usage["completion_tokens_details"]?["reasoning_tokens"]?.intValue)
      reported.imageTokens = details?["image_tokens"]?.intValue
      reported.audioTokens = details?["audio_tokens"]?.intValue
      events.append(.usage(reported))
    }
    if let timings = json["timings"], timings != .null {
      events.append(.serverTimings(LlamaCppTimings(json: timings).serverTimings))
    }
    return events
  }

  static func tokenLogprob(_ entry: JSONValue) -> TokenLogprob? {
    guard let token = entry["token"]?.stringValue, let logprob = entry["logprob"]?.doubleValue else {
      return nil
    }
    let alternatives = (entry["top_logprobs"]?.arrayValue ?? []).compactMap {
      alternative -> TokenLogprob.Alternative? in
      guard let token = alternative["token"]?.stringValue, let logprob = alternative["logprob"]?.doubleValue
      else { return nil }
      return .init(token: token, logprob: logprob)
    }
    return TokenLogprob(token: token, logprob: logprob, topAlternatives: alternatives)
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

  /// Parses a chunk's JSON; a failure quotes the payload.
  static func parse(_ bytes: [UInt8], context: String) throws -> OpenAIChatChunk {
    do {
      return OpenAIChatChunk(json: try JSONValue.parse(bytes: bytes))
    } catch {
      let excerpt = String(decoding: bytes.prefix(200), as: UTF8.self)
      throw LTBError(
        .decoding, "\(context): the response is not the JSON expected (\(error)): \(excerpt)",
        fix: "check that base_url points at a server that speaks this provider's API")
    }
  }
}

/// Decodes an OpenAI-format event stream; complete at `[DONE]` or once a finish reason arrived.
struct OpenAIStreamDecoder: ChatStreamDecoder {
  static let done = Array("[DONE]".utf8)
  static let transcriptPrefix = Array(#"{"type":"transcript.text."#.utf8)
  let settings: ProviderSettings
  private(set) var isComplete = false

  init(settings: ProviderSettings) {
    self.settings = settings
  }

  mutating func decode(_ message: StreamMessage) throws -> [StreamEvent] {
    guard case .event(let event) = message else { return [] }
    var payload = Array(event.data.utf8)
    while let last = payload.last, last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") {
      payload.removeLast()
    }
    if payload.isEmpty { return [] }
    if payload == Self.done {
      isComplete = true
      return []
    }
    // A streamed transcription's events start with their type.
    if payload.starts(with: Self.transcriptPrefix) {
      let value = try JSONValue.parse(bytes: payload)
      if let (events, done) = OpenAITranscription.streamEvents(value) {
        if done { isComplete = true }
        return events
      }
    }
    // Most chunks carry one piece of text: read those without building JSON values.
    if let events = OpenAIChunkScanner.events(payload) { return events }
    let chunk = try OpenAIChatChunk.parse(payload, context: "chat completion chunk")
    if let error = chunk.error {
      throw ProviderErrorMapping.streamError(error, settings: settings)
    }
    let events = chunk.events(isStream: true)
    if events.contains(where: { if case .finish = $0 { true } else { false } }) { isComplete = true }
    return events
  }
}
