import Foundation

/// Formatting for terminal output.
enum Console {
  static func milliseconds(_ value: Double) -> String {
    value >= 1_000 ? String(format: "%.2f s", value / 1_000) : String(format: "%.1f ms", value)
  }

  static func dollars(_ value: Double) -> String {
    value == 0 ? "$0" : String(format: "$%.6f", value)
  }

  static func writeError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
  }
}
