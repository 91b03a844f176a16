public import Foundation
public import LTBCore
import LTBProviders
public import LTBStorage

/// The providers a process can use: those of the configuration (read-only here) and those
/// added through the API (stored in the database, applied at once, no restart), with one live
/// instance of each for lookups, health checks and judges. Benchmarks build their own instances
/// from the settings, so a suite's timeout, or a provider changed mid-run, affects only later
/// runs. Keys are never stored: a provider names the environment variable or file to read.
public actor ProviderService {
  /// Where a provider's settings come from.
  public enum Source: Sendable, Hashable {
    /// The configuration file or the environment.
    case configuration
    /// Added through the API.
    case api
  }

  /// A live provider with where it comes from and its settings (the key stays inside).
  public struct Description: Sendable {
    /// The live instance.
    public var provider: any Provider
    /// Where its settings come from.
    public var source: Source
    /// Its settings.
    public var settings: ProviderSettings
  }

  private var settings: [String: ProviderSettings]
  private var managed: [String: ManagedProvider] = [:]
  private let configured: Set<String>
  private let registry = ProviderRegistry()
  private let store: (any BenchStore)?
  private let environment: [String: String]
  /// The model catalogue providers price and describe models with.
  public nonisolated let catalog: ModelCatalog

  /// A service over the configured providers' settings, and the providers stored in `store`
  /// (once ``start()`` has read them); keys of stored providers are read from `environment`.
  public init(
    configured: [ProviderSettings], catalog: ModelCatalog, store: (any BenchStore)? = nil,
    environment: [String: String] = ProcessInfo.processInfo.environment
  ) {
    self.settings = Dictionary(configured.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    self.configured = Set(settings.keys)
    self.catalog = catalog
    self.store = store
    self.environment = environment
  }

  /// Reads the providers stored through the API and builds one live instance of every
  /// provider. A stored provider whose key is gone is skipped (it is listed again once its
  /// variable or file is back and the server restarts).
  public func start() async throws {
    try await registry.discover(from: Array(settings.values), catalog: catalog)
    for provider in try await store?.managedProviders() ?? [] where !configured.contains(provider.name) {
      guard let resolved = try? resolve(provider) else { continue }
      managed[provider.name] = provider
      settings[provider.name] = resolved
      await registry.register(try ProviderRegistry.makeProvider(resolved, catalog: catalog))
    }
  }

  // MARK: Lookups

  /// The settings of the provider called `name`, or an error naming the configured ones.
  public func settings(named name: String) throws -> ProviderSettings {
    if let found = settings[name] { return found }
    throw LTBError(
      .notFound, "no provider named '\(name)' is configured",
      fix: settings.isEmpty
        ? "add a [providers.\(name)] section to ltb.toml, or add it with addProvider"
        : "use one of: \(settings.keys.sorted().joined(separator: ", "))")
  }

  /// Where the provider called `name` comes from (`nil` when there is none).
  public func source(of name: String) -> Source? {
    if configured.contains(name) { return .configuration }
    return managed[name] != nil ? .api : nil
  }

  /// The live provider called `name`.
  public func get(_ name: String) async -> (any Provider)? { await registry.get(name) }

  /// The provider called `name` with its source and settings.
  public func describe(_ name: String) async -> Description? {
    guard let provider = await registry.get(name), let found = settings[name], let source = source(of: name)
    else { return nil }
    return Description(provider: provider, source: source, settings: found)
  }

  /// Every provider with its source and settings, by name.
  public func describeAll() async -> [Description] {
    var all: [Description] = []
    for name in await registry.list() {
      if let description = await describe(name) { all.append(description) }
    }
    return all
  }

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

  /// Checks that the provider called `name` answers and accepts its key.
  public func test(_ name: String) async throws -> HealthStatus {
    await (try await require(name)).healthCheck()
  }

  // MARK: Changes through the API

  /// Adds a provider: checked (name, address, limits, key present on the server), stored and
  /// usable at once. A name the configuration or the API already uses is refused.
  public func add(_ provider: ManagedProvider) async throws -> Description {
    guard settings[provider.name] == nil else {
      throw LTBError(
        .invalidInput, "a provider named '\(provider.name)' already exists",
        fix: source(of: provider.name) == .api
          ? "change it with updateProvider, or choose another name" : "choose another name")
    }
    return try await apply(provider)
  }

  /// Replaces the settings of a provider added through the API.
  public func update(_ provider: ManagedProvider) async throws -> Description {
    try requireManaged(provider.name)
    return try await apply(provider)
  }

  /// Removes a provider added through the API (its stored results stay).
  public func remove(_ name: String) async throws {
    try requireManaged(name)
    _ = try await store?.removeManagedProvider(name: name)
    managed[name] = nil
    settings[name] = nil
    await registry.unregister(name)
  }

  /// Shuts every live provider down.
  public func shutdown() async { await registry.shutdown() }

  private func requireManaged(_ name: String) throws {
    switch source(of: name) {
    case .api?: return
    case .configuration?:
      throw LTBError(
        .invalidInput, "provider '\(name)' comes from the configuration and is read-only here",
        fix: "change it in ltb.toml (or LTB_PROVIDERS__... variables) and restart the server")
    case nil:
      throw LTBError(
        .notFound, "no provider named '\(name)' was added through the API", fix: "add it with addProvider")
    }
  }

  private func apply(_ provider: ManagedProvider) async throws -> Description {
    let resolved = try resolve(provider)
    let live = try ProviderRegistry.makeProvider(resolved, catalog: catalog)
    do {
      try live.validateConfig()
    } catch {
      await live.shutdown()
      throw error
    }
    do {
      try await store?.saveManagedProvider(provider)
    } catch {
      await live.shutdown()
      throw error
    }
    managed[provider.name] = provider
    settings[provider.name] = resolved
    await registry.unregister(provider.name)
    await registry.register(live)
    return Description(provider: live, source: .api, settings: resolved)
  }

  /// The settings of a stored provider, its key read from the variable or file it names.
  private func resolve(_ provider: ManagedProvider) throws -> ProviderSettings {
    let name = provider.name
    guard !name.isEmpty, name.count <= 64,
      name.unicodeScalars.allSatisfy({
        CharacterSet.alphanumerics.contains($0) || "-_.".unicodeScalars.contains($0)
      })
    else {
      throw LTBError(
        .invalidInput, "'\(name)' is not a usable provider name",
        fix: "use 1-64 letters, digits, '-', '_' or '.'")
    }
    if let base = provider.baseURL {
      guard let url = URL(string: base), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
        throw LTBError(
          .invalidInput, "'\(base)' is not an http(s) address", fix: "e.g. http://127.0.0.1:8000/v1")
      }
    }
    let checks: [(Int?, ClosedRange<Int>, String)] = [
      (provider.maxRetries, 0...20, "maxRetries"),
      (provider.timeoutMilliseconds, 1...86_400_000, "timeoutMs"),
      (provider.requestsPerMinute, 0...1_000_000, "requestsPerMinute"),
    ]
    for (value, range, field) in checks {
      if let value, !range.contains(value) {
        throw LTBError(
          .invalidInput, "\(field) \(value) is out of range",
          fix: "use \(range.lowerBound)-\(range.upperBound)")
      }
    }
    var key: Secret?
    var origin: String?
    if let file = provider.apiKeyFile {
      origin = "file \(file)"
      guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
        throw LTBError(
          .configuration, "the server cannot read the key file \(file)",
          fix: "check the path and its permissions")
      }
      key = Secret(text.trimmingCharacters(in: .whitespacesAndNewlines))
    } else if let variable = provider.apiKeyEnv ?? provider.kind.defaultAPIKeyEnvironmentVariable {
      origin = "environment variable \(variable)"
      if let value = environment[variable], !value.isEmpty {
        key = Secret(value)
      } else if provider.kind.requiresAPIKey {
        throw LTBError(
          .configuration, "\(variable) is not set on the server, so provider '\(name)' would have no API key",
          fix: "export \(variable) where ltb serve runs, or name another apiKeyEnv or an apiKeyFile")
      }
    }
    var resolved = ProviderSettings(
      name: name, kind: provider.kind, baseURL: provider.baseURL, apiKey: key, apiKeyOrigin: origin,
      defaultModel: provider.defaultModel)
    if let retries = provider.maxRetries { resolved.maxRetries = retries }
    if let timeout = provider.timeoutMilliseconds { resolved.totalTimeout = .milliseconds(timeout) }
    if let rate = provider.requestsPerMinute { resolved.requestsPerMinute = rate }
    resolved.inputKey = provider.inputKey
    return resolved
  }
}
