/// The table of renamed keys: an old key still works until the next major version, with a
/// warning that names the new key (once per process), and `ltb config validate --strict` fails
/// on it. When a layer sets both, the new key wins and the old one is reported as ignored.
public enum ConfigDeprecations {
  /// One renamed key or table.
  public struct Rename: Sendable, Hashable {
    /// The old path (a table renames everything below it).
    public var old: [String]
    /// The new path.
    public var new: [String]
    /// The version that renamed it.
    public var since: String
  }

  /// Every rename, oldest first.
  public static let renames: [Rename] = [
    Rename(old: ["observability"], new: ["monitoring"], since: "0.5"),
    Rename(old: ["general", "database"], new: ["storage", "database"], since: "0.5"),
  ]

  /// The new path of `path` when it is at or below a renamed one.
  public static func renamed(_ path: [String]) -> (path: [String], rename: Rename)? {
    for rename in renames
    where path.count >= rename.old.count && Array(path.prefix(rename.old.count)) == rename.old {
      return (rename.new + path.dropFirst(rename.old.count), rename)
    }
    return nil
  }

  /// The old path a renamed `path` may have been written as (for finding its line in a file).
  static func original(_ path: [String]) -> [String]? {
    for rename in renames
    where path.count >= rename.new.count && Array(path.prefix(rename.new.count)) == rename.new {
      return rename.old + path.dropFirst(rename.new.count)
    }
    return nil
  }

  /// `layer` with every old key moved to its new place, and one notice per key moved or ignored.
  static func apply(to layer: [String: ConfigValue], origin: ([String]) -> ConfigOrigin) -> (
    [String: ConfigValue], [ConfigNotice]
  ) {
    var document = ConfigDocument()
    document.merge(layer) { _ in .builtIn }
    var notices: [ConfigNotice] = []
    for rename in renames {
      let moved = document.leaves.keys.filter {
        $0.count >= rename.old.count && Array($0.prefix(rename.old.count)) == rename.old
      }.sorted { $0.joined(separator: ".") < $1.joined(separator: ".") }
      for old in moved {
        let new = rename.new + old.dropFirst(rename.old.count)
        let oldKey = old.joined(separator: ".")
        let newKey = new.joined(separator: ".")
        if document.leaves[new] != nil {
          notices.append(
            ConfigNotice(
              .deprecated, origin: origin(old),
              "\(oldKey) is deprecated since \(rename.since) and ignored here because \(newKey) is also set; remove it"
            ))
        } else {
          document.set(document.leaves[old]!, at: new) { _ in .builtIn }
          notices.append(
            ConfigNotice(
              .deprecated, origin: origin(old),
              "\(oldKey) is deprecated since \(rename.since): write \(newKey) (the old key stops working in the next major version)"
            ))
        }
      }
      document.remove(rename.old)
    }
    guard case .table(let root)? = document.value(at: []) else { return ([:], notices) }
    return (root, notices)
  }
}
