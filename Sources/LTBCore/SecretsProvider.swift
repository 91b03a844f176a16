public import Foundation
import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Where secrets come from (spec 8.4): asked each time a secret is needed, so a rotated value
/// takes effect without a restart. ``EnvironmentSecrets`` and ``FileSecrets`` are built in; a
/// vault or cloud secret manager is another conformance (docs/configuration.md#secrets).
public protocol SecretsProvider: Sendable {
  /// The current value of the secret called `name` (a variable name, a file path, a vault
  /// path: whatever the backend names secrets by).
  func secret(_ name: String) throws(LTBError) -> Secret
}

/// Secrets held in environment variables, named by the variable. They cannot change while the
/// process runs.
public struct EnvironmentSecrets: SecretsProvider {
  /// The environment read.
  public let environment: [String: String]

  /// Reads `environment` (the process's by default).
  public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
    self.environment = environment
  }

  /// The variable's value.
  public func secret(_ name: String) throws(LTBError) -> Secret {
    guard let value = environment[name], !value.isEmpty else {
      throw LTBError(.configuration, "\(name) is not set", fix: "export \(name)=...")
    }
    return Secret(value)
  }
}

/// Secrets held in files (how Kubernetes and Docker mount secrets), named by path, surrounding
/// whitespace trimmed. A file is read again when its modification time, size or inode changes
/// (Kubernetes replaces a mounted secret by swapping a symbolic link), at most once per
/// `checkInterval`; while a changed file cannot be read, the last value read stays in use.
public final class FileSecrets: SecretsProvider {
  /// The process-wide instance providers read their key files through.
  public static let shared = FileSecrets()

  /// How long a value is trusted before the file is looked at again.
  public let checkInterval: Duration
  private let cache = Mutex<[String: Entry]>([:])

  private struct Entry {
    var value: Secret
    var stamp: Stamp
    var checked: ContinuousClock.Instant
  }

  private struct Stamp: Equatable {
    var seconds: Int
    var nanoseconds: Int
    var size: Int
    var inode: UInt64
  }

  /// A reader that looks at each file at most once per `checkInterval`.
  public init(checkInterval: Duration = .milliseconds(250)) {
    self.checkInterval = checkInterval
  }

  /// What a setting read from `file` (when it names one) holds now, through ``shared``; `value`
  /// when there is no file, or while a changed file cannot be read and nothing was read before.
  public static func current(_ file: String?, else value: Secret?) -> Secret? {
    guard let file else { return value }
    return (try? shared.secret(file)) ?? value
  }

  /// The file's current contents, trimmed.
  public func secret(_ name: String) throws(LTBError) -> Secret {
    let now = ContinuousClock.now
    if let entry = cache.withLock({ $0[name] }), now - entry.checked < checkInterval { return entry.value }
    let stamp = Self.stamp(name)
    if let entry = cache.withLock({ $0[name] }), entry.stamp == stamp || stamp == nil {
      cache.withLock { $0[name]?.checked = now }
      return entry.value
    }
    guard let stamp, let text = try? String(contentsOfFile: name, encoding: .utf8) else {
      throw LTBError(
        .configuration, "cannot read the secret file \(name)", fix: "check the path and its permissions")
    }
    let value = Secret(text.trimmingCharacters(in: .whitespacesAndNewlines))
    cache.withLock { $0[name] = Entry(value: value, stamp: stamp, checked: now) }
    return value
  }

  /// The file's modification time, size and inode, following every link (a Kubernetes mount's
  /// `key` links to `..data/key`, and `..data` is the link swapped on rotation).
  private static func stamp(_ path: String) -> Stamp? {
    var status = stat()
    guard stat(path, &status) == 0 else { return nil }
    #if canImport(Darwin)
      let modified = status.st_mtimespec
    #else
      let modified = status.st_mtim
    #endif
    return Stamp(
      seconds: Int(modified.tv_sec), nanoseconds: Int(modified.tv_nsec), size: Int(status.st_size),
      inode: UInt64(status.st_ino))
  }
}
