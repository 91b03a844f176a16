import Foundation

/// Splits a migration file into statements at top-level semicolons, respecting quotes,
/// comments, PostgreSQL dollar quoting and the `BEGIN … END` bodies of SQLite triggers.
enum SQLStatementSplitter {
  static func split(_ text: String) -> [String] {
    var statements: [String] = []
    var current = ""
    let characters = Array(text)
    var index = 0
    var triggerDepth = 0
    var word = ""

    func flushWord() {
      let upper = word.uppercased()
      if upper == "BEGIN", current.uppercased().contains("CREATE TRIGGER") { triggerDepth += 1 }
      if upper == "END", triggerDepth > 0 { triggerDepth -= 1 }
      word = ""
    }

    while index < characters.count {
      let character = characters[index]
      if character == "-", index + 1 < characters.count, characters[index + 1] == "-" {
        while index < characters.count, characters[index] != "\n" { index += 1 }
        continue
      }
      if character == "/", index + 1 < characters.count, characters[index + 1] == "*" {
        index += 2
        while index + 1 < characters.count, !(characters[index] == "*" && characters[index + 1] == "/") {
          index += 1
        }
        index += 2
        continue
      }
      if character == "'" || character == "\"" {
        flushWord()
        current.append(character)
        index += 1
        while index < characters.count {
          current.append(characters[index])
          if characters[index] == character { break }
          index += 1
        }
        index += 1
        continue
      }
      if character == "$" {
        var end = index + 1
        while end < characters.count, characters[end] != "$",
          characters[end].isLetter || characters[end] == "_"
        { end += 1 }
        if end < characters.count, characters[end] == "$" {
          let tag = String(characters[index...end])
          current += tag
          index = end + 1
          while index < characters.count {
            if characters[index] == "$", index + tag.count <= characters.count,
              String(characters[index..<index + tag.count]) == tag
            {
              current += tag
              index += tag.count
              break
            }
            current.append(characters[index])
            index += 1
          }
          continue
        }
      }
      if character.isLetter || character == "_" {
        word.append(character)
      } else {
        flushWord()
      }
      if character == ";", triggerDepth == 0 {
        let statement = current.trimmingCharacters(in: .whitespacesAndNewlines)
        if !statement.isEmpty { statements.append(statement) }
        current = ""
      } else {
        current.append(character)
      }
      index += 1
    }
    flushWord()
    let statement = current.trimmingCharacters(in: .whitespacesAndNewlines)
    if !statement.isEmpty { statements.append(statement) }
    return statements
  }
}
