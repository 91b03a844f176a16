/// What an identity may do; the raw values are the schema's `Permission` enum, which `@auth`
/// directives name.
public enum Permission: String, Sendable, CaseIterable, Codable {
  /// Start, cancel and resume benchmarks, and evaluate.
  case runBenchmark = "RUN_BENCHMARK"
  /// Read sessions, results and metrics.
  case viewResults = "VIEW_RESULTS"
  /// Configure providers.
  case manageProviders = "MANAGE_PROVIDERS"
  /// Install and remove plugins.
  case managePlugins = "MANAGE_PLUGINS"
  /// Create and change users and keys.
  case manageUsers = "MANAGE_USERS"
  /// Everything, including the audit log and every user's sessions.
  case adminAccess = "ADMIN_ACCESS"
}
