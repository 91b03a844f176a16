public import LTBPlugins
public import ServiceLifecycle

/// Keeps `ltb serve`'s plugins in line with the store and the plugin directory: every
/// `interval` it picks up plugins installed, replaced, configured, enabled, disabled or removed
/// by another process (`ltb plugins`, another server) or by hand on disk.
public struct PluginWatcher: Service {
  /// The registry it refreshes.
  public let registry: PluginRegistry
  /// How often.
  public let interval: Duration

  /// A watcher refreshing `registry` every `interval`.
  public init(registry: PluginRegistry, interval: Duration) {
    self.registry = registry
    self.interval = interval
  }

  /// Refreshes the registry every `interval` until the server shuts down.
  public func run() async throws {
    while !Task.isCancelled && !Task.isShuttingDownGracefully {
      try? await Task.sleep(for: interval)
      await registry.refresh()
    }
  }
}
