public import Foundation

/// An installed plugin as the registry stores it (migration 0009): what it is, the module's
/// hash, what the operator granted, its configuration and whether it runs.
public struct PluginRecord: Sendable, Hashable {
  /// The plugin's name (unique).
  public var name: String
  /// Its version, as its manifest gives it.
  public var version: String
  /// `evaluator`, `request-transform` or `response-transform`.
  public var kind: String
  /// The plugin ABI version it was built for.
  public var abiVersion: Int
  /// The SHA-256 of its module, hex.
  public var sha256: String
  /// Its manifest, as JSON.
  public var manifest: String
  /// Its configuration, a JSON object.
  public var configuration: String
  /// The capabilities the operator granted (`clock`, `random`).
  public var granted: [String]
  /// Whether it runs.
  public var enabled: Bool
  /// Why it was disabled, when it was (by an operator or after repeated failures).
  public var disabledReason: String?
  /// Who installed it.
  public var installedBy: UUID?
  /// When it was first installed, microseconds since 1970.
  public var installedMicros: Int64
  /// When it last changed, microseconds since 1970.
  public var updatedMicros: Int64

  /// Creates a record.
  public init(
    name: String, version: String, kind: String, abiVersion: Int, sha256: String, manifest: String,
    configuration: String = "{}", granted: [String] = [], enabled: Bool = true, disabledReason: String? = nil,
    installedBy: UUID? = nil, installedMicros: Int64, updatedMicros: Int64
  ) {
    self.name = name
    self.version = version
    self.kind = kind
    self.abiVersion = abiVersion
    self.sha256 = sha256
    self.manifest = manifest
    self.configuration = configuration
    self.granted = granted
    self.enabled = enabled
    self.disabledReason = disabledReason
    self.installedBy = installedBy
    self.installedMicros = installedMicros
    self.updatedMicros = updatedMicros
  }
}

/// The plugin registry's rows.
public protocol PluginStore: Sendable {
  /// Inserts or replaces the plugin named `record.name`.
  func savePlugin(_ record: PluginRecord) async throws
  /// Removes a plugin; whether there was one.
  @discardableResult
  func deletePlugin(_ name: String) async throws -> Bool
  /// Every installed plugin, by name.
  func plugins() async throws -> [PluginRecord]
}
