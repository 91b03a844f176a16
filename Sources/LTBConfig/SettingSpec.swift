import Foundation

/// One documented setting: its key, type and range, default and meaning.
public struct SettingSpec: Sendable {
  /// The value's type and the values allowed.
  public enum Kind: Sendable {
    case string
    case choice([String])
    case integer(ClosedRange<Int>)
    case float(ClosedRange<Double>)
    case boolean
    case stringArray
    case stringTable
  }

  /// The key inside its table.
  public var key: String
  /// The type and allowed values.
  public var kind: Kind
  /// The default, or `nil` when unset by default.
  public var defaultValue: ConfigValue?
  /// One line on what it does.
  public var summary: String

  /// Creates a spec.
  public init(_ key: String, _ kind: Kind, default defaultValue: ConfigValue?, _ summary: String) {
    self.key = key
    self.kind = kind
    self.defaultValue = defaultValue
    self.summary = summary
  }

  /// What the type looks like, for messages: `an integer in 0...10`.
  public var expectation: String {
    switch kind {
    case .string: "a string"
    case .choice(let options): "one of " + options.map { "\"\($0)\"" }.joined(separator: ", ")
    case .integer(let range): "an integer in \(range.lowerBound)...\(range.upperBound)"
    case .float(let range): "a number in \(range.lowerBound)...\(range.upperBound)"
    case .boolean: "true or false"
    case .stringArray: "an array of strings"
    case .stringTable: "a table of strings"
    }
  }

  /// Checks a value; returns the problem, or `nil` when it is acceptable.
  public func problem(with value: ConfigValue) -> String? {
    switch (kind, value) {
    case (.string, .string): return nil
    case (.choice(let options), .string(let text)):
      return options.contains(text) ? nil : "\"\(text)\" is not allowed"
    case (.integer(let range), .int(let number)):
      return range.contains(number) ? nil : "\(number) is out of range"
    case (.float(let range), .double(let number)):
      return range.contains(number) ? nil : "\(number) is out of range"
    case (.float(let range), .int(let number)):
      return range.contains(Double(number)) ? nil : "\(number) is out of range"
    case (.boolean, .bool): return nil
    case (.stringArray, .array(let items)):
      return items.allSatisfy { if case .string = $0 { true } else { false } }
        ? nil : "every element must be a string"
    case (.stringTable, .table(let members)):
      return members.values.allSatisfy { if case .string = $0 { true } else { false } }
        ? nil : "every value must be a string"
    default:
      return "expected \(expectation), found a \(value.typeName)"
    }
  }

  /// Parses an environment variable's text by this setting's type.
  public func parse(environmentValue text: String) -> ConfigValue? {
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    switch kind {
    case .string, .choice: return .string(text)
    case .integer: return Int(trimmed).map(ConfigValue.int)
    case .float: return Double(trimmed).map(ConfigValue.double)
    case .boolean:
      switch trimmed.lowercased() {
      case "true", "1", "yes", "on": return .bool(true)
      case "false", "0", "no", "off": return .bool(false)
      default: return nil
      }
    case .stringArray:
      if trimmed.isEmpty { return .array([]) }
      return .array(trimmed.split(separator: ",").map { .string($0.trimmingCharacters(in: .whitespaces)) })
    case .stringTable:
      var members: [String: ConfigValue] = [:]
      for pair in trimmed.split(separator: ",") {
        let parts = pair.split(separator: "=", maxSplits: 1)
        guard parts.count == 2 else { return nil }
        members[parts[0].trimmingCharacters(in: .whitespaces)] = .string(
          parts[1].trimmingCharacters(in: .whitespaces))
      }
      return .table(members)
    }
  }
}
