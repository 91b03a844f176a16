public import Foundation
public import LTBCore
import NIOConcurrencyHelpers

/// llama.cpp's `llama-server`, through its native API: `/completion` (streamed, with
/// `completion_probabilities` and the server's own `timings`), `/apply-template` for the chat
/// template, `/tokenize` for exact counts, `/v1/embeddings` and `/health`.
///
/// It either attaches to a running server at `base_url`, or, when `binary` and `model_path` are
/// configured, launches the server itself on first use and stops it on ``shutdown()``.
public struct LlamaCppProvider: HTTPChatProvider {
  /// Settings, catalogue and HTTP path.
  public let context: ProviderContext
  private let process: LlamaServerProcess?
  private let renderedPrompts = PromptCache(capacity: 4_096)

  /// Creates the provider; when launching, picks the port now and starts the server on first use.
  public init(settings: ProviderSettings, catalog: ModelCatalog) throws {
    var settings = settings
    if let launch = settings.launch {
      let port = launch.port != 0 ? launch.port : try FreePort.find()
      settings.baseURL = "http://127.0.0.1:\(port)"
      self.process = LlamaServerProcess(launch: launch, port: port, providerName: settings.name)
    } else {
      self.process = nil
    }
    context = ProviderContext(
      settings: settings, catalog: catalog, authentication: ProviderContext.bearer)
  }

  /// What `llama-server` offers (vision only with a multimodal projector, which is not wired here).
  public var baseCapabilities: ProviderCapabilities {
    ProviderCapabilities(
      streaming: true, vision: false, audio: false, functionCalling: false, embeddings: true, logprobs: true,
      jsonMode: true, tokenCounting: true)
  }

  /// The native completion API.
  public var versionInfo: VersionInfo { VersionInfo(apiVersion: "llama.cpp native", endpoint: "completion") }
  /// Server-sent events.
  public var framing: StreamFraming { .serverSentEvents }

  /// Launches the server when this provider owns it.
  public func prepare() async throws {
    guard let process else { return }
    let probe = HTTPTransport(
      settings: ProviderSettings(
        name: settings.name, kind: .llamacpp, baseURL: settings.baseURL, connectTimeout: .seconds(1),
        firstByteTimeout: .seconds(2), totalTimeout: .seconds(2), maxRetries: 0))
    defer { Task { await probe.shutdown() } }
    try await process.ensureRunning {
      (try? await probe.data(for: OutgoingRequest(method: .get, path: "/health")) { _ in
        LTBError(.server, "not ready")
      }) != nil
    }
  }

  /// A `/completion` request, with the prompt rendered by the server's chat template.
  public func chatRequest(_ request: CompletionRequest, model: String, stream: Bool) async throws
    -> OutgoingRequest
  {
    if request.modalities != [.text] {
      throw LTBError(
        .unsupportedCapability, "provider '\(name)' (llamacpp) takes text only here",
        fix: "use the openai-compatible provider against a llama-server started with a multimodal projector")
    }
    if !request.tools.isEmpty {
      throw LTBError(
        .unsupportedCapability, "provider '\(name)' (llamacpp native /completion) does not run tools",
        fix: "use the openai-compatible provider against llama-server's /v1 API for tool calls")
    }
    let prompt = try await renderPrompt(request)
    var body: [String: JSONValue] = [
      "prompt": .string(prompt), "stream": .bool(stream), "cache_prompt": true,
    ]
    let parameters = request.parameters
    body.set("n_predict", .number(parameters.maxTokens))
    body.set("temperature", .number(parameters.temperature))
    body.set("top_p", .number(parameters.topP))
    body.set("top_k", .number(parameters.topK))
    body.set("stop", .strings(parameters.stop))
    body.set("seed", .number(parameters.seed))
    body.set("presence_penalty", .number(parameters.presencePenalty))
    body.set("frequency_penalty", .number(parameters.frequencyPenalty))
    if let logprobs = request.logprobs { body["n_probs"] = .int(max(1, logprobs)) }
    switch request.responseFormat {
    case .text: break
    case .jsonObject: body["json_schema"] = ["type": "object"]
    case .jsonSchema(_, let schema): body["json_schema"] = schema
    }
    return .json("/completion", JSONValue.object(body))
  }

  /// The prompt text the model's chat template makes of the conversation (`/apply-template`).
  /// Rendered prompts are remembered (by conversation), so repeats cost no extra round trip.
  public func renderPrompt(_ request: CompletionRequest) async throws -> String {
    struct Answer: Decodable { var prompt: String }
    var messages: [JSONValue] = []
    if let system = request.system { messages.append(["role": "system", "content": .string(system)]) }
    for message in request.messages {
      messages.append(["role": .string(message.role.rawValue), "content": .string(message.text)])
    }
    let key = JSONValue.array(messages).canonicalText()
    if let cached = renderedPrompts.value(for: key) { return cached }
    let data = try await transport.data(
      for: .json("/apply-template", ["messages": .array(messages)] as JSONValue), mapError: mapError)
    return try WireJSON.decode(Answer.self, from: data, context: "apply-template").prompt
  }

  /// Decodes a non-streamed `/completion` answer.
  public func decodeResponse(_ body: Data) throws -> [StreamEvent] {
    var decoder = LlamaCppStreamDecoder(settings: settings)
    return try decoder.decodePayload(body)
  }

  /// A decoder for one stream.
  public func makeStreamDecoder() -> some ChatStreamDecoder { LlamaCppStreamDecoder(settings: settings) }

  /// `/health`.
  public func healthRequest() -> OutgoingRequest { OutgoingRequest(method: .get, path: "/health") }

  /// Counts tokens exactly with the model's own tokenizer (`/tokenize`).
  public func estimateTokens(_ text: String, model: String?) async throws -> TokenCount {
    struct Answer: Decodable { var tokens: [JSONValue] }
    try await prepare()
    let body: JSONValue = ["content": .string(text), "add_special": false]
    let data = try await transport.data(for: .json("/tokenize", body), mapError: mapError)
    return TokenCount(
      count: try WireJSON.decode(Answer.self, from: data, context: "tokenize").tokens.count, exact: true,
      method: "llama.cpp /tokenize")
  }

  /// Embeds texts with `/v1/embeddings` (the server must run with `--embeddings`).
  public func embed(_ texts: [String], model: String?) async throws -> [[Double]] {
    try await prepare()
    return try await openAIEmbeddings(
      texts, model: model ?? settings.defaultModel ?? "default", path: "/v1/embeddings", transport: transport,
      mapError: mapError)
  }

  /// Stops the launched server, if any, and closes connections.
  public func shutdown() async {
    await process?.stop()
    await transport.shutdown()
  }
}

/// The `timings` object llama.cpp adds to completions.
struct LlamaCppTimings: Decodable {
  var cacheN: Int?
  var promptN: Int?
  var promptMs: Double?
  var predictedN: Int?
  var predictedMs: Double?

  init(json: JSONValue) {
    cacheN = json["cache_n"]?.intValue
    promptN = json["prompt_n"]?.intValue
    promptMs = json["prompt_ms"]?.doubleValue
    predictedN = json["predicted_n"]?.intValue
    predictedMs = json["predicted_ms"]?.doubleValue
  }

  var serverTimings: ServerTimings {
    ServerTimings(
      source: "llama.cpp", promptTokens: promptN, promptMilliseconds: promptMs, generatedTokens: predictedN,
      generationMilliseconds: predictedMs, totalMilliseconds: (promptMs ?? 0) + (predictedMs ?? 0),
      cachedPromptTokens: cacheN)
  }
}

/// Decodes `/completion` chunks; complete at `"stop": true`.
struct LlamaCppStreamDecoder: ChatStreamDecoder {
  let settings: ProviderSettings
  private(set) var isComplete = false

  init(settings: ProviderSettings) {
    self.settings = settings
  }

  private struct Chunk: Decodable {
    var content: String?
    var stop: Bool?
    var stopType: String?
    var tokensPredicted: Int?
    var tokensEvaluated: Int?
    var timings: LlamaCppTimings?
    var completionProbabilities: [WireTokenLogprob]?
    var error: JSONValue?
  }

  mutating func decode(_ message: StreamMessage) throws -> [StreamEvent] {
    guard case .event(let event) = message, !event.data.isEmpty else { return [] }
    return try decodePayload(Data(event.data.utf8))
  }

  mutating func decodePayload(_ data: Data) throws -> [StreamEvent] {
    let chunk = try WireJSON.decode(Chunk.self, from: data, context: "llama.cpp completion chunk")
    if let error = chunk.error {
      throw ProviderErrorMapping.streamError(["error": error], settings: settings)
    }
    var events: [StreamEvent] = []
    if let content = chunk.content, !content.isEmpty { events.append(.text(content)) }
    if let probabilities = chunk.completionProbabilities, !probabilities.isEmpty {
      events.append(.logprobs(probabilities.map(\.tokenLogprob)))
    }
    if chunk.stop == true {
      isComplete = true
      events.append(.finish(chunk.stopType == "limit" ? .length : .stop))
      if let input = chunk.tokensEvaluated, let output = chunk.tokensPredicted {
        events.append(
          .usage(
            Usage(inputTokens: input, outputTokens: output, cachedInputTokens: chunk.timings?.cacheN ?? 0)))
      }
      if let timings = chunk.timings { events.append(.serverTimings(timings.serverTimings)) }
    }
    return events
  }
}

/// A bounded map from conversations to rendered prompts; the oldest entries go first when full.
final class PromptCache: Sendable {
  private let capacity: Int
  private let storage = NIOLockedValueBox<(values: [String: String], order: [String])>(([:], []))

  init(capacity: Int) {
    self.capacity = capacity
  }

  func value(for key: String) -> String? {
    storage.withLockedValue { $0.values[key] }
  }

  func store(_ value: String, for key: String) {
    storage.withLockedValue { state in
      guard state.values.updateValue(value, forKey: key) == nil else { return }
      state.order.append(key)
      if state.order.count > capacity { state.values.removeValue(forKey: state.order.removeFirst()) }
    }
  }
}
