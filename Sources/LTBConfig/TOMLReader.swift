import Foundation
import TOMLKit

/// Reads TOML text into configuration values, with the line of every key.
enum TOMLReader {
  /// A parsed file: its values and where each key sits.
  struct Parsed {
    var values: [String: ConfigValue]
    var locator: TOMLKeyLocator
  }

  /// Parses `text`; a syntax error becomes an issue with the file and line.
  static func parse(_ text: String, path: String) throws(ConfigIssue) -> Parsed {
    let table: TOMLTable
    do {
      table = try TOMLTable(string: text)
    } catch let error as TOMLParseError {
      throw ConfigIssue(
        origin: .file(path: path, line: error.source.begin.line), key: "",
        problem: "TOML syntax error: \(error.description)",
        fix: "correct the syntax at column \(error.source.begin.column)")
    } catch {
      throw ConfigIssue(
        origin: .file(path: path, line: nil), key: "", problem: "cannot parse TOML: \(error)",
        fix: "check the file")
    }
    return Parsed(values: convert(table), locator: TOMLKeyLocator(text: text))
  }

  /// Reads and parses a file.
  static func read(path: String) throws(ConfigIssue) -> Parsed {
    let text: String
    do {
      text = try String(contentsOfFile: path, encoding: .utf8)
    } catch {
      throw ConfigIssue(
        origin: .file(path: path, line: nil), key: "",
        problem: "cannot read the file (\(error.localizedDescription))",
        fix: "check that the path exists and is readable UTF-8")
    }
    return try parse(text, path: path)
  }

  private static func convert(_ table: TOMLTable) -> [String: ConfigValue] {
    var result: [String: ConfigValue] = [:]
    for key in table.keys {
      if let value = table[key] { result[key] = convert(value) }
    }
    return result
  }

  private static func convert(_ value: any TOMLValueConvertible) -> ConfigValue {
    switch value.type {
    case .table: .table(value.table.map(convert) ?? [:])
    case .array: .array(value.array.map { array in array.map(convert) } ?? [])
    case .bool: .bool(value.bool ?? false)
    case .int: .int(value.int ?? 0)
    case .double: .double(value.double ?? 0)
    case .string: .string(value.string ?? "")
    default: .string(value.debugDescription)
    }
  }
}
