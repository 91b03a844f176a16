import Synchronization

/// Something about the configuration worth a warning that does not stop it from loading: a
/// renamed key, a missing `version`, a variable of the earlier Rust LLM Test Bench.
public struct ConfigNotice: Sendable, Hashable, CustomStringConvertible {
  /// What kind of notice it is.
  public enum Kind: Sendable, Hashable {
    /// A renamed key was used (``ConfigDeprecations``); `ltb config validate --strict` fails on it.
    case deprecated
    /// A file has no `version`.
    case unversioned
    /// An `LLM_TEST_BENCH_*` variable was read or ignored.
    case legacyVariable
  }

  /// The kind.
  public var kind: Kind
  /// Where it was found.
  public var origin: ConfigOrigin
  /// What it says, naming the key or variable to use instead.
  public var message: String

  /// Creates a notice.
  public init(_ kind: Kind, origin: ConfigOrigin, _ message: String) {
    self.kind = kind
    self.origin = origin
    self.message = message
  }

  /// `origin: message`.
  public var description: String { "\(origin): \(message)" }
}

extension ConfigNotice {
  private static let shown = Mutex<Set<ConfigNotice>>([])

  /// The notices not shown yet in this process, marked as shown: each warning appears once per
  /// process however often the configuration is loaded.
  public static func unseen(_ notices: [ConfigNotice]) -> [ConfigNotice] {
    shown.withLock { shown in notices.filter { shown.insert($0).inserted } }
  }
}
