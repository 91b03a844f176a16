public import LTBCore
public import LTBProviders

/// The providers a process can use: their settings (from the configuration) and one live
/// instance of each for lookups, health checks and judges. Benchmarks build their own instances
/// from the settings, so a suite's timeout changes only its own run.
public actor ProviderService {
  private var settings: [String: ProviderSettings]
  private let registry = ProviderRegistry()
  /// The model catalogue providers price and describe models with.
  public nonisolated let catalog: ModelCatalog

  /// A service over the configured providers' settings; no instance is built until
  /// ``start()``.
  public init(configured: [ProviderSettings], catalog: ModelCatalog) {
    self.settings = Dictionary(configured.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    self.catalog = catalog
  }

  /// Builds one live instance of every provider.
  public func start() async throws {
    try await registry.discover(from: Array(settings.values), catalog: catalog)
  }

  /// The settings of the provider called `name`, or an error naming the configured ones.
  public func settings(named name: String) throws -> ProviderSettings {
    if let found = settings[name] { return found }
    throw LTBError(
      .notFound, "no provider named '\(name)' is configured",
      fix: settings.isEmpty
        ? "add a [providers.\(name)] section to ltb.toml"
        : "use one of: \(settings.keys.sorted().joined(separator: ", "))")
  }

  /// The live provider called `name`.
  public func get(_ name: String) async -> (any Provider)? { await registry.get(name) }

  /// The live provider called `name`, or an error naming the configured ones.
  public func require(_ name: String) async throws -> any Provider {
    _ = try settings(named: name)
    return try await registry.require(name)
  }

  /// Every live provider by name.
  public func all() async -> [String: any Provider] {
    var providers: [String: any Provider] = [:]
    for name in await registry.list() { providers[name] = await registry.get(name) }
    return providers
  }

  /// The names of every provider, sorted.
  public func list() async -> [String] { await registry.list() }

  /// Shuts every live provider down.
  public func shutdown() async { await registry.shutdown() }
}
