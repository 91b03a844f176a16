import Foundation

/// One CSV cell as RFC 4180 writes it: as it is, or quoted (inner quotes doubled) when it holds
/// a comma, a quote or a line break.
public enum CSVField {
  /// `text` as a cell.
  public static func quoted(_ text: String) -> String {
    guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
    return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
  }
}
