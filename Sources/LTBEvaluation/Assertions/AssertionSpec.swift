import Foundation
public import LTBCore

/// One assertion as written in a dataset or suite, parsed and checked: its type (without the
/// `not-` prefix), whether it is negated, its name, expected value, threshold, weight and the
/// rest of its options. A group (`type: all`, `any`, or `k-of-n` with `k`) holds children.
public struct AssertionSpec: Sendable, Hashable {
  /// The type without `not-`.
  public var type: String
  /// Whether the verdict is inverted (`not-contains`, …).
  public var negated: Bool
  /// The metric name results are stored under: `name`, else the written type.
  public var name: String
  /// The expected value (`value`), when the type takes one.
  public var value: JSONValue?
  /// The pass threshold (`threshold`), on the metric's own scale.
  public var threshold: Double?
  /// The weight in the case's score (`weight`, default 1).
  public var weight: Double
  /// Every other key (`provider`, `model`, `criteria`, `samples`, `min`, `max`, …).
  public var options: [String: JSONValue]
  /// The members of a group.
  public var children: [AssertionSpec]
  /// How many members of a group must pass.
  public var required: Int?

  /// Creates a spec directly (for `--metrics` and tests).
  public init(
    type: String, negated: Bool = false, name: String? = nil, value: JSONValue? = nil,
    threshold: Double? = nil,
    weight: Double = 1, options: [String: JSONValue] = [:], children: [AssertionSpec] = [],
    required: Int? = nil
  ) {
    self.type = type
    self.negated = negated
    self.name = name ?? (negated ? "not-" + type : type)
    self.value = value
    self.threshold = threshold
    self.weight = weight
    self.options = options
    self.children = children
    self.required = required
  }

  /// Parses an assertion; `location` names it in errors (for example `case q1, assertions[2]`).
  public init(parsing json: JSONValue, location: String) throws(LTBError) {
    guard case .object(var members) = json else {
      throw LTBError(
        .invalidInput, "\(location): an assertion must be an object",
        fix: "write { type: contains, value: ... }")
    }
    guard case .string(let written)? = members.removeValue(forKey: "type") else {
      throw LTBError(
        .invalidInput, "\(location): the assertion has no 'type'",
        fix: "add a type, one of: \(AssertionCatalog.allTypes.joined(separator: ", "))")
    }
    let negated = written.hasPrefix("not-")
    let type = negated ? String(written.dropFirst(4)) : written
    guard AssertionCatalog.allTypes.contains(type) || AssertionCatalog.isPluginType(type) else {
      let hint = EditDistance.suggestion(for: type, among: AssertionCatalog.allTypes).map {
        "did you mean '\($0)'? "
      }
      throw LTBError(
        .invalidInput, "\(location): unknown assertion type '\(written)'",
        fix: (hint ?? "") + "known types: \(AssertionCatalog.allTypes.joined(separator: ", ")), "
          + "and plugin:NAME for an installed evaluator plugin")
    }
    var name: String?
    if let given = members.removeValue(forKey: "name") {
      guard case .string(let text) = given, !text.isEmpty else {
        throw LTBError(
          .invalidInput, "\(location): 'name' must be a non-empty string", fix: "write name: my-check")
      }
      name = text
    }
    var threshold: Double?
    if let given = members.removeValue(forKey: "threshold") {
      guard let number = given.doubleValue else {
        throw LTBError(
          .invalidInput, "\(location): 'threshold' must be a number", fix: "write threshold: 0.8")
      }
      threshold = number
    }
    var weight = 1.0
    if let given = members.removeValue(forKey: "weight") {
      guard let number = given.doubleValue, number >= 0 else {
        throw LTBError(.invalidInput, "\(location): 'weight' must be a number ≥ 0", fix: "write weight: 2")
      }
      weight = number
    }
    let value = members.removeValue(forKey: "value")
    var children: [AssertionSpec] = []
    var required: Int?
    if AssertionCatalog.groupTypes.contains(type) {
      guard
        case .array(let list)? = members.removeValue(forKey: "assert")
          ?? members.removeValue(forKey: "assertions"),
        !list.isEmpty
      else {
        throw LTBError(
          .invalidInput, "\(location): a '\(type)' group needs a non-empty 'assert' list",
          fix: "write { type: \(type), assert: [{ type: contains, value: a }, ...] }")
      }
      for (index, member) in list.enumerated() {
        children.append(try AssertionSpec(parsing: member, location: "\(location).assert[\(index)]"))
      }
      switch type {
      case "all": required = children.count
      case "any": required = 1
      default:
        guard let k = members.removeValue(forKey: "k")?.intValue, (1...children.count).contains(k) else {
          throw LTBError(
            .invalidInput, "\(location): 'k-of-n' needs k between 1 and \(children.count)",
            fix: "write { type: k-of-n, k: 2, assert: [...] }")
        }
        required = k
      }
    }
    self.init(
      type: type, negated: negated, name: name ?? written, value: value, threshold: threshold, weight: weight,
      options: members, children: children, required: required)
    try AssertionCatalog.validate(self, location: location)
  }

  /// A string option.
  public func string(_ key: String) -> String? { options[key]?.stringValue }
  /// A boolean option (`false` when absent).
  public func bool(_ key: String) -> Bool { options[key]?.boolValue ?? false }
  /// A number option.
  public func number(_ key: String) -> Double? { options[key]?.doubleValue }
  /// The expected value as text.
  public var text: String? { value?.stringValue }
  /// The expected value as a list of strings (a single string is a list of one).
  public var texts: [String] {
    switch value {
    case .string(let text)?: [text]
    case .array(let items)?: items.compactMap(\.stringValue)
    default: []
    }
  }
}

extension AssertionSpec {
  /// Metrics as `--metrics` and the API name them, `TYPE` or `TYPE:THRESHOLD` (e.g. `bleu:20`),
  /// as assertion JSON, each checked by parsing it.
  public static func metrics(_ items: [String]) throws -> [JSONValue] {
    try items.map { item in
      // `plugin:NAME` keeps its colon: its threshold follows a second one (plugin:NAME:0.5).
      let isPlugin = item.trimmingCharacters(in: .whitespaces).hasPrefix("plugin:")
      var parts = item.split(separator: ":", maxSplits: isPlugin ? 2 : 1).map {
        String($0).trimmingCharacters(in: .whitespaces)
      }
      if isPlugin, parts.count > 1 { parts = [parts[0] + ":" + parts[1]] + parts.dropFirst(2) }
      guard let type = parts.first, !type.isEmpty else {
        throw LTBError(.invalidInput, "an empty metric name", fix: "name metrics, e.g. bleu,rouge-l:0.4")
      }
      var json: [String: JSONValue] = ["type": .string(type)]
      if parts.count > 1 {
        guard let threshold = Double(parts[1]) else {
          throw LTBError(
            .invalidInput, "the metric '\(item)' has a threshold that is not a number",
            fix: "write e.g. bleu:30")
        }
        json["threshold"] = .double(threshold)
      }
      _ = try AssertionSpec(parsing: .object(json), location: "metric '\(item)'")
      return .object(json)
    }
  }
}
