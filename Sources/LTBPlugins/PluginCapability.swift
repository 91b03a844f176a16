/// What a plugin may reach beyond its own memory: only what its manifest asks for and the
/// operator grants at install. Nothing else exists for a plugin: no files, no network, no
/// environment, no arguments.
public enum PluginCapability: String, Sendable, Codable, CaseIterable {
  /// The wall clock and the monotonic clock (WASI `clock_time_get`, `clock_res_get`).
  case clock
  /// Random bytes (WASI `random_get`).
  case random

  /// The WASI preview 1 functions this capability provides.
  var wasiFunctions: Set<String> {
    switch self {
    case .clock: ["clock_time_get", "clock_res_get"]
    case .random: ["random_get"]
    }
  }

  /// The capability a WASI preview 1 function needs, `nil` when it is always provided.
  static func needed(by function: String) -> PluginCapability? {
    allCases.first { $0.wasiFunctions.contains(function) }
  }
}
