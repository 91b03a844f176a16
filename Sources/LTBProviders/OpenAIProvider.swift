public import LTBCore

/// OpenAI's chat completions (streaming with `stream_options.include_usage`), embeddings and logprobs.
public struct OpenAIProvider: OpenAIFormatProvider {
  /// Settings, catalogue and HTTP path.
  public let context: ProviderContext

  /// Creates the provider.
  public init(settings: ProviderSettings, catalog: ModelCatalog) {
    context = ProviderContext(
      settings: settings, catalog: catalog, authentication: ProviderContext.bearer)
  }

  /// OpenAI's dialect: `max_completion_tokens`, no `top_k`.
  public var dialect: OpenAIChatFormat.Dialect { .openAI }

  /// What OpenAI's API can do.
  public var baseCapabilities: ProviderCapabilities {
    ProviderCapabilities(
      streaming: true, vision: true, audio: true, functionCalling: true, embeddings: true, logprobs: true,
      jsonMode: true,
      fineTuning: true)
  }
}
