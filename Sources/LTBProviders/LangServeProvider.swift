public import Foundation
public import LTBCore

/// A LangChain runnable served by LangServe, benchmarked like a model: `POST {base_url}/invoke`,
/// `/stream` (server-sent events `metadata`, `data`, `error`, `end`) and `/batch`, health from
/// `/input_schema`. The base URL is the runnable's path (`http://host:8000/my-chain`).
///
/// With `input_key`, the chain's input is an object whose `input_key` member gets the prompt
/// (the last user message); without it, the input is the conversation as LangChain messages
/// (`{"type": "human", "content": ...}`), which is what a chat model served directly takes. A
/// chunk is a message chunk (its `content` is the text) or a string (a chain ending in a string
/// parser). Tokens are what the chain reports in `usage_metadata`, else estimated.
public struct LangServeProvider: HTTPChatProvider {
  /// Settings, catalogue and HTTP path.
  public let context: ProviderContext

  /// Creates the provider.
  public init(settings: ProviderSettings, catalog: ModelCatalog) {
    context = ProviderContext(
      settings: settings, catalog: catalog, authentication: ProviderContext.bearer)
  }

  /// Text in, text out, streamed; whatever else the chain does is its own business.
  public var baseCapabilities: ProviderCapabilities {
    ProviderCapabilities(
      streaming: true, vision: false, audio: false, functionCalling: false, embeddings: false,
      logprobs: false,
      jsonMode: false)
  }

  /// LangServe's runnable routes.
  public var versionInfo: VersionInfo { VersionInfo(apiVersion: "langserve", endpoint: "stream") }
  /// Server-sent events.
  public var framing: StreamFraming { .serverSentEventsWithEmptyEvents }

  /// The runnable's input for `request`.
  public func input(_ request: CompletionRequest) throws -> JSONValue {
    if request.responseFormat != .text || request.logprobs != nil || !request.tools.isEmpty {
      throw LTBError(
        .unsupportedCapability,
        "provider '\(name)' (langserve) cannot pass JSON mode, log-probabilities or tools to a chain",
        fix: "build them into the chain on the server, and leave them out of the suite")
    }
    for message in request.messages {
      for part in message.content {
        if case .text = part { continue }
        throw LTBError(
          .unsupportedCapability, "provider '\(name)' (langserve) sends text only",
          fix: "leave images and audio out of cases sent to a LangServe chain")
      }
    }
    if let key = settings.inputKey, !key.isEmpty {
      guard let prompt = request.messages.last(where: { $0.role == .user })?.text else {
        throw LTBError(.invalidRequest, "provider '\(name)' (langserve) needs a user message for '\(key)'")
      }
      return .object([key: .string(prompt)])
    }
    var messages: [JSONValue] = []
    if let system = request.system { messages.append(["type": "system", "content": .string(system)]) }
    for message in request.messages {
      let type: String =
        switch message.role {
        case .system: "system"
        case .user: "human"
        case .assistant: "ai"
        case .tool: "tool"
        }
      messages.append(["type": .string(type), "content": .string(message.text)])
    }
    return .array(messages)
  }

  /// `/stream` or `/invoke` with the input; sampling parameters are the chain's, not ours.
  public func chatRequest(_ request: CompletionRequest, model: String, stream: Bool) throws -> OutgoingRequest
  {
    try .json(stream ? "/stream" : "/invoke", ["input": input(request), "config": [:], "kwargs": [:]])
  }

  /// Decodes an `/invoke` answer: `{"output": ..., "metadata": {"run_id": ...}}`.
  public func decodeResponse(_ body: Data) throws -> [StreamEvent] {
    let answer = try WireJSON.decode(JSONValue.self, from: body, context: "langserve invoke")
    var events: [StreamEvent] = [
      .metadata(responseID: answer["metadata"]?["run_id"]?.stringValue, model: nil)
    ]
    events += LangServeStreamDecoder.events(answer["output"] ?? .null)
    events.append(.finish(.stop))
    return events
  }

  /// Sends several inputs in one `/batch` call and returns each output's text, in order.
  public func batch(_ requests: [CompletionRequest]) async throws -> [String] {
    let body: JSONValue = ["inputs": .array(try requests.map(input)), "config": [:], "kwargs": [:]]
    let data = try await transport.data(for: .json("/batch", body), mapError: mapError)
    let outputs = try WireJSON.decode(JSONValue.self, from: data, context: "langserve batch")["output"]?
      .arrayValue
    guard let outputs, outputs.count == requests.count else {
      throw LTBError(
        .server,
        "provider '\(name)' (langserve) answered a batch of \(requests.count) without as many outputs")
    }
    return outputs.map { LangServeStreamDecoder.text($0) }
  }

  /// A decoder for one stream.
  public func makeStreamDecoder() -> some ChatStreamDecoder { LangServeStreamDecoder(settings: settings) }

  /// The runnable's input schema, which needs no model.
  public func healthRequest() -> OutgoingRequest { OutgoingRequest(method: .get, path: "/input_schema") }
}

/// LangServe's `/stream` events: `metadata` (the run id), `data` (a chunk), `error`, `end`.
struct LangServeStreamDecoder: ChatStreamDecoder {
  let settings: ProviderSettings
  private(set) var isComplete = false

  init(settings: ProviderSettings) {
    self.settings = settings
  }

  mutating func decode(_ message: StreamMessage) throws -> [StreamEvent] {
    guard case .event(let event) = message else { return [] }
    switch event.event {
    case "metadata":
      let data = try WireJSON.decode(JSONValue.self, from: message.payload, context: "langserve metadata")
      return [.metadata(responseID: data["run_id"]?.stringValue, model: nil)]
    case "data":
      let chunk = try WireJSON.decode(JSONValue.self, from: message.payload, context: "langserve chunk")
      return Self.events(chunk)
    case "error":
      let error = (try? JSONValue.parse(event.data)) ?? .string(event.data)
      throw ProviderErrorMapping.streamError(error, settings: settings)
    case "end":
      isComplete = true
      return [.finish(.stop)]
    default:
      return []
    }
  }

  /// The text and usage of one output or chunk: a message (chunk), a string, or a dictionary
  /// holding either under `output`, `content` or `text`.
  static func events(_ value: JSONValue) -> [StreamEvent] {
    var events: [StreamEvent] = []
    let text = Self.text(value)
    if !text.isEmpty { events.append(.text(text)) }
    if let usage = value["usage_metadata"], let input = usage["input_tokens"]?.intValue,
      let output = usage["output_tokens"]?.intValue
    {
      events.append(.usage(Usage(inputTokens: input, outputTokens: output)))
    }
    return events
  }

  /// The text of an output or chunk.
  static func text(_ value: JSONValue) -> String {
    if let string = value.stringValue { return string }
    for key in ["content", "text", "output", "answer"] {
      if let inner = value[key] {
        if let string = inner.stringValue { return string }
        if let parts = inner.arrayValue {
          return parts.compactMap { $0.stringValue ?? $0["text"]?.stringValue }.joined()
        }
        if key == "output" { return text(inner) }
      }
    }
    return ""
  }
}
