public import Foundation
public import LTBCore

/// Cohere's v2 API: `/v2/chat` with its stream events (`message-start`, `content-delta`,
/// `tool-call-*`, `message-end`), `/v2/embed` and exact counts from `/v1/tokenize`.
public struct CohereProvider: HTTPChatProvider {
  /// Settings, catalogue and HTTP path.
  public let context: ProviderContext

  /// Creates the provider.
  public init(settings: ProviderSettings, catalog: ModelCatalog) {
    context = ProviderContext(
      settings: settings, catalog: catalog, authentication: ProviderContext.bearer)
  }

  /// What Cohere's API can do.
  public var baseCapabilities: ProviderCapabilities {
    ProviderCapabilities(
      streaming: true, vision: true, audio: false, functionCalling: true, embeddings: true, logprobs: true,
      jsonMode: true, tokenCounting: true, fineTuning: true)
  }

  /// Chat v2.
  public var versionInfo: VersionInfo { VersionInfo(apiVersion: "v2", endpoint: "v2/chat") }
  /// Server-sent events.
  public var framing: StreamFraming { .serverSentEvents }

  /// A `/v2/chat` request.
  public func chatRequest(_ request: CompletionRequest, model: String, stream: Bool) throws -> OutgoingRequest
  {
    var messages: [JSONValue] = []
    if let system = request.system { messages.append(["role": "system", "content": .string(system)]) }
    for message in request.messages {
      var entry: [String: JSONValue] = ["role": .string(message.role.rawValue)]
      if message.isTextOnly {
        entry["content"] = .string(message.text)
      } else {
        entry["content"] = .array(try message.content.map(part))
      }
      if !message.toolCalls.isEmpty {
        entry["tool_calls"] = .array(
          message.toolCalls.map {
            [
              "id": .string($0.id), "type": "function",
              "function": ["name": .string($0.name), "arguments": .string($0.arguments)],
            ]
          })
      }
      entry.set("tool_call_id", .text(message.toolCallID))
      messages.append(.object(entry))
    }
    var body: [String: JSONValue] = [
      "model": .string(model), "messages": .array(messages), "stream": .bool(stream),
    ]
    let parameters = request.parameters
    body.set("temperature", .number(parameters.temperature))
    body.set("p", .number(parameters.topP))
    body.set("k", .number(parameters.topK))
    body.set("max_tokens", .number(parameters.maxTokens))
    body.set("stop_sequences", .strings(parameters.stop))
    body.set("seed", .number(parameters.seed))
    body.set("presence_penalty", .number(parameters.presencePenalty))
    body.set("frequency_penalty", .number(parameters.frequencyPenalty))
    if request.logprobs != nil { body["logprobs"] = true }
    switch request.responseFormat {
    case .text: break
    case .jsonObject: body["response_format"] = ["type": "json_object"]
    case .jsonSchema(_, let schema): body["response_format"] = ["type": "json_object", "json_schema": schema]
    }
    if !request.tools.isEmpty {
      body["tools"] = functionTools(request.tools)
    }
    switch request.toolChoice {
    case .required?, .function?: body["tool_choice"] = "REQUIRED"
    case .none?: body["tool_choice"] = "NONE"
    case .auto?, nil: break
    }
    return .json("/v2/chat", JSONValue.object(body))
  }

  private func part(_ part: ContentPart) throws -> JSONValue {
    switch part {
    case .text(let text): return ["type": "text", "text": .string(text)]
    case .image(let image): return ["type": "image_url", "image_url": ["url": .string(image.urlString)]]
    case .audio:
      throw LTBError(.unsupportedCapability, "provider '\(name)' (cohere) does not accept audio input")
    }
  }

  /// Decodes a `/v2/chat` response.
  public func decodeResponse(_ body: Data) throws -> [StreamEvent] {
    let response = try WireJSON.decode(CohereChatResponse.self, from: body, context: "cohere chat")
    var events: [StreamEvent] = [.metadata(responseID: response.id, model: nil)]
    for item in response.message?.content ?? [] {
      if let text = item.text, !text.isEmpty { events.append(.text(text)) }
      if let thinking = item.thinking, !thinking.isEmpty { events.append(.reasoning(thinking)) }
    }
    for (index, call) in (response.message?.toolCalls ?? []).enumerated() {
      events.append(
        .toolCall(
          index: index, id: call.id, name: call.function?.name, argumentsDelta: call.function?.arguments ?? ""
        ))
    }
    if let logprobs = response.logprobs { events.append(.logprobs(logprobs.flatMap(\.tokens))) }
    if let reason = response.finishReason { events.append(.finish(CohereChatResponse.finishReason(reason))) }
    if let usage = response.usage?.usage { events.append(.usage(usage)) }
    return events
  }

  /// A decoder for one stream.
  public func makeStreamDecoder() -> some ChatStreamDecoder { CohereStreamDecoder(settings: settings) }

  /// Lists models, which needs a valid key.
  public func healthRequest() -> OutgoingRequest {
    OutgoingRequest(method: .get, path: "/v1/models?page_size=1")
  }

  /// Counts tokens exactly with `/v1/tokenize`.
  public func estimateTokens(_ text: String, model: String?) async throws -> TokenCount {
    struct Answer: Decodable { var tokens: [Int] }
    let body: JSONValue = ["text": .string(text), "model": .string(try resolveModel(model))]
    let data = try await transport.data(for: .json("/v1/tokenize", body), mapError: mapError)
    return TokenCount(
      count: try WireJSON.decode(Answer.self, from: data, context: "tokenize").tokens.count, exact: true,
      method: "cohere tokenize")
  }

  /// Embeds texts with `/v2/embed` (`embed-v4.0` unless a model is given).
  public func embed(_ texts: [String], model: String?) async throws -> [[Double]] {
    struct Answer: Decodable {
      struct Embeddings: Decodable { var float: [[Double]]? }
      var embeddings: Embeddings
    }
    let body: JSONValue = [
      "model": .string(model ?? "embed-v4.0"), "texts": .array(texts.map(JSONValue.string)),
      "input_type": "search_document", "embedding_types": ["float"],
    ]
    let data = try await transport.data(for: .json("/v2/embed", body), mapError: mapError)
    let vectors = try WireJSON.decode(Answer.self, from: data, context: "embed").embeddings.float ?? []
    return try checkedVectors(vectors, count: texts.count, endpoint: "/v2/embed")
  }
}

/// A `/v2/chat` response.
struct CohereChatResponse: Decodable {
  var id: String?
  var finishReason: String?
  var message: MessageBlock?
  var usage: UsageBlock?
  var logprobs: [LogprobBlock]?

  struct MessageBlock: Decodable {
    var content: [ContentItem]?
    var toolCalls: [ToolCallBlock]?
  }

  struct ContentItem: Decodable {
    var type: String?
    var text: String?
    var thinking: String?
  }

  struct ToolCallBlock: Decodable {
    var id: String?
    var function: FunctionBlock?

    struct FunctionBlock: Decodable {
      var name: String?
      var arguments: String?
    }
  }

  struct UsageBlock: Decodable {
    struct Counts: Decodable {
      var inputTokens: Double?
      var outputTokens: Double?
    }
    var billedUnits: Counts?
    var tokens: Counts?

    var usage: Usage? {
      guard let counts = tokens ?? billedUnits, let input = counts.inputTokens,
        let output = counts.outputTokens
      else {
        return nil
      }
      return Usage(inputTokens: Int(input), outputTokens: Int(output))
    }
  }

  struct LogprobBlock: Decodable {
    var text: String?
    var logprobs: [Double]?
    var tokenIds: [Int]?

    /// One entry per token; Cohere gives the text of the group, so it goes with the group's first token.
    var tokens: [TokenLogprob] {
      (logprobs ?? []).enumerated().map { index, value in
        TokenLogprob(token: index == 0 ? text ?? "" : "", logprob: value)
      }
    }
  }

  static func finishReason(_ value: String) -> FinishReason {
    switch value {
    case "COMPLETE", "STOP_SEQUENCE": .stop
    case "MAX_TOKENS": .length
    case "TOOL_CALL": .toolCalls
    default: .other
    }
  }
}

/// Decodes Cohere's v2 stream; complete at `message-end`.
struct CohereStreamDecoder: ChatStreamDecoder {
  let settings: ProviderSettings
  private(set) var isComplete = false

  init(settings: ProviderSettings) {
    self.settings = settings
  }

  private struct EventType: Decodable {
    var type: String
    var id: String?
  }

  private struct ContentEvent: Decodable {
    struct Delta: Decodable {
      struct Message: Decodable {
        struct Content: Decodable {
          var text: String?
          var thinking: String?
        }
        var content: Content?
      }
      var message: Message?
    }
    var delta: Delta?
    var logprobs: CohereChatResponse.LogprobBlock?
  }

  private struct ToolPlanEvent: Decodable {
    struct Delta: Decodable {
      struct Message: Decodable { var toolPlan: String? }
      var message: Message?
    }
    var delta: Delta?
  }

  private struct ToolCallEvent: Decodable {
    struct Delta: Decodable {
      struct Message: Decodable {
        struct Call: Decodable {
          var id: String?
          var function: CohereChatResponse.ToolCallBlock.FunctionBlock?
        }
        var toolCalls: Call?
      }
      var message: Message?
    }
    var index: Int?
    var delta: Delta?
  }

  private struct EndEvent: Decodable {
    struct Delta: Decodable {
      var finishReason: String?
      var usage: CohereChatResponse.UsageBlock?
      var error: String?
    }
    var delta: Delta?
  }

  mutating func decode(_ message: StreamMessage) throws -> [StreamEvent] {
    guard case .event(let sse) = message, !sse.data.isEmpty else { return [] }
    let data = Data(sse.data.utf8)
    let head = try WireJSON.decode(EventType.self, from: data, context: "cohere stream event")
    switch head.type {
    case "message-start":
      return [.metadata(responseID: head.id, model: nil)]
    case "content-delta":
      let event = try WireJSON.decode(ContentEvent.self, from: data, context: "cohere content-delta")
      var events: [StreamEvent] = []
      if let text = event.delta?.message?.content?.text, !text.isEmpty { events.append(.text(text)) }
      if let thinking = event.delta?.message?.content?.thinking, !thinking.isEmpty {
        events.append(.reasoning(thinking))
      }
      if let logprobs = event.logprobs { events.append(.logprobs(logprobs.tokens)) }
      return events
    case "tool-plan-delta":
      let event = try WireJSON.decode(ToolPlanEvent.self, from: data, context: "cohere tool-plan-delta")
      return event.delta?.message?.toolPlan.map { [.reasoning($0)] } ?? []
    case "tool-call-start", "tool-call-delta":
      let event = try WireJSON.decode(ToolCallEvent.self, from: data, context: "cohere \(head.type)")
      let call = event.delta?.message?.toolCalls
      return [
        .toolCall(
          index: event.index ?? 0, id: call?.id, name: call?.function?.name,
          argumentsDelta: call?.function?.arguments ?? "")
      ]
    case "message-end":
      isComplete = true
      let event = try WireJSON.decode(EndEvent.self, from: data, context: "cohere message-end")
      if let error = event.delta?.error {
        throw ProviderErrorMapping.streamError(["error": .string(error)], settings: settings)
      }
      var events: [StreamEvent] = []
      if let reason = event.delta?.finishReason {
        events.append(.finish(CohereChatResponse.finishReason(reason)))
      }
      if let usage = event.delta?.usage?.usage { events.append(.usage(usage)) }
      return events
    default:
      return []
    }
  }
}
