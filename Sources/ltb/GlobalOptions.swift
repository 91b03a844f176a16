import ArgumentParser
import LTBConfig
import LTBCore
import LTBProviders

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
}
