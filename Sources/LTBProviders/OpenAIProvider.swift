public import Foundation
public import LTBCore

/// OpenAI's chat completions (streaming with `stream_options.include_usage`), embeddings and logprobs.
public struct OpenAIProvider: HTTPChatProvider {
  /// The resolved settings.
  public let settings: ProviderSettings
  /// The model catalogue.
  public let catalog: ModelCatalog
  /// The HTTP path.
  public let transport: HTTPTransport
  private let format = OpenAIChatFormat(dialect: .openAI)

  /// Creates the provider.
  public init(settings: ProviderSettings, catalog: ModelCatalog) {
    self.settings = settings
    self.catalog = catalog
    self.transport = HTTPTransport(settings: settings, authenticationHeaders: bearer(settings.apiKey))
  }

  /// What OpenAI's API can do.
  public var baseCapabilities: ProviderCapabilities {
    ProviderCapabilities(
      streaming: true, vision: true, audio: true, functionCalling: true, embeddings: true, logprobs: true,
      jsonMode: true, fineTuning: true)
  }

  /// Chat completions.
  public var versionInfo: VersionInfo { VersionInfo(apiVersion: "v1", endpoint: "chat/completions") }
  /// Server-sent events.
  public var framing: StreamFraming { .serverSentEvents }

  /// A chat-completions request.
  public func chatRequest(_ request: CompletionRequest, model: String, stream: Bool) throws -> OutgoingRequest
  {
    try .json("/chat/completions", JSONValue.object(format.body(request, model: model, stream: stream)))
  }

  /// Decodes a chat completion.
  public func decodeResponse(_ body: Data) throws -> [StreamEvent] { try format.decodeResponse(body) }
  /// A decoder for one stream.
  public func makeStreamDecoder() -> some ChatStreamDecoder { OpenAIStreamDecoder(settings: settings) }
  /// Lists models, which needs a valid key.
  public func healthRequest() -> OutgoingRequest { OutgoingRequest(method: .get, path: "/models") }

  /// Embeds texts with `/embeddings`.
  public func embed(_ texts: [String], model: String?) async throws -> [[Double]] {
    try await openAIEmbeddings(texts, model: resolveModel(model), transport: transport, mapError: mapError)
  }
}

/// An `Authorization: Bearer` header when a key is set.
func bearer(_ key: Secret?) -> [(String, String)] {
  guard let key, !key.value.isEmpty else { return [] }
  return [("Authorization", "Bearer \(key.value)")]
}

/// The `/embeddings` call shared by OpenAI-format vendors.
func openAIEmbeddings(
  _ texts: [String], model: String, path: String = "/embeddings", transport: HTTPTransport,
  mapError: @escaping @Sendable (HTTPErrorResponse) -> LTBError
) async throws -> [[Double]] {
  struct Answer: Decodable {
    struct Item: Decodable {
      var index: Int
      var embedding: [Double]
    }
    var data: [Item]
  }
  let body: JSONValue = [
    "model": .string(model), "input": .array(texts.map(JSONValue.string)), "encoding_format": "float",
  ]
  let data = try await transport.data(for: .json(path, body), mapError: mapError)
  let answer = try WireJSON.decode(Answer.self, from: data, context: "embeddings")
  guard answer.data.count == texts.count else {
    throw LTBError(.decoding, "embeddings: asked for \(texts.count) vectors, got \(answer.data.count)")
  }
  return answer.data.sorted { $0.index < $1.index }.map(\.embedding)
}
