public import LTBCore

/// Values a dataset sets for every case; a case's own values win (lists and maps are merged).
public struct DatasetDefaults: Sendable, Hashable {
  /// A system prompt for cases without one.
  public var system: String?
  /// Variables every case can use.
  public var variables: [String: String] = [:]
  /// Tags added to every case.
  public var tags: [String] = []
  /// A category for cases without one.
  public var category: String?
  /// Request settings for cases that set none.
  public var overrides = CaseOverrides()
  /// Checks added to every case.
  public var assertions: [JSONValue] = []
  /// Metadata added to every case.
  public var metadata: [String: JSONValue] = [:]

  /// No defaults.
  public init() {}
}
