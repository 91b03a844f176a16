public import Foundation
public import LTBCore

/// Google's Gemini API: `generateContent`, `streamGenerateContent?alt=sse`, inline data for
/// images and audio, `batchEmbedContents` and exact counts from `countTokens`.
public struct GeminiProvider: HTTPChatProvider {
  /// Settings, catalogue and HTTP path.
  public let context: ProviderContext

  /// Creates the provider.
  public init(settings: ProviderSettings, catalog: ModelCatalog) {
    context = ProviderContext(settings: settings, catalog: catalog) { key in
      key.map { [("x-goog-api-key", $0.value)] } ?? []
    }
  }

  /// What the Gemini API can do.
  public var baseCapabilities: ProviderCapabilities {
    ProviderCapabilities(
      streaming: true, vision: true, audio: true, functionCalling: true, embeddings: true, logprobs: true,
      jsonMode: true, tokenCounting: true, fineTuning: true)
  }

  /// The v1beta generative language API.
  public var versionInfo: VersionInfo {
    VersionInfo(apiVersion: "v1beta", endpoint: "models/{model}:generateContent")
  }
  /// Server-sent events (`alt=sse`).
  public var framing: StreamFraming { .serverSentEvents }

  private func modelPath(_ model: String) -> String {
    "/models/" + (model.hasPrefix("models/") ? String(model.dropFirst(7)) : model)
  }

  /// A `generateContent` or `streamGenerateContent` request.
  public func chatRequest(_ request: CompletionRequest, model: String, stream: Bool) throws -> OutgoingRequest
  {
    var body = contentsBody(request)
    var config: [String: JSONValue] = [:]
    let parameters = request.parameters
    config.set("temperature", .number(parameters.temperature))
    config.set("topP", .number(parameters.topP))
    config.set("topK", .number(parameters.topK))
    config.set("maxOutputTokens", .number(parameters.maxTokens))
    config.set("stopSequences", .strings(parameters.stop))
    config.set("seed", .number(parameters.seed))
    config.set("presencePenalty", .number(parameters.presencePenalty))
    config.set("frequencyPenalty", .number(parameters.frequencyPenalty))
    if let logprobs = request.logprobs {
      config["responseLogprobs"] = true
      if logprobs > 0 { config["logprobs"] = .int(logprobs) }
    }
    switch request.responseFormat {
    case .text: break
    case .jsonObject: config["responseMimeType"] = "application/json"
    case .jsonSchema(_, let schema):
      config["responseMimeType"] = "application/json"
      config["responseJsonSchema"] = schema
    }
    if !config.isEmpty { body["generationConfig"] = .object(config) }
    if !request.tools.isEmpty {
      let declarations: [JSONValue] = request.tools.map { tool in
        var entry: [String: JSONValue] = ["name": .string(tool.name), "parameters": tool.parameters]
        entry.set("description", .text(tool.description))
        return .object(entry)
      }
      body["tools"] = [["functionDeclarations": .array(declarations)]]
    }
    if let choice = request.toolChoice {
      let mode: JSONValue
      switch choice {
      case .auto: mode = ["mode": "AUTO"]
      case .none: mode = ["mode": "NONE"]
      case .required: mode = ["mode": "ANY"]
      case .function(let name): mode = ["mode": "ANY", "allowedFunctionNames": [.string(name)]]
      }
      body["toolConfig"] = ["functionCallingConfig": mode]
    }
    let path = modelPath(model) + (stream ? ":streamGenerateContent?alt=sse" : ":generateContent")
    return .json(path, JSONValue.object(body))
  }

  /// `contents` and `systemInstruction`, as both generation and `countTokens` take them.
  private func contentsBody(_ request: CompletionRequest) -> [String: JSONValue] {
    var systemParts = request.system.map { [$0] } ?? []
    var contents: [JSONValue] = []
    for message in request.messages {
      switch message.role {
      case .system:
        systemParts.append(message.text)
      case .tool:
        let response =
          (try? JSONValue.parse(Data(message.text.utf8))).flatMap(\.objectValue).map(JSONValue.object)
          ?? ["result": .string(message.text)]
        let part: JSONValue = [
          "functionResponse": ["name": .string(message.toolCallID ?? ""), "response": response]
        ]
        contents.append(["role": "user", "parts": [part]])
      case .user, .assistant:
        var parts: [JSONValue] = message.content.map(part)
        for call in message.toolCalls {
          let args = (try? JSONValue.parse(Data(call.arguments.utf8))) ?? .object([:])
          parts.append(["functionCall": ["name": .string(call.name), "args": args]])
        }
        contents.append(["role": message.role == .assistant ? "model" : "user", "parts": .array(parts)])
      }
    }
    var body: [String: JSONValue] = ["contents": .array(contents)]
    if !systemParts.isEmpty {
      body["systemInstruction"] = ["parts": [["text": .string(systemParts.joined(separator: "\n\n"))]]]
    }
    return body
  }

  private func part(_ part: ContentPart) -> JSONValue {
    switch part {
    case .text(let text):
      return ["text": .string(text)]
    case .image(let image):
      switch image.source {
      case .inline(let data, let mediaType):
        return ["inlineData": ["mimeType": .string(mediaType), "data": .string(data.base64EncodedString())]]
      case .url(let url):
        return ["fileData": ["mimeType": .string(Self.mediaType(forURL: url)), "fileUri": .string(url)]]
      }
    case .audio(let audio):
      return [
        "inlineData": [
          "mimeType": .string(audio.format.mediaType), "data": .string(audio.data.base64EncodedString()),
        ]
      ]
    }
  }

  private static func mediaType(forURL url: String) -> String {
    switch url.split(separator: ".").last?.lowercased() {
    case "png": "image/png"
    case "webp": "image/webp"
    case "gif": "image/gif"
    default: "image/jpeg"
    }
  }

  /// Decodes a `GenerateContentResponse`.
  public func decodeResponse(_ body: Data) throws -> [StreamEvent] {
    let response = try WireJSON.decode(GeminiResponse.self, from: body, context: "gemini response")
    return try response.events(settings: settings, toolIndexBase: 0)
  }

  /// A decoder for one stream.
  public func makeStreamDecoder() -> some ChatStreamDecoder { GeminiStreamDecoder(settings: settings) }

  /// Lists models, which needs a valid key.
  public func healthRequest() -> OutgoingRequest { OutgoingRequest(method: .get, path: "/models?pageSize=1") }

  /// Counts tokens exactly with `countTokens`.
  public func estimateTokens(_ text: String, model: String?) async throws -> TokenCount {
    struct Answer: Decodable { var totalTokens: Int }
    let resolved = try resolveModel(model)
    let body = contentsBody(CompletionRequest(prompt: text))
    let data = try await transport.data(
      for: .json(modelPath(resolved) + ":countTokens", ["contents": body["contents"] ?? []] as JSONValue),
      mapError: mapError)
    let answer = try WireJSON.decode(Answer.self, from: data, context: "countTokens")
    return TokenCount(count: answer.totalTokens, exact: true, method: "gemini countTokens")
  }

  /// Embeds texts with `batchEmbedContents` (`gemini-embedding-001` unless a model is given).
  public func embed(_ texts: [String], model: String?) async throws -> [[Double]] {
    struct Answer: Decodable {
      struct Embedding: Decodable { var values: [Double] }
      var embeddings: [Embedding]
    }
    let resolved = model ?? "gemini-embedding-001"
    let qualified: JSONValue = .string(
      "models/" + (resolved.hasPrefix("models/") ? String(resolved.dropFirst(7)) : resolved))
    let requests: [JSONValue] = texts.map {
      ["model": qualified, "content": ["parts": [["text": .string($0)]]]]
    }
    let data = try await transport.data(
      for: .json(modelPath(resolved) + ":batchEmbedContents", ["requests": .array(requests)] as JSONValue),
      mapError: mapError)
    let answer = try WireJSON.decode(Answer.self, from: data, context: "batchEmbedContents")
    return try checkedVectors(
      answer.embeddings.map(\.values), count: texts.count, endpoint: "batchEmbedContents")
  }
}

/// A `GenerateContentResponse` (whole, or one streamed piece).
struct GeminiResponse: Decodable {
  var candidates: [Candidate]?
  var usageMetadata: UsageMetadata?
  var modelVersion: String?
  var responseId: String?
  var promptFeedback: PromptFeedback?
  var error: JSONValue?

  struct Candidate: Decodable {
    var content: Content?
    var finishReason: String?
    var logprobsResult: LogprobsResult?
  }

  struct Content: Decodable {
    var parts: [Part]?
  }

  struct Part: Decodable {
    var text: String?
    var thought: Bool?
    var functionCall: FunctionCall?
  }

  struct FunctionCall: Decodable {
    var name: String
    var args: JSONValue?
  }

  struct LogprobsResult: Decodable {
    var chosenCandidates: [TokenCandidate]?
    var topCandidates: [TopCandidates]?
  }

  struct TokenCandidate: Decodable {
    var token: String?
    var logProbability: Double?
  }

  struct TopCandidates: Decodable {
    var candidates: [TokenCandidate]?
  }

  struct UsageMetadata: Decodable {
    var promptTokenCount: Int?
    var candidatesTokenCount: Int?
    var cachedContentTokenCount: Int?
    var thoughtsTokenCount: Int?
    var promptTokensDetails: [ModalityTokenCount]?

    /// The prompt tokens of one modality (`TEXT`, `IMAGE`, `AUDIO`, `VIDEO`, `DOCUMENT`).
    struct ModalityTokenCount: Decodable {
      var modality: String?
      var tokenCount: Int?
    }

    /// The prompt tokens reported for `modality`, `nil` when the breakdown does not list it.
    func promptTokens(_ modality: String) -> Int? {
      promptTokensDetails?.filter { $0.modality == modality }.reduce(nil) { ($0 ?? 0) + ($1.tokenCount ?? 0) }
    }
  }

  struct PromptFeedback: Decodable {
    var blockReason: String?
  }

  func events(settings: ProviderSettings, toolIndexBase: Int) throws -> [StreamEvent] {
    if let error {
      throw ProviderErrorMapping.streamError(["error": error], settings: settings)
    }
    if let reason = promptFeedback?.blockReason {
      throw LTBError(
        .invalidRequest, "\(settings.name): the prompt was blocked (\(reason))",
        fix: "rephrase the prompt or adjust safety settings")
    }
    var events: [StreamEvent] = []
    if responseId != nil || modelVersion != nil {
      events.append(.metadata(responseID: responseId, model: modelVersion))
    }
    if let candidate = candidates?.first {
      var toolIndex = toolIndexBase
      for part in candidate.content?.parts ?? [] {
        if let call = part.functionCall {
          events.append(
            .toolCall(
              index: toolIndex, id: call.name, name: call.name,
              argumentsDelta: call.args?.canonicalText() ?? "{}"))
          toolIndex += 1
        } else if let text = part.text, !text.isEmpty {
          events.append(part.thought == true ? .reasoning(text) : .text(text))
        }
      }
      if let chosen = candidate.logprobsResult?.chosenCandidates, !chosen.isEmpty {
        let top = candidate.logprobsResult?.topCandidates ?? []
        events.append(
          .logprobs(
            chosen.enumerated().map { position, token in
              let alternatives = position < top.count ? top[position].candidates ?? [] : []
              return TokenLogprob(
                token: token.token ?? "", logprob: token.logProbability ?? 0,
                topAlternatives: alternatives.map {
                  .init(token: $0.token ?? "", logprob: $0.logProbability ?? 0)
                })
            }))
      }
      if let reason = candidate.finishReason { events.append(.finish(Self.finishReason(reason))) }
    }
    if let usage = usageMetadata, let prompt = usage.promptTokenCount {
      let thoughts = usage.thoughtsTokenCount ?? 0
      var reported = Usage(
        inputTokens: prompt, outputTokens: (usage.candidatesTokenCount ?? 0) + thoughts,
        cachedInputTokens: usage.cachedContentTokenCount ?? 0, reasoningTokens: usage.thoughtsTokenCount)
      if usage.promptTokensDetails != nil {
        reported.imageTokens = usage.promptTokens("IMAGE") ?? 0
        reported.audioTokens = usage.promptTokens("AUDIO") ?? 0
      }
      events.append(.usage(reported))
    }
    return events
  }

  var toolCallCount: Int {
    candidates?.first?.content?.parts?.filter { $0.functionCall != nil }.count ?? 0
  }

  static func finishReason(_ value: String) -> FinishReason {
    switch value {
    case "STOP": .stop
    case "MAX_TOKENS": .length
    case "SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII": .contentFilter
    default: .other
    }
  }
}

/// Decodes Gemini's `alt=sse` stream: each event is a whole `GenerateContentResponse`; the stream
/// is complete once a candidate carries a finish reason.
struct GeminiStreamDecoder: ChatStreamDecoder {
  let settings: ProviderSettings
  private(set) var isComplete = false
  private var toolCalls = 0

  init(settings: ProviderSettings) {
    self.settings = settings
  }

  mutating func decode(_ message: StreamMessage) throws -> [StreamEvent] {
    guard case .event(let event) = message, !event.data.isEmpty else { return [] }
    let response = try WireJSON.decode(
      GeminiResponse.self, from: Data(event.data.utf8), context: "gemini stream chunk")
    let events = try response.events(settings: settings, toolIndexBase: toolCalls)
    toolCalls += response.toolCallCount
    if response.candidates?.first?.finishReason != nil { isComplete = true }
    return events
  }
}
