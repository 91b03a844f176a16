public import LTBCore

/// The resolved configuration: every layer merged, validated and turned into typed settings.
public struct LTBConfiguration: Sendable {
  /// Where results and caches live.
  public var dataDirectory: String
  /// The database URL; empty for the SQLite file under the data directory.
  public var database: String
  /// Log verbosity.
  public var logLevel: String
  /// The default judge and embedder (`[evaluation]`).
  public var evaluation: EvaluationSettings
  /// The enabled providers, sorted by name.
  public var providers: [ProviderSettings]
  /// The alert rules of `[[alerts.rules]]`.
  public var alertRules: [AlertRule] = []
  /// The notification channels of `[alerts.channels.NAME]`.
  public var alertChannels: [AlertChannelSettings] = []
  /// OpenTelemetry tracing (`[observability]`).
  public var tracing = TracingSettings()
  /// MLflow export (`[integrations.mlflow]`).
  public var mlflow = MLflowSettings()
  /// LangSmith datasets (`[integrations.langsmith]`).
  public var langsmith = LangSmithSettings()
  /// Weights & Biases export (`[integrations.wandb]`).
  public var wandb = WandbSettings()
  /// How tracker exports are retried and where imports go (`[integrations.exports]`).
  public var exports = ExportSettings()
  /// Plugins (`[plugins]`).
  public var plugins = PluginSettings()
  /// Which subsystems are switched on (`[features]`).
  public var features = FeatureFlags()
  /// The largest attachment a case may have, in bytes (`[multimodal]`).
  public var maxAttachmentBytes = 20 << 20
  /// The coordinator's and workers' defaults (`[distributed]`).
  public var distributed = DistributedDefaults()
  /// Warnings met while loading (renamed keys, a missing version, earlier variables), each to
  /// be shown once.
  public var notices: [ConfigNotice] = []
  /// Providers configured but off because `features.new_providers` is off.
  public var featureDisabledProviders: [String] = []

  /// The plugin directory: `[plugins] directory`, or `DATA_DIR/plugins`.
  public var pluginDirectory: String {
    plugins.directory.isEmpty ? dataDirectory + "/plugins" : plugins.directory
  }
  /// Providers configured but disabled.
  public var disabledProviders: [String]
  /// The model catalogue (built-in, then the user's file).
  public var catalog: ModelCatalog
  /// The merged tree, for `ltb config show`.
  public var document: ConfigDocument
  /// The configuration files read, in layer order.
  public var files: [String]
  /// Providers a user configured without a usable API key; fatal for `ltb config validate`,
  /// and for any request to those providers.
  public var missingKeys: [ConfigIssue]

  /// The settings of the provider called `name`.
  public func provider(_ name: String) throws -> ProviderSettings {
    if let settings = providers.first(where: { $0.name == name }) { return settings }
    if featureDisabledProviders.contains(name) {
      throw FeatureFlags.disabled(.newProviders, for: "provider '\(name)'")
    }
    if disabledProviders.contains(name) {
      throw LTBError(
        .configuration, "provider '\(name)' is disabled", fix: "set providers.\(name).enabled = true")
    }
    throw LTBError(
      .notFound, "no provider named '\(name)' is configured",
      fix:
        "use one of: \(providers.map(\.name).joined(separator: ", ")), or add [providers.\(name)] to ltb.toml"
    )
  }
}
