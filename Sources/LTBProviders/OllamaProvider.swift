public import Foundation
public import LTBCore

/// Ollama's native API: `/api/chat` (an NDJSON stream whose last line carries `eval_duration` and
/// friends), `/api/embed`, `/api/tags` and `/api/version`.
public struct OllamaProvider: HTTPChatProvider {
  /// Settings, catalogue and HTTP path.
  public let context: ProviderContext

  /// Creates the provider.
  public init(settings: ProviderSettings, catalog: ModelCatalog) {
    context = ProviderContext(
      settings: settings, catalog: catalog, authentication: ProviderContext.bearer)
  }

  /// What Ollama's API can do (the model decides vision and tools).
  public var baseCapabilities: ProviderCapabilities {
    ProviderCapabilities(
      streaming: true, vision: true, audio: false, functionCalling: true, embeddings: true, logprobs: true,
      jsonMode: true)
  }

  /// The native API.
  public var versionInfo: VersionInfo { VersionInfo(apiVersion: "ollama native", endpoint: "api/chat") }
  /// Newline-delimited JSON.
  public var framing: StreamFraming { .newlineDelimitedJSON }

  /// An `/api/chat` request.
  public func chatRequest(_ request: CompletionRequest, model: String, stream: Bool) throws -> OutgoingRequest
  {
    var messages: [JSONValue] = []
    if let system = request.system { messages.append(["role": "system", "content": .string(system)]) }
    for message in request.messages {
      var entry: [String: JSONValue] = [
        "role": .string(message.role.rawValue), "content": .string(message.text),
      ]
      var images: [JSONValue] = []
      for part in message.content {
        switch part {
        case .text: continue
        case .image(let image):
          guard case .inline(let data, _) = image.source else {
            throw LTBError(
              .unsupportedCapability, "provider '\(name)' (ollama) takes images inline only",
              fix: "give the image as a file path or data, not a URL")
          }
          images.append(.string(data.base64EncodedString()))
        case .audio:
          throw LTBError(.unsupportedCapability, "provider '\(name)' (ollama) does not accept audio input")
        }
      }
      if !images.isEmpty { entry["images"] = .array(images) }
      if !message.toolCalls.isEmpty {
        entry["tool_calls"] = .array(
          message.toolCalls.map {
            [
              "function": [
                "name": .string($0.name), "arguments": (try? JSONValue.parse(Data($0.arguments.utf8))) ?? [:],
              ]
            ]
          })
      }
      messages.append(.object(entry))
    }
    var options: [String: JSONValue] = [:]
    let parameters = request.parameters
    options.set("temperature", .number(parameters.temperature))
    options.set("top_p", .number(parameters.topP))
    options.set("top_k", .number(parameters.topK))
    options.set("num_predict", .number(parameters.maxTokens))
    options.set("stop", .strings(parameters.stop))
    options.set("seed", .number(parameters.seed))
    options.set("presence_penalty", .number(parameters.presencePenalty))
    options.set("frequency_penalty", .number(parameters.frequencyPenalty))
    var body: [String: JSONValue] = [
      "model": .string(model), "messages": .array(messages), "stream": .bool(stream),
    ]
    if !options.isEmpty { body["options"] = .object(options) }
    switch request.responseFormat {
    case .text: break
    case .jsonObject: body["format"] = "json"
    case .jsonSchema(_, let schema): body["format"] = schema
    }
    if let logprobs = request.logprobs {
      body["logprobs"] = true
      if logprobs > 0 { body["top_logprobs"] = .int(logprobs) }
    }
    if !request.tools.isEmpty {
      body["tools"] = functionTools(request.tools)
    }
    return .json("/api/chat", JSONValue.object(body))
  }

  /// Decodes a non-streamed `/api/chat` answer.
  public func decodeResponse(_ body: Data) throws -> [StreamEvent] {
    var decoder = OllamaStreamDecoder(settings: settings)
    return try decoder.decode(.line(Array(body)))
  }

  /// A decoder for one stream.
  public func makeStreamDecoder() -> some ChatStreamDecoder { OllamaStreamDecoder(settings: settings) }

  /// The server version, which needs no model.
  public func healthRequest() -> OutgoingRequest { OutgoingRequest(method: .get, path: "/api/version") }

  /// Embeds texts with `/api/embed`.
  public func embed(_ texts: [String], model: String?) async throws -> [[Double]] {
    struct Answer: Decodable { var embeddings: [[Double]] }
    let body: JSONValue = [
      "model": .string(try resolveModel(model)), "input": .array(texts.map(JSONValue.string)),
    ]
    let data = try await transport.data(for: .json("/api/embed", body), mapError: mapError)
    let vectors = try WireJSON.decode(Answer.self, from: data, context: "embed").embeddings
    return try checkedVectors(vectors, count: texts.count, endpoint: "/api/embed")
  }

  /// The models the server has pulled (`/api/tags`).
  public func installedModels() async throws -> [String] {
    struct Answer: Decodable {
      struct Model: Decodable { var name: String }
      var models: [Model]
    }
    let data = try await transport.data(
      for: OutgoingRequest(method: .get, path: "/api/tags"), mapError: mapError)
    return try WireJSON.decode(Answer.self, from: data, context: "tags").models.map(\.name)
  }
}

/// Decodes Ollama's chat lines; complete at `"done": true`.
struct OllamaStreamDecoder: ChatStreamDecoder {
  let settings: ProviderSettings
  private(set) var isComplete = false
  private var toolCalls = 0

  init(settings: ProviderSettings) {
    self.settings = settings
  }

  private struct Line: Decodable {
    var model: String?
    var message: MessageBlock?
    var done: Bool?
    var doneReason: String?
    var totalDuration: Int64?
    var loadDuration: Int64?
    var promptEvalCount: Int?
    var promptEvalDuration: Int64?
    var evalCount: Int?
    var evalDuration: Int64?
    var logprobs: [WireTokenLogprob]?
    var error: String?
  }

  private struct MessageBlock: Decodable {
    var content: String?
    var thinking: String?
    var toolCalls: [ToolCallBlock]?
  }

  private struct ToolCallBlock: Decodable {
    struct Function: Decodable {
      var name: String
      var arguments: JSONValue?
    }
    var function: Function
  }

  mutating func decode(_ message: StreamMessage) throws -> [StreamEvent] {
    let line = try WireJSON.decode(Line.self, from: message.payload, context: "ollama chat line")
    if let error = line.error {
      throw ProviderErrorMapping.streamError(["error": .string(error)], settings: settings)
    }
    var events: [StreamEvent] = []
    if let thinking = line.message?.thinking, !thinking.isEmpty { events.append(.reasoning(thinking)) }
    if let content = line.message?.content, !content.isEmpty { events.append(.text(content)) }
    for call in line.message?.toolCalls ?? [] {
      events.append(
        .toolCall(
          index: toolCalls, id: call.function.name, name: call.function.name,
          argumentsDelta: call.function.arguments?.canonicalText() ?? "{}"))
      toolCalls += 1
    }
    if let logprobs = line.logprobs, !logprobs.isEmpty {
      events.append(.logprobs(logprobs.map(\.tokenLogprob)))
    }
    if line.done == true {
      isComplete = true
      events.append(.metadata(responseID: nil, model: line.model))
      switch line.doneReason {
      case "length"?: events.append(.finish(.length))
      case "stop"?, nil: events.append(.finish(toolCalls > 0 ? .toolCalls : .stop))
      default: events.append(.finish(.other))
      }
      if let prompt = line.promptEvalCount, let output = line.evalCount {
        events.append(.usage(Usage(inputTokens: prompt, outputTokens: output)))
      }
      let milliseconds = { (nanos: Int64?) in nanos.map { Double($0) / 1e6 } }
      events.append(
        .serverTimings(
          ServerTimings(
            source: "ollama", promptTokens: line.promptEvalCount,
            promptMilliseconds: milliseconds(line.promptEvalDuration),
            generatedTokens: line.evalCount, generationMilliseconds: milliseconds(line.evalDuration),
            loadMilliseconds: milliseconds(line.loadDuration),
            totalMilliseconds: milliseconds(line.totalDuration))))
    }
    return events
  }
}
