import ArgumentParser
import LTBConfig
import LTBCore
import LTBProviders
import LTBStorage

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
  @Option(name: .long, help: "A configuration file layered over ./ltb.toml or ~/.config/ltb/ltb.toml.")
  var config: String?

  /// Loads the configuration layers.
  func loadConfiguration() throws -> LTBConfiguration {
    try ConfigLoader().load(configFile: config)
  }

  /// Builds a registry of every enabled provider.
  func makeRegistry(_ configuration: LTBConfiguration) async throws -> ProviderRegistry {
    let registry = ProviderRegistry()
    try await registry.discover(from: configuration.providers, catalog: configuration.catalog)
    return registry
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
