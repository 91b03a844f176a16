import Foundation
import LTBCore

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

  static func timestamp(_ date: Date) -> String {
    ISO8601DateFormatter().string(from: date)
  }

  static func date(_ text: String, option: String) throws -> Date {
    let formatter = ISO8601DateFormatter()
    if let date = formatter.date(from: text) { return date }
    formatter.formatOptions = [.withFullDate]
    if let date = formatter.date(from: text) { return date }
    throw LTBError(
      .invalidInput, "\(option) '\(text)' is not a date", fix: "write 2026-11-29 or 2026-11-29T10:00:00Z")
  }

  static func json(_ value: some Encodable, pretty: Bool = true) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting =
      pretty
      ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
    encoder.dateEncodingStrategy = .iso8601
    encoder.nonConformingFloatEncodingStrategy = .convertToString(
      positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return String(decoding: try encoder.encode(value), as: UTF8.self)
  }

  /// Whether standard output is a terminal.
  static var isTerminal: Bool { isatty(STDOUT_FILENO) == 1 }
}
