/// The merged configuration: every leaf value by key path, with where it came from.
///
/// Layers merge leaf by leaf, so a file that sets `providers.openai.max_retries` keeps every
/// other `providers.openai` value of the layers below it.
public struct ConfigDocument: Sendable {
  /// Leaf values (anything but a table) by key path.
  public private(set) var leaves: [[String]: ConfigValue] = [:]
  /// Where each leaf, and each table that a layer declared, was set.
  public private(set) var origins: [[String]: ConfigOrigin] = [:]

  /// Creates an empty document.
  public init() {}

  /// Sets a value at `path`; a table is flattened into its leaves.
  public mutating func set(_ value: ConfigValue, at path: [String], origin: ([String]) -> ConfigOrigin) {
    if case .table(let members) = value {
      origins[path] = origin(path)
      for (key, member) in members { set(member, at: path + [key], origin: origin) }
      return
    }
    leaves[path] = value
    origins[path] = origin(path)
  }

  /// Removes the value at `path` and everything below it.
  public mutating func remove(_ path: [String]) {
    func below(_ key: [String]) -> Bool { key.count >= path.count && Array(key.prefix(path.count)) == path }
    leaves = leaves.filter { !below($0.key) }
    origins = origins.filter { !below($0.key) }
  }

  /// Merges a whole layer over this document.
  public mutating func merge(_ layer: [String: ConfigValue], origin: ([String]) -> ConfigOrigin) {
    for (key, value) in layer { set(value, at: [key], origin: origin) }
  }

  /// The value at `path`: a leaf, or a table rebuilt from the leaves below it.
  public func value(at path: [String]) -> ConfigValue? {
    if let leaf = leaves[path] { return leaf }
    let below = leaves.filter { $0.key.count > path.count && Array($0.key.prefix(path.count)) == path }
    guard !below.isEmpty || origins[path] != nil else { return nil }
    var table: [String: ConfigValue] = [:]
    for key in Set(below.keys.map { $0[path.count] }) {
      table[key] = value(at: path + [key])
    }
    return .table(table)
  }

  /// The names of the tables directly below `path` (for example every provider name).
  public func childTables(of path: [String]) -> [String] {
    let names =
      leaves.keys.filter { $0.count > path.count + 1 && Array($0.prefix(path.count)) == path }.map {
        $0[path.count]
      }
      + origins.keys.filter {
        $0.count == path.count + 1 && Array($0.prefix(path.count)) == path && leaves[$0] == nil
      }
      .map { $0[path.count] }
    return Set(names).sorted()
  }

  /// The origin of the value at `path` (or of its closest set parent).
  public func origin(of path: [String]) -> ConfigOrigin {
    var candidate = path
    while !candidate.isEmpty {
      if let origin = origins[candidate] { return origin }
      candidate.removeLast()
    }
    return .builtIn
  }

  /// Whether any layer other than the built-in defaults set a value at or below `path`
  /// (declaring an empty table does not count).
  public func isSetOutsideDefaults(below path: [String]) -> Bool {
    leaves.keys.contains {
      $0.count >= path.count && Array($0.prefix(path.count)) == path && origins[$0] != .builtIn
    }
  }
}
