import Foundation

/// A configuration value as read from TOML or the environment.
public enum ConfigValue: Sendable, Hashable, CustomStringConvertible {
  case string(String)
  case int(Int)
  case double(Double)
  case bool(Bool)
  case array([ConfigValue])
  case table([String: ConfigValue])

  /// The TOML type name, for messages.
  public var typeName: String {
    switch self {
    case .string: "string"
    case .int: "integer"
    case .double: "float"
    case .bool: "boolean"
    case .array: "array"
    case .table: "table"
    }
  }

  /// The value written as TOML.
  public var description: String {
    switch self {
    case .string(let value): TOMLText.quote(value)
    case .int(let value): String(value)
    case .double(let value):
      value == value.rounded() && abs(value) < 1e15 ? String(format: "%.1f", value) : String(value)
    case .bool(let value): String(value)
    case .array(let values): "[" + values.map(\.description).joined(separator: ", ") + "]"
    case .table(let members):
      "{ "
        + members.sorted { $0.key < $1.key }.map { "\(TOMLText.key($0.key)) = \($0.value)" }.joined(
          separator: ", ") + " }"
    }
  }

  /// The members, when this is a table.
  public var tableValue: [String: ConfigValue]? {
    if case .table(let members) = self { return members }
    return nil
  }
}

/// Small helpers for writing TOML text.
enum TOMLText {
  static func quote(_ value: String) -> String {
    var result = "\""
    for scalar in value.unicodeScalars {
      switch scalar {
      case "\"": result += "\\\""
      case "\\": result += "\\\\"
      case "\n": result += "\\n"
      case "\t": result += "\\t"
      case "\r": result += "\\r"
      default:
        if scalar.value < 0x20 || scalar.value == 0x7F {
          result += String(format: "\\u%04X", scalar.value)
        } else {
          result.unicodeScalars.append(scalar)
        }
      }
    }
    return result + "\""
  }

  static func key(_ key: String) -> String {
    let bare =
      !key.isEmpty && key.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }
    return bare ? key : quote(key)
  }
}
