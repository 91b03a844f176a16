/// A fast JSON parser over bytes that keeps the line where each value starts: datasets need line
/// numbers in their errors, and streams of chunks and million-line files need a parser without
/// the detours of `Codable`.
public struct JSONParser {
  /// A parse failure with its line and column.
  public struct Failure: Error, Sendable {
    /// What is wrong.
    public var message: String
    /// The line (1-based).
    public var line: Int
    /// The column (1-based, in bytes).
    public var column: Int
  }

  /// The deepest nesting of arrays and objects accepted. The parser recurses once per level, so
  /// without a bound a small hostile body (`[[[[...`, 100,000 levels in 200 KB) exhausts the
  /// stack and kills the process; no dataset, suite or request needs more than a few levels.
  public static let maxDepth = 256

  private let bytes: [UInt8]
  private var index = 0
  private var depth = 0
  private(set) var line: Int
  private var lineStart = 0

  /// A parser over `bytes`, whose first line is `firstLine`.
  public init(_ bytes: [UInt8], firstLine: Int = 1) {
    self.bytes = bytes
    self.line = firstLine
  }

  /// Parses one whole document.
  public mutating func parseDocument() throws(Failure) -> JSONValue {
    skipWhitespace()
    let value = try parseValue()
    skipWhitespace()
    if index < bytes.count { throw failure("unexpected text after the JSON value") }
    return value
  }

  /// Parses a document that is an array (or an object holding the array under one of `keys`),
  /// and returns each element with the line it starts on, the other top-level members, and the
  /// key the array was under (`nil` for a bare array).
  public mutating func parseCases(keys: [String]) throws(Failure) -> (
    cases: [(JSONValue, Int)], header: [String: JSONValue], key: String?
  ) {
    let key = keys.first ?? "cases"
    var foundKey: String?
    skipWhitespace()
    guard index < bytes.count else { throw failure("the file is empty") }
    if bytes[index] == UInt8(ascii: "[") {
      let elements = try parseArrayWithLines()
      skipWhitespace()
      if index < bytes.count { throw failure("unexpected text after the JSON array") }
      return (elements, [:], nil)
    }
    guard bytes[index] == UInt8(ascii: "{") else {
      throw failure("expected an array of cases or an object with \"\(key)\"")
    }
    index += 1
    var header: [String: JSONValue] = [:]
    var cases: [(JSONValue, Int)]?
    skipWhitespace()
    if peek() == UInt8(ascii: "}") {
      index += 1
    } else {
      while true {
        skipWhitespace()
        let name = try parseString()
        skipWhitespace()
        try expect(UInt8(ascii: ":"))
        skipWhitespace()
        if keys.contains(name), cases == nil, peek() == UInt8(ascii: "[") {
          cases = try parseArrayWithLines()
          foundKey = name
        } else {
          header[name] = try parseValue()
        }
        skipWhitespace()
        if peek() == UInt8(ascii: ",") {
          index += 1
          continue
        }
        try expect(UInt8(ascii: "}"))
        break
      }
    }
    skipWhitespace()
    if index < bytes.count { throw failure("unexpected text after the JSON object") }
    guard let cases else { throw failure("the object has no \"\(key)\" array") }
    return (cases, header, foundKey)
  }

  private mutating func parseArrayWithLines() throws(Failure) -> [(JSONValue, Int)] {
    try expect(UInt8(ascii: "["))
    var elements: [(JSONValue, Int)] = []
    skipWhitespace()
    if peek() == UInt8(ascii: "]") {
      index += 1
      return elements
    }
    while true {
      skipWhitespace()
      let startLine = line
      elements.append((try parseValue(), startLine))
      skipWhitespace()
      if peek() == UInt8(ascii: ",") {
        index += 1
        continue
      }
      try expect(UInt8(ascii: "]"))
      return elements
    }
  }

  private mutating func parseArray() throws(Failure) -> [JSONValue] {
    try expect(UInt8(ascii: "["))
    var elements: [JSONValue] = []
    skipWhitespace()
    if peek() == UInt8(ascii: "]") {
      index += 1
      return elements
    }
    while true {
      skipWhitespace()
      elements.append(try parseValue())
      skipWhitespace()
      if peek() == UInt8(ascii: ",") {
        index += 1
        continue
      }
      try expect(UInt8(ascii: "]"))
      return elements
    }
  }

  private func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

  private func failure(_ message: String) -> Failure {
    Failure(message: message, line: line, column: index - lineStart + 1)
  }

  private mutating func expect(_ byte: UInt8) throws(Failure) {
    guard peek() == byte else {
      let found = peek().map { "'\(Character(Unicode.Scalar($0)))'" } ?? "the end of the text"
      throw failure("expected '\(Character(Unicode.Scalar(byte)))', found \(found)")
    }
    index += 1
  }

  private mutating func skipWhitespace() {
    while index < bytes.count {
      switch bytes[index] {
      case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
        index += 1
      case UInt8(ascii: "\n"):
        index += 1
        line += 1
        lineStart = index
      default:
        return
      }
    }
  }

  private mutating func parseValue() throws(Failure) -> JSONValue {
    guard let byte = peek() else { throw failure("unexpected end of the text") }
    switch byte {
    case UInt8(ascii: "{"), UInt8(ascii: "["):
      guard depth < Self.maxDepth else {
        throw failure("arrays and objects nest more than \(Self.maxDepth) levels deep")
      }
      depth += 1
      defer { depth -= 1 }
      return byte == UInt8(ascii: "{") ? try parseObject() : .array(try parseArray())
    case UInt8(ascii: "\""): return .string(try parseString())
    case UInt8(ascii: "t"): return try parseLiteral("true", .bool(true))
    case UInt8(ascii: "f"): return try parseLiteral("false", .bool(false))
    case UInt8(ascii: "n"): return try parseLiteral("null", .null)
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
    default: throw failure("unexpected character '\(Character(Unicode.Scalar(byte)))'")
    }
  }

  private mutating func parseLiteral(_ word: StaticString, _ value: JSONValue) throws(Failure) -> JSONValue {
    let length = word.utf8CodeUnitCount
    guard index + length <= bytes.count else { throw failure("expected \(word)") }
    let matches = word.withUTF8Buffer { expected in
      (0..<length).allSatisfy { bytes[index + $0] == expected[$0] }
    }
    guard matches else { throw failure("expected \(word)") }
    index += length
    return value
  }

  private mutating func parseObject() throws(Failure) -> JSONValue {
    try expect(UInt8(ascii: "{"))
    var members: [String: JSONValue] = [:]
    skipWhitespace()
    if peek() == UInt8(ascii: "}") {
      index += 1
      return .object(members)
    }
    while true {
      skipWhitespace()
      guard peek() == UInt8(ascii: "\"") else { throw failure("expected a member name in double quotes") }
      let name = try parseString()
      skipWhitespace()
      try expect(UInt8(ascii: ":"))
      skipWhitespace()
      members[name] = try parseValue()
      skipWhitespace()
      if peek() == UInt8(ascii: ",") {
        index += 1
        continue
      }
      try expect(UInt8(ascii: "}"))
      return .object(members)
    }
  }

  private mutating func parseNumber() throws(Failure) -> JSONValue {
    let start = index
    var isInteger = true
    while let byte = peek() {
      let isDigit = (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
      let isNumberSign =
        byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E")
        || byte == UInt8(ascii: "+")
        || byte == UInt8(ascii: "-")
      guard isDigit || isNumberSign else { break }
      if !isDigit && !(byte == UInt8(ascii: "-") && index == start) { isInteger = false }
      index += 1
    }
    let text = String(decoding: bytes[start..<index], as: UTF8.self)
    if isInteger, let value = Int(text) { return .int(value) }
    guard let value = Double(text) else { throw failure("'\(text)' is not a number") }
    return .double(value)
  }

  private mutating func parseString() throws(Failure) -> String {
    try expect(UInt8(ascii: "\""))
    // Fast path: most strings have no escapes and are copied in one piece.
    var end = index
    while end < bytes.count, bytes[end] != UInt8(ascii: "\""), bytes[end] != UInt8(ascii: "\\"),
      bytes[end] != UInt8(ascii: "\n")
    {
      end += 1
    }
    if end < bytes.count, bytes[end] == UInt8(ascii: "\"") {
      defer { index = end + 1 }
      return String(decoding: bytes[index..<end], as: UTF8.self)
    }
    var result: [UInt8] = Array(bytes[index..<end])
    index = end
    while true {
      guard let byte = peek() else { throw failure("a string is not closed") }
      index += 1
      switch byte {
      case UInt8(ascii: "\""):
        return String(decoding: result, as: UTF8.self)
      case UInt8(ascii: "\\"):
        guard let escaped = peek() else { throw failure("a string is not closed") }
        index += 1
        switch escaped {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): result.append(escaped)
        case UInt8(ascii: "b"): result.append(0x08)
        case UInt8(ascii: "f"): result.append(0x0C)
        case UInt8(ascii: "n"): result.append(0x0A)
        case UInt8(ascii: "r"): result.append(0x0D)
        case UInt8(ascii: "t"): result.append(0x09)
        case UInt8(ascii: "u"):
          var scalar = try parseHex4()
          if (0xD800...0xDBFF).contains(scalar), peek() == UInt8(ascii: "\\"), index + 1 < bytes.count,
            bytes[index + 1] == UInt8(ascii: "u")
          {
            index += 2
            let low = try parseHex4()
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
          }
          result.append(contentsOf: Array(String(Character(Unicode.Scalar(scalar) ?? "\u{FFFD}")).utf8))
        default:
          throw failure("unknown escape '\\\(Character(Unicode.Scalar(escaped)))'")
        }
      case UInt8(ascii: "\n"):
        throw failure("a string is not closed before the end of the line")
      default:
        result.append(byte)
      }
    }
  }

  private mutating func parseHex4() throws(Failure) -> UInt32 {
    guard index + 4 <= bytes.count,
      let value = UInt32(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16)
    else { throw failure("expected four hex digits after \\u") }
    index += 4
    return value
  }
}

extension JSONValue {
  /// Parses one JSON document from text.
  public static func parse(_ text: String) throws -> JSONValue {
    var parser = JSONParser(Array(text.utf8))
    do {
      return try parser.parseDocument()
    } catch {
      throw LTBError(.invalidInput, "invalid JSON: \(error)", fix: "check the JSON text")
    }
  }
}
