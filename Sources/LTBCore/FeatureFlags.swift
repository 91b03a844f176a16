/// Which whole subsystems are switched on (`[features]`, spec 11.2). A disabled feature is
/// absent everywhere: its CLI commands and GraphQL fields answer ``LTBError/Code/featureDisabled``
/// naming the flag to set, its REST routes answer 404 with the same message, and its background
/// work never starts.
public struct FeatureFlags: Sendable, Hashable {
  /// One switchable subsystem.
  public enum Feature: String, Sendable, Hashable, CaseIterable {
    /// Image and audio attachments in cases (and the `[multimodal]` limits).
    case multimodal
    /// WebAssembly plugins: `ltb plugins`, the plugin fields and routes, the plugin watcher,
    /// plugin metrics and transforms in suites.
    case plugins
    /// Distributed runs: `ltb worker`, `ltb coordinator`, the coordinator inside `ltb serve`,
    /// the worker fields and routes.
    case distributed
    /// Live updates: every GraphQL subscription and the WebSocket endpoint.
    case realtime
    /// The GraphQL endpoint, its explorer and the dashboard that reads it (the REST shim stays).
    case graphql
    /// The providers added by phase 5: Gemini, Cohere, Mistral, Ollama, llama.cpp and LangServe.
    case newProviders = "new_providers"

    /// The spec's default: the least risky subsystems on, the riskiest off until chosen.
    public var isEnabledByDefault: Bool {
      switch self {
      case .multimodal, .plugins, .distributed: false
      case .realtime, .graphql, .newProviders: true
      }
    }

    /// The environment variable that sets it, e.g. `LTB_FEATURES__PLUGINS`.
    public var environmentVariable: String { "LTB_FEATURES__\(rawValue.uppercased())" }
  }

  /// The enabled features.
  public private(set) var enabled: Set<Feature>

  /// The spec's defaults.
  public init() {
    enabled = Set(Feature.allCases.filter(\.isEnabledByDefault))
  }

  /// Exactly `enabled` on.
  public init(enabled: Set<Feature>) {
    self.enabled = enabled
  }

  /// Every feature on.
  public static let all = FeatureFlags(enabled: Set(Feature.allCases))

  /// Whether `feature` is on.
  public func isEnabled(_ feature: Feature) -> Bool { enabled.contains(feature) }

  /// Turns `feature` on or off.
  public mutating func set(_ feature: Feature, _ on: Bool) {
    if on { enabled.insert(feature) } else { enabled.remove(feature) }
  }

  /// Throws ``LTBError/Code/featureDisabled`` when `feature` is off; `what` names what was asked
  /// for (a command, a field, a route).
  public func require(_ feature: Feature, for what: String) throws(LTBError) {
    guard !isEnabled(feature) else { return }
    throw Self.disabled(feature, for: what)
  }

  /// The error a disabled feature answers with.
  public static func disabled(_ feature: Feature, for what: String) -> LTBError {
    LTBError(
      .featureDisabled, "\(what) belongs to the '\(feature.rawValue)' feature, which is disabled",
      fix: "set features.\(feature.rawValue) = true in ltb.toml, or \(feature.environmentVariable)=true")
  }
}

extension ProviderKind {
  /// Whether the kind is one of the phase 5 providers behind the `new_providers` flag.
  public var isNewProvider: Bool {
    switch self {
    case .gemini, .cohere, .mistral, .ollama, .llamacpp, .langserve: true
    case .openai, .anthropic, .openaiCompatible: false
    }
  }
}
