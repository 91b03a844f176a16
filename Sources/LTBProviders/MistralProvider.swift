public import Foundation
public import LTBCore

/// Mistral's La Plateforme: chat completions (usage arrives in the last chunk), embeddings,
/// JSON mode and function calling.
public struct MistralProvider: HTTPChatProvider {
  /// The resolved settings.
  public let settings: ProviderSettings
  /// The model catalogue.
  public let catalog: ModelCatalog
  /// The HTTP path.
  public let transport: HTTPTransport
  private let format = OpenAIChatFormat(dialect: .mistral)

  /// Creates the provider.
  public init(settings: ProviderSettings, catalog: ModelCatalog) {
    self.settings = settings
    self.catalog = catalog
    self.transport = HTTPTransport(settings: settings, authenticationHeaders: bearer(settings.apiKey))
  }

  /// What Mistral's API can do.
  public var baseCapabilities: ProviderCapabilities {
    ProviderCapabilities(
      streaming: true, vision: true, audio: true, functionCalling: true, embeddings: true, logprobs: false,
      jsonMode: true, fineTuning: true)
  }

  /// Chat completions.
  public var versionInfo: VersionInfo { VersionInfo(apiVersion: "v1", endpoint: "chat/completions") }
  /// Server-sent events.
  public var framing: StreamFraming { .serverSentEvents }

  /// A chat-completions request in Mistral's dialect.
  public func chatRequest(_ request: CompletionRequest, model: String, stream: Bool) throws -> OutgoingRequest
  {
    if request.logprobs != nil {
      throw LTBError(
        .unsupportedCapability, "provider '\(name)' (mistral) does not return logprobs",
        fix: "drop logprobs for this provider; perplexity needs a provider that returns them")
    }
    return try .json(
      "/chat/completions", JSONValue.object(format.body(request, model: model, stream: stream)))
  }

  /// Decodes a chat completion.
  public func decodeResponse(_ body: Data) throws -> [StreamEvent] { try format.decodeResponse(body) }
  /// A decoder for one stream.
  public func makeStreamDecoder() -> some ChatStreamDecoder { OpenAIStreamDecoder(settings: settings) }
  /// Lists models, which needs a valid key.
  public func healthRequest() -> OutgoingRequest { OutgoingRequest(method: .get, path: "/models") }

  /// Embeds texts with `/embeddings` (`mistral-embed` unless a model is given).
  public func embed(_ texts: [String], model: String?) async throws -> [[Double]] {
    try await openAIEmbeddings(
      texts, model: model ?? "mistral-embed", transport: transport, mapError: mapError)
  }
}
