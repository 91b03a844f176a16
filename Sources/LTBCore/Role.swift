/// A user's role and the permissions it grants (the spec's matrix, section 8.2).
public enum Role: String, Sendable, CaseIterable, Codable {
  /// Every permission.
  case admin
  /// Runs benchmarks, reads results, configures providers.
  case user
  /// Reads results.
  case viewer

  /// The permissions the role grants.
  public var permissions: Set<Permission> {
    switch self {
    case .admin: Set(Permission.allCases)
    case .user: [.runBenchmark, .viewResults, .manageProviders]
    case .viewer: [.viewResults]
    }
  }

  /// Parses a role name, with the list of valid names in the error.
  public init(parsing name: String) throws(LTBError) {
    guard let role = Role(rawValue: name.lowercased()) else {
      throw LTBError(
        .invalidInput, "unknown role '\(name)'",
        fix: "use one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    self = role
  }
}
