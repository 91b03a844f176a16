public import Foundation
public import LTBCore

/// Anthropic's Messages API: the system prompt apart, image blocks, tool use, its SSE event types,
/// the `anthropic-version` header and exact token counts from `count_tokens`.
public struct AnthropicProvider: HTTPChatProvider {
  /// The API version sent when the configuration names none.
  public static let defaultAPIVersion = "2023-06-01"
  /// The output limit sent when neither the request nor the configuration sets one (the API requires it).
  public static let defaultMaxTokens = 1_024

  /// Settings, catalogue and HTTP path.
  public let context: ProviderContext

  /// Creates the provider.
  public init(settings: ProviderSettings, catalog: ModelCatalog) {
    let version = settings.apiVersion ?? Self.defaultAPIVersion
    context = ProviderContext(settings: settings, catalog: catalog) { key in
      guard let key, !key.value.isEmpty else { return [("anthropic-version", version)] }
      return [("anthropic-version", version), ("x-api-key", key.value)]
    }
  }

  /// What the Messages API can do.
  public var baseCapabilities: ProviderCapabilities {
    ProviderCapabilities(
      streaming: true, vision: true, audio: false, functionCalling: true, embeddings: false, logprobs: false,
      jsonMode: false, tokenCounting: true)
  }

  /// The Messages API at the configured version.
  public var versionInfo: VersionInfo {
    VersionInfo(apiVersion: settings.apiVersion ?? Self.defaultAPIVersion, endpoint: "v1/messages")
  }

  /// Server-sent events.
  public var framing: StreamFraming { .serverSentEvents }

  /// A Messages API request.
  public func chatRequest(_ request: CompletionRequest, model: String, stream: Bool) throws -> OutgoingRequest
  {
    if request.logprobs != nil {
      throw LTBError(
        .unsupportedCapability, "provider '\(name)' (anthropic) does not return logprobs",
        fix: "drop logprobs for this provider; perplexity needs a provider that returns them")
    }
    if request.responseFormat != .text {
      throw LTBError(
        .unsupportedCapability, "provider '\(name)' (anthropic) has no JSON mode",
        fix: "ask for JSON in the prompt and check it with an is-json assertion instead")
    }
    var body = try messagesBody(request, model: model)
    let parameters = request.parameters
    body["max_tokens"] = .int(parameters.maxTokens ?? Self.defaultMaxTokens)
    body.set("temperature", .number(parameters.temperature))
    body.set("top_p", .number(parameters.topP))
    body.set("top_k", .number(parameters.topK))
    body.set("stop_sequences", .strings(parameters.stop))
    if !request.tools.isEmpty {
      body["tools"] = .array(
        request.tools.map { tool in
          var entry: [String: JSONValue] = ["name": .string(tool.name), "input_schema": tool.parameters]
          entry.set("description", .text(tool.description))
          return .object(entry)
        })
    }
    if let choice = request.toolChoice {
      switch choice {
      case .auto: body["tool_choice"] = ["type": "auto"]
      case .none: body["tool_choice"] = ["type": "none"]
      case .required: body["tool_choice"] = ["type": "any"]
      case .function(let name): body["tool_choice"] = ["type": "tool", "name": .string(name)]
      }
    }
    if stream { body["stream"] = true }
    return .json("/v1/messages", JSONValue.object(body))
  }

  /// The model, system prompt and messages, as both `/v1/messages` and `count_tokens` take them.
  private func messagesBody(_ request: CompletionRequest, model: String) throws -> [String: JSONValue] {
    var systemParts = request.system.map { [$0] } ?? []
    var messages: [JSONValue] = []
    for message in request.messages {
      switch message.role {
      case .system:
        systemParts.append(message.text)
      case .tool:
        let block: JSONValue = [
          "type": "tool_result", "tool_use_id": .string(message.toolCallID ?? ""),
          "content": .string(message.text),
        ]
        messages.append(["role": "user", "content": [block]])
      case .user, .assistant:
        var blocks = try message.content.map(contentBlock)
        for call in message.toolCalls {
          let input = (try? JSONValue.parse(Data(call.arguments.utf8))) ?? .object([:])
          blocks.append([
            "type": "tool_use", "id": .string(call.id), "name": .string(call.name), "input": input,
          ])
        }
        messages.append(["role": .string(message.role.rawValue), "content": .array(blocks)])
      }
    }
    var body: [String: JSONValue] = ["model": .string(model), "messages": .array(messages)]
    if !systemParts.isEmpty { body["system"] = .string(systemParts.joined(separator: "\n\n")) }
    return body
  }

  private func contentBlock(_ part: ContentPart) throws -> JSONValue {
    switch part {
    case .text(let text):
      return ["type": "text", "text": .string(text)]
    case .image(let image):
      switch image.source {
      case .inline(let data, let mediaType):
        return [
          "type": "image",
          "source": [
            "type": "base64", "media_type": .string(mediaType), "data": .string(data.base64EncodedString()),
          ],
        ]
      case .url(let url):
        return ["type": "image", "source": ["type": "url", "url": .string(url)]]
      }
    case .audio:
      throw LTBError(.unsupportedCapability, "provider '\(name)' (anthropic) does not accept audio input")
    }
  }

  /// Decodes a Messages API response.
  public func decodeResponse(_ body: Data) throws -> [StreamEvent] {
    let message = try WireJSON.decode(AnthropicMessage.self, from: body, context: "anthropic message")
    var events: [StreamEvent] = [.metadata(responseID: message.id, model: message.model)]
    for (index, block) in message.content.enumerated() {
      switch block.type {
      case "text": events.append(.text(block.text ?? ""))
      case "thinking": events.append(.reasoning(block.thinking ?? ""))
      case "tool_use":
        events.append(
          .toolCall(
            index: index, id: block.id, name: block.name, argumentsDelta: block.input?.canonicalText() ?? "{}"
          ))
      default: break
      }
    }
    if let reason = message.stopReason { events.append(.finish(AnthropicMessage.finishReason(reason))) }
    if let usage = message.usage { events.append(.usage(usage.usage)) }
    return events
  }

  /// A decoder for one stream.
  public func makeStreamDecoder() -> some ChatStreamDecoder { AnthropicStreamDecoder(settings: settings) }

  /// Lists models, which needs a valid key.
  public func healthRequest() -> OutgoingRequest { OutgoingRequest(method: .get, path: "/v1/models") }

  /// Counts input tokens exactly with `/v1/messages/count_tokens`.
  public func estimateTokens(_ text: String, model: String?) async throws -> TokenCount {
    struct Answer: Decodable { var inputTokens: Int }
    let resolved = try resolveModel(model)
    let body = try messagesBody(CompletionRequest(prompt: text), model: resolved)
    let data = try await transport.data(
      for: .json("/v1/messages/count_tokens", JSONValue.object(body)), mapError: mapError)
    let answer = try WireJSON.decode(Answer.self, from: data, context: "count_tokens")
    return TokenCount(
      count: answer.inputTokens, exact: true, method: "anthropic count_tokens (includes message framing)")
  }
}

/// A Messages API response, and the `message` inside `message_start`.
struct AnthropicMessage: Decodable {
  var id: String?
  var model: String?
  var content: [Block]
  var stopReason: String?
  var usage: UsageBlock?

  struct Block: Decodable {
    var type: String
    var text: String?
    var thinking: String?
    var id: String?
    var name: String?
    var input: JSONValue?
  }

  struct UsageBlock: Decodable {
    var inputTokens: Int?
    var outputTokens: Int?
    var cacheReadInputTokens: Int?
    var cacheCreationInputTokens: Int?

    var usage: Usage {
      let cached = cacheReadInputTokens ?? 0
      return Usage(
        inputTokens: (inputTokens ?? 0) + cached + (cacheCreationInputTokens ?? 0),
        outputTokens: outputTokens ?? 0,
        cachedInputTokens: cached)
    }
  }

  static func finishReason(_ value: String) -> FinishReason {
    switch value {
    case "end_turn", "stop_sequence", "pause_turn": .stop
    case "max_tokens": .length
    case "tool_use": .toolCalls
    case "refusal": .contentFilter
    default: .other
    }
  }
}

/// Decodes Anthropic's stream: `message_start`, `content_block_start`, `content_block_delta`
/// (`text_delta`, `input_json_delta`, `thinking_delta`), `message_delta`, `message_stop`,
/// `ping` and `error`.
struct AnthropicStreamDecoder: ChatStreamDecoder {
  let settings: ProviderSettings
  private(set) var isComplete = false
  private var inputUsage = AnthropicMessage.UsageBlock()

  init(settings: ProviderSettings) {
    self.settings = settings
  }

  private struct Event: Decodable {
    var type: String
    var index: Int?
    var message: AnthropicMessage?
    var contentBlock: AnthropicMessage.Block?
    var delta: Delta?
    var usage: AnthropicMessage.UsageBlock?
    var error: JSONValue?
  }

  private struct Delta: Decodable {
    var type: String?
    var text: String?
    var partialJson: String?
    var thinking: String?
    var stopReason: String?
  }

  mutating func decode(_ message: StreamMessage) throws -> [StreamEvent] {
    guard case .event(let sse) = message, !sse.data.isEmpty else { return [] }
    let event = try WireJSON.decode(Event.self, from: Data(sse.data.utf8), context: "anthropic stream event")
    switch event.type {
    case "message_start":
      inputUsage = event.message?.usage ?? inputUsage
      return [.metadata(responseID: event.message?.id, model: event.message?.model)]
    case "content_block_start":
      guard let block = event.contentBlock else { return [] }
      switch block.type {
      case "tool_use":
        return [.toolCall(index: event.index ?? 0, id: block.id, name: block.name, argumentsDelta: "")]
      case "text" where !(block.text ?? "").isEmpty:
        return [.text(block.text ?? "")]
      default:
        return []
      }
    case "content_block_delta":
      guard let delta = event.delta else { return [] }
      switch delta.type {
      case "text_delta": return [.text(delta.text ?? "")]
      case "thinking_delta": return [.reasoning(delta.thinking ?? "")]
      case "input_json_delta":
        return [
          .toolCall(index: event.index ?? 0, id: nil, name: nil, argumentsDelta: delta.partialJson ?? "")
        ]
      default: return []
      }
    case "message_delta":
      var events: [StreamEvent] = []
      if let reason = event.delta?.stopReason {
        events.append(.finish(AnthropicMessage.finishReason(reason)))
      }
      if let output = event.usage?.outputTokens {
        var usage = inputUsage
        usage.outputTokens = output
        if let input = event.usage?.inputTokens { usage.inputTokens = input }
        events.append(.usage(usage.usage))
      }
      return events
    case "message_stop":
      isComplete = true
      return []
    case "error":
      throw ProviderErrorMapping.streamError(["error": event.error ?? "unknown error"], settings: settings)
    default:
      return []
    }
  }
}
