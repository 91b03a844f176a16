import Foundation
public import Logging

/// A swift-log handler writing one line per entry to a ``LogSink``:
/// `2026-12-04T18:40:01.123Z info ltb.server: GET /health 200 request_id=… status=200`, time in
/// UTC, metadata as `key=value` pairs in key order (logfmt: a value with a space, a quote or an
/// `=` is quoted). Control characters in the message and values are escaped, so a client's text
/// cannot forge a line. Written for the access log's rate: the line is built as bytes, with no
/// date formatter and no format strings.
public struct LogLineHandler: LogHandler {
  /// The logger's label, written after the level.
  public let label: String
  /// Entries below this level are dropped.
  public var logLevel: Logger.Level
  /// Metadata written with every entry of this logger.
  public var metadata: Logger.Metadata = [:]
  private let sink: LogSink

  /// A handler for `label` writing entries at `level` or above to `sink`.
  public init(label: String, level: Logger.Level, sink: LogSink = .standardError) {
    self.label = label
    self.logLevel = level
    self.sink = sink
  }

  /// One metadata value.
  public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
    get { metadata[key] }
    set { metadata[key] = newValue }
  }

  /// Writes one entry (buffered below `warning`, at once from `warning` up).
  public func log(event: LogEvent) {
    sink.write(line(event.level, event.message, event.metadata), immediately: event.level >= .warning)
  }

  /// The entry's line, its newline included.
  func line(
    _ level: Logger.Level, _ message: Logger.Message, _ entry: Logger.Metadata?, at date: Date = Date()
  )
    -> [UInt8]
  {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(256)
    LogTimestamp.append(date, to: &bytes)
    bytes.append(UInt8(ascii: " "))
    bytes.append(contentsOf: level.rawValue.utf8)
    bytes.append(UInt8(ascii: " "))
    bytes.append(contentsOf: label.utf8)
    bytes.append(contentsOf: ": ".utf8)
    Self.appendEscaped(message.description, to: &bytes)
    var all = metadata
    if let entry { all.merge(entry) { _, new in new } }
    for key in all.keys.sorted() {
      bytes.append(UInt8(ascii: " "))
      Self.appendEscaped(key, to: &bytes)
      bytes.append(UInt8(ascii: "="))
      Self.appendValue(Self.text(all[key]!), to: &bytes)
    }
    bytes.append(UInt8(ascii: "\n"))
    return bytes
  }

  private static func text(_ value: Logger.Metadata.Value) -> String {
    switch value {
    case .string(let text): text
    case .stringConvertible(let value): value.description
    case .array, .dictionary: value.description
    }
  }

  /// `text` as a logfmt value: as it is, or quoted when empty or holding a space, `"` or `=`.
  static func appendValue(_ text: String, to bytes: inout [UInt8]) {
    let needsQuotes = text.isEmpty || text.utf8.contains { $0 == 0x20 || $0 == 0x22 || $0 == 0x3D }
    if needsQuotes { bytes.append(0x22) }
    appendEscaped(text, to: &bytes, quoting: needsQuotes)
    if needsQuotes { bytes.append(0x22) }
  }

  /// `text` with control characters written as `\n`, `\r`, `\t` or `\u00xx` (and, inside
  /// quotes, `"` and `\` escaped).
  static func appendEscaped(_ text: String, to bytes: inout [UInt8], quoting: Bool = false) {
    for byte in text.utf8 {
      switch byte {
      case 0x0A: bytes.append(contentsOf: #"\n"#.utf8)
      case 0x0D: bytes.append(contentsOf: #"\r"#.utf8)
      case 0x09: bytes.append(contentsOf: #"\t"#.utf8)
      case 0x22 where quoting: bytes.append(contentsOf: #"\""#.utf8)
      case 0x5C where quoting: bytes.append(contentsOf: #"\\"#.utf8)
      case ..<0x20, 0x7F:
        bytes.append(contentsOf: #"\u00"#.utf8)
        bytes.append(hexDigits[Int(byte >> 4)])
        bytes.append(hexDigits[Int(byte & 0xF)])
      default: bytes.append(byte)
      }
    }
  }

  private static let hexDigits = Array("0123456789abcdef".utf8)
}
