public import LTBCore

/// Mistral's La Plateforme: chat completions (usage arrives in the last chunk), embeddings,
/// JSON mode and function calling; no logprobs.
public struct MistralProvider: OpenAIFormatProvider {
  /// Settings, catalogue and HTTP path.
  public let context: ProviderContext

  /// Creates the provider.
  public init(settings: ProviderSettings, catalog: ModelCatalog) {
    context = ProviderContext(
      settings: settings, catalog: catalog, authentication: ProviderContext.bearer)
  }

  /// Mistral's dialect: `random_seed`, string image URLs, no `stream_options`.
  public var dialect: OpenAIChatFormat.Dialect { .mistral }

  /// What Mistral's API can do.
  public var baseCapabilities: ProviderCapabilities {
    ProviderCapabilities(
      streaming: true, vision: true, audio: true, functionCalling: true, embeddings: true, logprobs: false,
      jsonMode: true,
      fineTuning: true)
  }
}
