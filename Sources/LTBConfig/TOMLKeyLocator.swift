import Foundation

/// Finds the line of every key in a TOML text, so that configuration errors can name it.
///
/// TOMLKit parses the values but keeps no positions; this scanner follows table headers,
/// dotted and quoted keys, inline tables, multi-line arrays and multi-line strings, which is
/// all that a key's line needs.
struct TOMLKeyLocator {
  private(set) var lines: [[String]: Int] = [:]

  init(text: String) {
    var table: [String] = []
    var openBrackets = 0
    var openMultilineString: String?
    for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let number = index + 1
      var line = Substring(rawLine)
      if let delimiter = openMultilineString {
        guard let end = line.range(of: delimiter) else { continue }
        line = line[end.upperBound...]
        openMultilineString = nil
      }
      let code = Self.stripComment(line).trimmingCharacters(in: .whitespaces)
      if code.isEmpty { continue }
      if openBrackets > 0 {
        openBrackets += Self.bracketBalance(code)
        continue
      }
      if code.hasPrefix("[[") {
        table = Self.keyPath(String(code.dropFirst(2).prefix { $0 != "]" }))
        record(table, number)
      } else if code.hasPrefix("[") {
        table = Self.keyPath(String(code.dropFirst().prefix { $0 != "]" }))
        record(table, number)
      } else if let equals = Self.firstUnquoted("=", in: code) {
        let path = table + Self.keyPath(String(code[..<equals]))
        record(path, number)
        let value = code[code.index(after: equals)...].trimmingCharacters(in: .whitespaces)
        if value.hasPrefix("{") { recordInlineTable(value, at: path, line: number) }
        for delimiter in ["\"\"\"", "'''"] where value.hasPrefix(delimiter) {
          if value.dropFirst(3).range(of: delimiter) == nil { openMultilineString = delimiter }
        }
        if value.hasPrefix("[") { openBrackets = Self.bracketBalance(value) }
      }
    }
  }

  /// The line of `path`, or of its closest recorded parent.
  func line(of path: [String]) -> Int? {
    var candidate = path
    while !candidate.isEmpty {
      if let line = lines[candidate] { return line }
      candidate.removeLast()
    }
    return nil
  }

  /// Records `path` and, where not yet seen, each of its parents (`[a.b]` declares `a` too).
  private mutating func record(_ path: [String], _ line: Int) {
    for length in 1...max(1, path.count) where lines[Array(path.prefix(length))] == nil {
      lines[Array(path.prefix(length))] = line
    }
  }

  private mutating func recordInlineTable(_ value: String, at path: [String], line: Int) {
    let inner = value.dropFirst().prefix { $0 != "}" }
    for member in Self.splitUnquoted(String(inner), on: ",") {
      if let equals = Self.firstUnquoted("=", in: member) {
        record(path + Self.keyPath(String(member[..<equals])), line)
      }
    }
  }

  static func keyPath(_ text: String) -> [String] {
    splitUnquoted(text, on: ".").map { part in
      let trimmed = part.trimmingCharacters(in: .whitespaces)
      if trimmed.count >= 2, let first = trimmed.first, first == "\"" || first == "'", trimmed.last == first {
        return String(trimmed.dropFirst().dropLast())
      }
      return trimmed
    }
  }

  private static func splitUnquoted(_ text: String, on separator: Character) -> [String] {
    var parts: [String] = []
    var current = ""
    var quote: Character?
    for character in text {
      if let open = quote {
        if character == open { quote = nil }
        current.append(character)
      } else if character == "\"" || character == "'" {
        quote = character
        current.append(character)
      } else if character == separator {
        parts.append(current)
        current = ""
      } else {
        current.append(character)
      }
    }
    parts.append(current)
    return parts
  }

  private static func firstUnquoted(_ target: Character, in text: String) -> String.Index? {
    var quote: Character?
    var index = text.startIndex
    while index < text.endIndex {
      let character = text[index]
      if let open = quote {
        if character == "\\" && open == "\"" {
          index = text.index(after: index)
        } else if character == open {
          quote = nil
        }
      } else if character == "\"" || character == "'" {
        quote = character
      } else if character == target {
        return index
      }
      if index < text.endIndex { index = text.index(after: index) }
    }
    return nil
  }

  private static func stripComment(_ line: Substring) -> String {
    let text = String(line)
    guard let hash = firstUnquoted("#", in: text) else { return text }
    return String(text[..<hash])
  }

  private static func bracketBalance(_ text: String) -> Int {
    var balance = 0
    var quote: Character?
    for character in text {
      if let open = quote {
        if character == open { quote = nil }
      } else if character == "\"" || character == "'" {
        quote = character
      } else if character == "[" {
        balance += 1
      } else if character == "]" {
        balance -= 1
      }
    }
    return balance
  }
}
