import Foundation

/// A secret value (an API key) that never shows itself when printed, logged or interpolated.
public struct Secret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
  /// The secret itself; read it only to put it on the wire.
  public let value: String

  /// Wraps a secret value.
  public init(_ value: String) {
    self.value = value
  }

  /// The redacted form, safe to print.
  public var description: String { "<redacted>" }

  /// The redacted form, safe to print.
  public var debugDescription: String { "<redacted>" }

  /// Replaces every occurrence of the secret in `text` with `<redacted>`.
  public func redact(_ text: String) -> String {
    guard value.count >= 4 else { return text }
    return text.replacingOccurrences(of: value, with: "<redacted>")
  }
}
