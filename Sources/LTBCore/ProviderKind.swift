/// The wire protocols LLM Test Bench speaks; a configured provider has exactly one.
public enum ProviderKind: String, Sendable, Hashable, Codable, CaseIterable {
  case openai
  case anthropic
  case gemini
  case cohere
  case mistral
  case ollama
  case llamacpp
  case openaiCompatible = "openai-compatible"
  /// A LangChain runnable served by LangServe (its path is the base URL).
  case langserve

  /// The vendor's public API address, used when the configuration names none.
  public var defaultBaseURL: String {
    switch self {
    case .openai: "https://api.openai.com/v1"
    case .anthropic: "https://api.anthropic.com"
    case .gemini: "https://generativelanguage.googleapis.com/v1beta"
    case .cohere: "https://api.cohere.com"
    case .mistral: "https://api.mistral.ai/v1"
    case .ollama: "http://127.0.0.1:11434"
    case .llamacpp: "http://127.0.0.1:8088"
    case .openaiCompatible: "http://127.0.0.1:8000/v1"
    case .langserve: "http://127.0.0.1:8000"
    }
  }

  /// The environment variable that conventionally holds the vendor's API key.
  public var defaultAPIKeyEnvironmentVariable: String? {
    switch self {
    case .openai: "OPENAI_API_KEY"
    case .anthropic: "ANTHROPIC_API_KEY"
    case .gemini: "GEMINI_API_KEY"
    case .cohere: "COHERE_API_KEY"
    case .mistral: "MISTRAL_API_KEY"
    case .ollama, .llamacpp, .openaiCompatible, .langserve: nil
    }
  }

  /// Whether the vendor refuses requests without an API key.
  public var requiresAPIKey: Bool { defaultAPIKeyEnvironmentVariable != nil }
}
