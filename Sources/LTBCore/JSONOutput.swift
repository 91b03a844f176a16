/// JSON text written as UTF-8 bytes. Appending bytes costs less than appending strings (a
/// `String` keeps its count, flags and capacity up to date on every piece), which counts for
/// answers written in thousands of small pieces, such as a page of results; `text` is the result.
public struct JSONOutput: Sendable {
  /// The bytes written.
  public private(set) var bytes: [UInt8] = []

  /// An empty output with room for `capacity` bytes.
  public init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }

  /// The number of bytes written.
  public var count: Int { bytes.count }

  /// The text written.
  public var text: String { String(decoding: bytes, as: UTF8.self) }

  /// Drops what was written after the first `count` bytes.
  public mutating func truncate(to count: Int) { bytes.removeSubrange(count...) }

  /// Appends fixed text as it is (punctuation, `null`, `true`).
  public static func += (output: inout JSONOutput, text: StaticString) {
    output.bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
  }

  /// Appends text that is JSON already (a number, a key written earlier, a serialized value).
  public mutating func append(_ text: String) {
    var text = text
    text.withUTF8 { bytes.append(contentsOf: $0) }
  }

  /// Appends bytes that are JSON already (a key written earlier).
  public mutating func append(bytes text: UnsafeBufferPointer<UInt8>) {
    bytes.append(contentsOf: text)
  }

  /// Appends bytes that are JSON already (an encoder's output).
  public mutating func append(bytes text: [UInt8]) {
    bytes.append(contentsOf: text)
  }

  /// Appends `value` as a JSON string literal: `"` and `\` escaped, control characters as
  /// `\n`, `\r`, `\t` or `\u00xx`, everything else as it is.
  public mutating func appendString(_ value: String) {
    var value = value
    value.withUTF8 { source in
      bytes.append(UInt8(ascii: "\""))
      var start = 0
      for index in source.indices {
        let byte = source[index]
        guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
        bytes.append(contentsOf: UnsafeBufferPointer(rebasing: source[start..<index]))
        start = index + 1
        switch byte {
        case UInt8(ascii: "\""): self += "\\\""
        case UInt8(ascii: "\\"): self += "\\\\"
        case UInt8(ascii: "\n"): self += "\\n"
        case UInt8(ascii: "\r"): self += "\\r"
        case UInt8(ascii: "\t"): self += "\\t"
        default:
          self += "\\u00"
          bytes.append(Self.hexDigits[Int(byte >> 4)])
          bytes.append(Self.hexDigits[Int(byte & 0xF)])
        }
      }
      bytes.append(contentsOf: UnsafeBufferPointer(rebasing: source[start...]))
      bytes.append(UInt8(ascii: "\""))
    }
  }

  /// Appends `value` as a JSON number (``NumberText/decimal(_:integralFraction:)``); `null`
  /// when it is not finite, which JSON cannot write.
  public mutating func appendNumber(_ value: Double, integralFraction: Bool = true) {
    if value.isFinite {
      append(NumberText.decimal(value, integralFraction: integralFraction))
    } else {
      self += "null"
    }
  }

  /// Appends `value` as compact JSON; with `sortedKeys`, object members in key order.
  public mutating func append(_ value: JSONValue, sortedKeys: Bool, integralFraction: Bool = true) {
    switch value {
    case .null: self += "null"
    case .bool(let flag): self += flag ? "true" : "false"
    case .int(let number): append(String(number))
    case .double(let number): appendNumber(number, integralFraction: integralFraction)
    case .string(let text): appendString(text)
    case .array(let items):
      self += "["
      for (index, item) in items.enumerated() {
        if index > 0 { self += "," }
        append(item, sortedKeys: sortedKeys, integralFraction: integralFraction)
      }
      self += "]"
    case .object(let members):
      self += "{"
      let ordered = sortedKeys ? members.sorted { $0.key < $1.key } : Array(members)
      for (index, member) in ordered.enumerated() {
        if index > 0 { self += "," }
        appendString(member.key)
        self += ":"
        append(member.value, sortedKeys: sortedKeys, integralFraction: integralFraction)
      }
      self += "}"
    }
  }

  private static let hexDigits = Array("0123456789abcdef".utf8)
}
