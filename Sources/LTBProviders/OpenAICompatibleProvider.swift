public import Foundation
public import LTBCore

/// Any server that speaks OpenAI's chat completions (vLLM, LM Studio, TGI, llama.cpp's `/v1`),
/// at a configured base URL with optional key and headers.
public struct OpenAICompatibleProvider: HTTPChatProvider {
  /// The resolved settings.
  public let settings: ProviderSettings
  /// The model catalogue.
  public let catalog: ModelCatalog
  /// The HTTP path.
  public let transport: HTTPTransport
  private let format = OpenAIChatFormat(dialect: .compatible)

  /// Creates the provider.
  public init(settings: ProviderSettings, catalog: ModelCatalog) {
    self.settings = settings
    self.catalog = catalog
    self.transport = HTTPTransport(settings: settings, authenticationHeaders: bearer(settings.apiKey))
  }

  /// What such servers commonly offer; the server decides in the end.
  public var baseCapabilities: ProviderCapabilities {
    ProviderCapabilities(
      streaming: true, vision: true, audio: false, functionCalling: true, embeddings: true, logprobs: true,
      jsonMode: true)
  }

  /// Chat completions.
  public var versionInfo: VersionInfo {
    VersionInfo(apiVersion: "openai-compatible v1", endpoint: "chat/completions")
  }
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
  /// Lists models.
  public func healthRequest() -> OutgoingRequest { OutgoingRequest(method: .get, path: "/models") }

  /// Embeds texts with `/embeddings`.
  public func embed(_ texts: [String], model: String?) async throws -> [[Double]] {
    try await openAIEmbeddings(texts, model: resolveModel(model), transport: transport, mapError: mapError)
  }
}
