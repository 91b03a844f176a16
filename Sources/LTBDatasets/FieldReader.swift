import Foundation
import LTBCore

/// Typed access to a record's fields; each wrong type becomes an issue naming the field.
struct FieldReader {
  let file: String
  let line: Int
  let fields: [String: JSONValue]
  var caseID: String?
  var prefix = ""

  func issue(_ field: String?, _ problem: String, _ fix: String) -> DatasetIssue {
    DatasetIssue(
      file: file, line: line, field: field.map { prefix + $0 }, caseID: caseID, problem: problem, fix: fix)
  }

  func rejectUnknown(_ known: [String]) throws(DatasetIssue) {
    for key in fields.keys.sorted() where !known.contains(key) {
      let fix =
        EditDistance.suggestion(for: key, among: known).map { "did you mean '\($0)'?" }
        ?? "known fields: \(known.joined(separator: ", "))"
      throw issue(key, "unknown field '\(key)'", fix)
    }
  }

  /// A scalar as text; numbers and booleans are accepted as their text.
  func text(_ key: String) throws(DatasetIssue) -> String? {
    switch fields[key] {
    case nil, .null?: return nil
    case .string(let value)?: return value
    case .int(let value)?: return String(value)
    case .double(let value)?: return String(value)
    case .bool(let value)?: return String(value)
    case let other?:
      throw issue(key, "expected text, found \(CaseDecoder.describe(other))", "write \(key) as a string")
    }
  }

  /// A string or a list of strings.
  func texts(_ key: String) throws(DatasetIssue) -> [String]? {
    switch fields[key] {
    case nil, .null?: return nil
    case .array(let items)?:
      var result: [String] = []
      for item in items {
        guard let text = Self.scalarText(item) else {
          throw issue(
            key, "every element must be text, found \(CaseDecoder.describe(item))",
            "write \(key) as a list of strings")
        }
        result.append(text)
      }
      return result
    default:
      return try text(key).map { [$0] }
    }
  }

  /// A list of tags, or a comma-separated string.
  func tags(_ key: String) throws(DatasetIssue) -> [String] {
    if case .string(let value)? = fields[key] {
      return value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter {
        !$0.isEmpty
      }
    }
    return try texts(key) ?? []
  }

  func number(_ key: String) throws(DatasetIssue) -> Double? {
    switch fields[key] {
    case nil, .null?: return nil
    case .int(let value)?: return Double(value)
    case .double(let value)?: return value
    case .string(let value)?:
      guard let number = Double(value.trimmingCharacters(in: .whitespaces)) else {
        throw issue(key, "'\(value)' is not a number", "write a number, e.g. 0.7")
      }
      return number
    case let other?:
      throw issue(key, "expected a number, found \(CaseDecoder.describe(other))", "write a number, e.g. 0.7")
    }
  }

  func integer(_ key: String) throws(DatasetIssue) -> Int? {
    guard let value = try number(key) else { return nil }
    guard value.rounded() == value, abs(value) < 1e15 else {
      throw issue(key, "\(value) is not a whole number", "write a whole number, e.g. 256")
    }
    return Int(value)
  }

  func object(_ key: String) throws(DatasetIssue) -> [String: JSONValue]? {
    switch fields[key] {
    case nil, .null?: return nil
    case .object(let members)?: return members
    case let other?:
      throw issue(
        key, "expected an object, found \(CaseDecoder.describe(other))", "write \(key) as { name: value }")
    }
  }

  func stringMap(_ key: String) throws(DatasetIssue) -> [String: String]? {
    guard let members = try object(key) else { return nil }
    var result: [String: String] = [:]
    for (name, value) in members {
      guard let text = Self.scalarText(value) else {
        throw issue(
          "\(key).\(name)", "expected text, found \(CaseDecoder.describe(value))",
          "variables hold text or numbers")
      }
      result[name] = text
    }
    return result
  }

  /// The first of several alias keys that is present, as a string map.
  func stringMap(anyOf keys: [String]) throws(DatasetIssue) -> [String: String]? {
    for key in keys {
      if let value = try stringMap(key) { return value }
    }
    return nil
  }

  /// The first of several alias keys that is present, as assertions.
  func assertions(anyOf keys: [String]) throws(DatasetIssue) -> [JSONValue]? {
    for key in keys {
      if let value = try assertions(key) { return value }
    }
    return nil
  }

  func messages(_ key: String) throws(DatasetIssue) -> [Message]? {
    guard let value = fields[key], value != .null else { return nil }
    guard case .array(let items) = value, !items.isEmpty else {
      throw issue(
        key, "expected a non-empty list of { role, content }",
        "write messages: [{ role: user, content: ... }]")
    }
    var messages: [Message] = []
    for (position, item) in items.enumerated() {
      guard let roleName = item["role"]?.stringValue, let role = Message.Role(rawValue: roleName) else {
        throw issue(
          "\(key)[\(position)].role",
          "missing or unknown role \(item["role"].map(CaseDecoder.describe) ?? "")",
          "use one of system, user, assistant, tool")
      }
      guard let content = item["content"].flatMap(Self.scalarText) else {
        throw issue(
          "\(key)[\(position)].content", "missing or non-text content",
          "give each message its text as content")
      }
      messages.append(Message(role: role, text: content))
    }
    return messages
  }

  func assertions(_ key: String) throws(DatasetIssue) -> [JSONValue]? {
    guard let value = fields[key], value != .null else { return nil }
    guard case .array(let items) = value else {
      throw issue(key, "expected a list of assertions", "write \(key): [{ type: contains, value: ... }]")
    }
    for (position, item) in items.enumerated() where item["type"]?.stringValue == nil {
      throw issue(
        "\(key)[\(position)]", "an assertion needs a 'type'", "write { type: contains, value: ... }")
    }
    return items
  }

  static func scalarText(_ value: JSONValue) -> String? {
    switch value {
    case .string(let text): text
    case .int(let number): String(number)
    case .double(let number): String(number)
    case .bool(let flag): String(flag)
    default: nil
    }
  }
}
