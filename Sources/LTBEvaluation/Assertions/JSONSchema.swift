import Foundation
public import LTBCore

/// A JSON Schema (draft 2020-12) subset, checked when loaded: `type` (one or a list),
/// `properties`, `required`, `additionalProperties` (boolean or schema), `items`, `enum`,
/// `const`, `minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum`, `minLength`,
/// `maxLength`, `minItems`, `maxItems`, `pattern`. Any other keyword is refused rather than
/// silently ignored.
public struct JSONSchema: Sendable {
  private let schema: [String: JSONValue]
  private static let supported: Set<String> = [
    "type", "properties", "required", "additionalProperties", "items", "enum", "const", "minimum", "maximum",
    "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength", "minItems", "maxItems", "pattern",
    "$schema", "title", "description",
  ]
  private static let types: Set<String> = [
    "object", "array", "string", "number", "integer", "boolean", "null",
  ]

  /// Checks and keeps a schema.
  public init(_ value: JSONValue, path: String = "schema") throws(LTBError) {
    if case .bool = value {
      schema = value.boolValue == true ? [:] : ["not": .bool(true)]
      return
    }
    guard case .object(let members) = value else {
      throw LTBError(.invalidInput, "\(path) must be an object", fix: "write a JSON Schema object")
    }
    for key in members.keys where !Self.supported.contains(key) && key != "not" {
      throw LTBError(
        .invalidInput, "\(path) uses '\(key)', which this validator does not support",
        fix: "use only: \(Self.supported.sorted().joined(separator: ", "))")
    }
    if let type = members["type"] {
      let names = type.arrayValue?.compactMap(\.stringValue) ?? [type.stringValue].compactMap { $0 }
      guard !names.isEmpty, names.allSatisfy(Self.types.contains) else {
        throw LTBError(
          .invalidInput, "\(path).type must be one of \(Self.types.sorted().joined(separator: ", "))",
          fix: "write type: object")
      }
    }
    for (key, child) in members["properties"]?.objectValue ?? [:] {
      _ = try JSONSchema(child, path: "\(path).properties.\(key)")
    }
    if let items = members["items"] { _ = try JSONSchema(items, path: "\(path).items") }
    if let additional = members["additionalProperties"], additional.boolValue == nil {
      _ = try JSONSchema(additional, path: "\(path).additionalProperties")
    }
    if let pattern = members["pattern"]?.stringValue {
      do { _ = try NSRegularExpression(pattern: pattern) } catch {
        throw LTBError(
          .invalidInput, "\(path).pattern is not a valid regular expression", fix: "fix the pattern")
      }
    }
    schema = members
  }

  /// The problems of `instance` against the schema (empty when valid), each with its JSON path.
  public func problems(_ instance: JSONValue, path: String = "$") -> [String] {
    if schema["not"] != nil { return ["\(path): no value is allowed here"] }
    var problems: [String] = []
    if let type = schema["type"] {
      let names = type.arrayValue?.compactMap(\.stringValue) ?? [type.stringValue].compactMap { $0 }
      if !names.contains(where: { Self.matches(instance, type: $0) }) {
        return ["\(path): expected \(names.joined(separator: " or ")), found \(Self.typeName(instance))"]
      }
    }
    if let options = schema["enum"]?.arrayValue, !options.contains(where: { Self.equal($0, instance) }) {
      problems.append(
        "\(path): \(instance.serialized()) is not one of \(JSONValue.array(options).serialized())")
    }
    if let constant = schema["const"], !Self.equal(constant, instance) {
      problems.append("\(path): must equal \(constant.serialized())")
    }
    if let number = instance.doubleValue, !Self.isBool(instance) {
      if let minimum = schema["minimum"]?.doubleValue, number < minimum {
        problems.append("\(path): \(number) < minimum \(minimum)")
      }
      if let maximum = schema["maximum"]?.doubleValue, number > maximum {
        problems.append("\(path): \(number) > maximum \(maximum)")
      }
      if let bound = schema["exclusiveMinimum"]?.doubleValue, number <= bound {
        problems.append("\(path): \(number) ≤ exclusiveMinimum \(bound)")
      }
      if let bound = schema["exclusiveMaximum"]?.doubleValue, number >= bound {
        problems.append("\(path): \(number) ≥ exclusiveMaximum \(bound)")
      }
    }
    if case .string(let text) = instance {
      let length = text.unicodeScalars.count
      if let minimum = schema["minLength"]?.intValue, length < minimum {
        problems.append("\(path): shorter than \(minimum)")
      }
      if let maximum = schema["maxLength"]?.intValue, length > maximum {
        problems.append("\(path): longer than \(maximum)")
      }
      if let pattern = schema["pattern"]?.stringValue, let regex = try? NSRegularExpression(pattern: pattern),
        regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) == nil
      {
        problems.append("\(path): does not match /\(pattern)/")
      }
    }
    if case .array(let items) = instance {
      if let minimum = schema["minItems"]?.intValue, items.count < minimum {
        problems.append("\(path): fewer than \(minimum) items")
      }
      if let maximum = schema["maxItems"]?.intValue, items.count > maximum {
        problems.append("\(path): more than \(maximum) items")
      }
      if let itemSchema = schema["items"], let child = try? JSONSchema(itemSchema) {
        for (index, item) in items.enumerated() {
          problems += child.problems(item, path: "\(path)[\(index)]")
        }
      }
    }
    if case .object(let members) = instance {
      for key in schema["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] where members[key] == nil {
        problems.append("\(path): missing required property '\(key)'")
      }
      let properties = schema["properties"]?.objectValue ?? [:]
      for (key, value) in members.sorted(by: { $0.key < $1.key }) {
        if let propertySchema = properties[key], let child = try? JSONSchema(propertySchema) {
          problems += child.problems(value, path: "\(path).\(key)")
        } else if let additional = schema["additionalProperties"] {
          if additional.boolValue == false {
            problems.append("\(path): property '\(key)' is not allowed")
          } else if additional.boolValue == nil, let child = try? JSONSchema(additional) {
            problems += child.problems(value, path: "\(path).\(key)")
          }
        }
      }
    }
    return problems
  }

  private static func isBool(_ value: JSONValue) -> Bool {
    if case .bool = value { return true }
    return false
  }

  private static func matches(_ value: JSONValue, type: String) -> Bool {
    switch (type, value) {
    case ("object", .object), ("array", .array), ("string", .string), ("boolean", .bool), ("null", .null):
      true
    case ("number", .int), ("number", .double), ("integer", .int): true
    case ("integer", .double(let number)): number.rounded() == number
    default: false
    }
  }

  private static func typeName(_ value: JSONValue) -> String {
    switch value {
    case .null: "null"
    case .bool: "boolean"
    case .int: "integer"
    case .double: "number"
    case .string: "string"
    case .array: "array"
    case .object: "object"
    }
  }

  /// JSON equality: numbers by value (1 equals 1.0).
  private static func equal(_ lhs: JSONValue, _ rhs: JSONValue) -> Bool {
    if let left = lhs.doubleValue, let right = rhs.doubleValue, !isBool(lhs), !isBool(rhs) {
      return left == right
    }
    switch (lhs, rhs) {
    case (.array(let left), .array(let right)):
      return left.count == right.count && zip(left, right).allSatisfy(equal)
    case (.object(let left), .object(let right)):
      return left.count == right.count
        && left.allSatisfy { key, value in right[key].map { equal(value, $0) } ?? false }
    default: return lhs == rhs
    }
  }
}
