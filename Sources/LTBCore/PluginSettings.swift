/// Where plugins live and how the registry watches them (`[plugins]`).
public struct PluginSettings: Sendable, Hashable {
  /// The plugin directory; empty means `DATA_DIR/plugins`.
  public var directory: String
  /// How often `ltb serve` checks for installed, changed or removed plugins, in milliseconds.
  public var reloadIntervalMilliseconds: Int
  /// Consecutive failures after which a plugin is disabled.
  public var failureLimit: Int

  /// Creates settings.
  public init(directory: String = "", reloadIntervalMilliseconds: Int = 1_000, failureLimit: Int = 20) {
    self.directory = directory
    self.reloadIntervalMilliseconds = reloadIntervalMilliseconds
    self.failureLimit = failureLimit
  }
}
