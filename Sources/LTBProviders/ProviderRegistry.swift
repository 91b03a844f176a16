public import LTBCore

/// The registry of configured providers: register, look up, list, find by capability, and
/// build every provider the configuration names.
public actor ProviderRegistry {
  private var providers: [String: any Provider] = [:]

  /// Creates an empty registry.
  public init() {}

  /// Builds one provider from its settings.
  public static func makeProvider(_ settings: ProviderSettings, catalog: ModelCatalog) throws -> any Provider
  {
    switch settings.kind {
    case .openai: OpenAIProvider(settings: settings, catalog: catalog)
    case .anthropic: AnthropicProvider(settings: settings, catalog: catalog)
    case .gemini: GeminiProvider(settings: settings, catalog: catalog)
    case .cohere: CohereProvider(settings: settings, catalog: catalog)
    case .mistral: MistralProvider(settings: settings, catalog: catalog)
    case .ollama: OllamaProvider(settings: settings, catalog: catalog)
    case .llamacpp: try LlamaCppProvider(settings: settings, catalog: catalog)
    case .openaiCompatible: OpenAICompatibleProvider(settings: settings, catalog: catalog)
    case .langserve: LangServeProvider(settings: settings, catalog: catalog)
    }
  }

  /// Registers every provider in `settings` (replacing any of the same name) and returns their names.
  @discardableResult
  public func discover(from settings: [ProviderSettings], catalog: ModelCatalog) throws -> [String] {
    for entry in settings {
      register(try Self.makeProvider(entry, catalog: catalog))
    }
    return settings.map(\.name)
  }

  /// Registers a provider under its name, replacing any previous one.
  public func register(_ provider: any Provider) {
    providers[provider.name] = provider
  }

  /// Removes a provider and shuts it down.
  public func unregister(_ name: String) async {
    if let provider = providers.removeValue(forKey: name) { await provider.shutdown() }
  }

  /// The provider called `name`.
  public func get(_ name: String) -> (any Provider)? {
    providers[name]
  }

  /// The provider called `name`, or an error that lists the configured ones.
  public func require(_ name: String) throws -> any Provider {
    if let provider = providers[name] { return provider }
    let known = providers.keys.sorted().joined(separator: ", ")
    throw LTBError(
      .notFound, "no provider named '\(name)' is configured",
      fix: known.isEmpty ? "add a [providers.\(name)] section to ltb.toml" : "use one of: \(known)")
  }

  /// The names of every registered provider, sorted.
  public func list() -> [String] {
    providers.keys.sorted()
  }

  /// The names of the providers that have `capability`.
  public func find(by capability: Capability) -> [String] {
    providers.values.filter { $0.capabilities.has(capability) }.map(\.name).sorted()
  }

  /// Checks every provider's health at once.
  public func healthCheckAll() async -> [String: HealthStatus] {
    await withTaskGroup(of: (String, HealthStatus).self) { group in
      for (name, provider) in providers {
        group.addTask { (name, await provider.healthCheck()) }
      }
      var results: [String: HealthStatus] = [:]
      for await (name, status) in group { results[name] = status }
      return results
    }
  }

  /// Shuts every provider down.
  public func shutdown() async {
    for provider in providers.values { await provider.shutdown() }
  }
}
