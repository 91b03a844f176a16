public import LTBCore

/// Any server that speaks OpenAI's chat completions (vLLM, LM Studio, TGI, llama.cpp's `/v1`),
/// at a configured base URL with optional key and headers.
public struct OpenAICompatibleProvider: OpenAIFormatProvider {
  /// Settings, catalogue and HTTP path.
  public let context: ProviderContext

  /// Creates the provider.
  public init(settings: ProviderSettings, catalog: ModelCatalog) {
    context = ProviderContext(
      settings: settings, catalog: catalog, authentication: ProviderContext.bearer)
  }

  /// The common dialect: `max_tokens`, `top_k` accepted.
  public var dialect: OpenAIChatFormat.Dialect { .compatible }

  /// Chat completions on a compatible server.
  public var versionInfo: VersionInfo {
    VersionInfo(apiVersion: "openai-compatible v1", endpoint: "chat/completions")
  }

  /// What such servers commonly offer; the server decides in the end.
  public var baseCapabilities: ProviderCapabilities {
    ProviderCapabilities(
      streaming: true, vision: true, audio: false, functionCalling: true, embeddings: true, logprobs: true,
      jsonMode: true)
  }
}
