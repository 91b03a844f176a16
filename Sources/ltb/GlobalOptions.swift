import ArgumentParser
import LTBConfig
import LTBCore
import LTBEngine
import LTBObservability
import LTBPlugins
import LTBProviders
import LTBStorage
import Logging

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
  @Option(name: .long, help: "A configuration file layered over ./ltb.toml or ~/.config/ltb/ltb.toml.")
  var config: String?

  /// Loads the configuration layers, and sets the process's log level from `log_level`.
  func loadConfiguration() throws -> LTBConfiguration {
    let configuration = try ConfigLoader().load(configFile: config)
    LogOutput.bootstrap(level: Self.level(configuration))
    for notice in ConfigNotice.unseen(configuration.notices) { Console.writeError("warning: \(notice)") }
    return configuration
  }

  /// Runs `body` with OpenTelemetry tracing when `[observability]` or the `OTEL_*` variables turn
  /// it on (see ``TracingBackend``); its spans are exported before this returns.
  /// `rootSpan` names one span around the whole command.
  func traced<T>(_ configuration: LTBConfiguration, rootSpan: String? = nil, _ body: () async throws -> T)
    async throws -> T
  {
    try await TracingBackend.run(
      configuration.tracing, logger: logger(configuration, label: "ltb.otel"), rootSpan: rootSpan, body)
  }

  /// A logger at the configured `log_level`.
  func logger(_ configuration: LTBConfiguration, label: String = "ltb.server") -> Logger {
    var logger = Logger(label: label)
    logger.logLevel = Self.level(configuration)
    return logger
  }

  private static func level(_ configuration: LTBConfiguration) -> Logger.Level {
    Logger.Level(rawValue: configuration.logLevel) ?? .info
  }

  /// Builds a registry of every enabled provider (for the provider commands, which need no store).
  func makeRegistry(_ configuration: LTBConfiguration) async throws -> ProviderRegistry {
    let registry = ProviderRegistry()
    try await registry.discover(from: configuration.providers, catalog: configuration.catalog)
    return registry
  }

  /// Runs `body` with the benchmark service over `store` and the configuration's providers,
  /// judge and embedder, and shuts the providers down afterwards.
  func withBenchmarks<T>(
    _ configuration: LTBConfiguration, store: any BenchStore, _ body: (BenchmarkService) async throws -> T
  ) async throws -> T {
    let providers = ProviderService(
      configured: configuration.providers, catalog: configuration.catalog, store: store)
    try await providers.start()
    let plugins =
      configuration.features.isEnabled(.plugins)
      ? await PluginRegistry.open(
        directory: configuration.pluginDirectory, settings: configuration.plugins, store: store,
        logger: logger(configuration, label: "ltb.plugins")) : nil
    do {
      let value = try await body(
        BenchmarkService(
          store: store, providers: providers, evaluation: configuration.evaluation, plugins: plugins,
          features: configuration.features, maxAttachmentBytes: configuration.maxAttachmentBytes))
      await providers.shutdown()
      return value
    } catch {
      await providers.shutdown()
      throw error
    }
  }

  /// Runs `body` with the store named by `database` (see ``openStore(_:database:migrations:)``)
  /// and closes it once afterwards, whether `body` returned or threw.
  func withStore<T>(
    _ configuration: LTBConfiguration, database: String?, migrations: SQLBenchStore.MigrationPolicy = .apply,
    _ body: (SQLBenchStore) async throws -> T
  ) async throws -> T {
    let store = try await openStore(configuration, database: database, migrations: migrations)
    do {
      let value = try await body(store)
      await store.close()
      return value
    } catch {
      await store.close()
      throw error
    }
  }

  /// Opens the store named by `database`, the configuration's `general.database`, or the default SQLite file.
  func openStore(
    _ configuration: LTBConfiguration, database: String?, migrations: SQLBenchStore.MigrationPolicy = .apply
  ) async throws -> SQLBenchStore {
    let text = database ?? (configuration.database.isEmpty ? nil : configuration.database)
    let location =
      try text.map(DatabaseLocation.init(parsing:))
      ?? .defaultSQLite(dataDirectory: configuration.dataDirectory)
    return try await SQLBenchStore.open(location, migrations: migrations)
  }
}

/// The `--database` option.
struct DatabaseOption: ParsableArguments {
  @Option(
    name: .long,
    help:
      "sqlite:PATH or postgres://user:password@host:5432/db (default: the configuration's, else sqlite under the data directory)."
  )
  var database: String?
}
