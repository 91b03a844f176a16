/// Where a configuration value came from.
public enum ConfigOrigin: Sendable, Hashable, CustomStringConvertible {
  /// The built-in default.
  case builtIn
  /// A file, at a line (when the line could be found).
  case file(path: String, line: Int?)
  /// An environment variable.
  case environment(variable: String)
  /// A command-line option.
  case commandLine(option: String)

  /// `file:line`, `environment variable NAME`, or `built-in default`.
  public var description: String {
    switch self {
    case .builtIn: "built-in default"
    case .file(let path, let line?): "\(path):\(line)"
    case .file(let path, nil): path
    case .environment(let variable): "environment variable \(variable)"
    case .commandLine(let option): "command-line option \(option)"
    }
  }
}

/// One problem found in the configuration: where, what, and how to fix it.
public struct ConfigIssue: Error, Sendable, Hashable, CustomStringConvertible {
  /// Where the offending value is.
  public var origin: ConfigOrigin
  /// The dotted key, e.g. `providers.openai.max_retries`.
  public var key: String
  /// What is wrong.
  public var problem: String
  /// What to do about it.
  public var fix: String

  /// Creates an issue.
  public init(origin: ConfigOrigin, key: String, problem: String, fix: String) {
    self.origin = origin
    self.key = key
    self.problem = problem
    self.fix = fix
  }

  /// `origin: key: problem (fix)`.
  public var description: String {
    "\(origin): \(key.isEmpty ? "" : "\(key): ")\(problem) (\(fix))"
  }
}
