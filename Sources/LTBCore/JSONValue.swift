public import Foundation

/// An arbitrary JSON value, for the parts of requests and results whose shape the user decides
/// (tool schemas, response formats, metadata).
public enum JSONValue: Sendable, Hashable, Codable {
  case null
  case bool(Bool)
  case int(Int)
  case double(Double)
  case string(String)
  case array([JSONValue])
  case object([String: JSONValue])

  /// Decodes any JSON value, keeping integers apart from fractional numbers.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    if container.decodeNil() {
      self = .null
    } else if let value = try? container.decode(Bool.self) {
      self = .bool(value)
    } else if let value = try? container.decode(Int.self) {
      self = .int(value)
    } else if let value = try? container.decode(Double.self) {
      self = .double(value)
    } else if let value = try? container.decode(String.self) {
      self = .string(value)
    } else if let value = try? container.decode([JSONValue].self) {
      self = .array(value)
    } else {
      self = .object(try container.decode([String: JSONValue].self))
    }
  }

  /// Encodes the value as the JSON it stands for.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    switch self {
    case .null: try container.encodeNil()
    case .bool(let value): try container.encode(value)
    case .int(let value): try container.encode(value)
    case .double(let value): try container.encode(value)
    case .string(let value): try container.encode(value)
    case .array(let value): try container.encode(value)
    case .object(let value): try container.encode(value)
    }
  }

  /// The string payload, when this is a string.
  public var stringValue: String? {
    if case .string(let value) = self { return value }
    return nil
  }

  /// The numeric payload as a `Double`, when this is a number.
  public var doubleValue: Double? {
    switch self {
    case .int(let value): Double(value)
    case .double(let value): value
    default: nil
    }
  }

  /// The integer payload, when this is a whole number.
  public var intValue: Int? {
    switch self {
    case .int(let value): value
    case .double(let value) where value.rounded() == value && abs(value) < 9e15: Int(value)
    default: nil
    }
  }

  /// The boolean payload, when this is a boolean.
  public var boolValue: Bool? {
    if case .bool(let value) = self { return value }
    return nil
  }

  /// The members, when this is an object.
  public var objectValue: [String: JSONValue]? {
    if case .object(let value) = self { return value }
    return nil
  }

  /// The elements, when this is an array.
  public var arrayValue: [JSONValue]? {
    if case .array(let value) = self { return value }
    return nil
  }

  /// The member named `key`, when this is an object that has it.
  public subscript(key: String) -> JSONValue? {
    objectValue?[key]
  }

  /// The element at `index`, when this is an array that long.
  public subscript(index: Int) -> JSONValue? {
    guard let items = arrayValue, items.indices.contains(index) else { return nil }
    return items[index]
  }

  /// Parses JSON text into a value.
  public static func parse(_ data: Data) throws -> JSONValue {
    var parser = JSONParser(Array(data))
    return try parser.parseDocument()
  }

  /// Parses JSON bytes into a value.
  public static func parse(bytes: [UInt8]) throws -> JSONValue {
    var parser = JSONParser(bytes)
    return try parser.parseDocument()
  }

  /// Compact JSON text with sorted keys, stable enough to hash or compare.
  public func canonicalText() -> String {
    serialized(sortedKeys: true)
  }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
  ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral,
  ExpressibleByNilLiteral
{
  /// A string literal.
  public init(stringLiteral value: String) { self = .string(value) }
  /// An integer literal.
  public init(integerLiteral value: Int) { self = .int(value) }
  /// A floating-point literal.
  public init(floatLiteral value: Double) { self = .double(value) }
  /// A boolean literal.
  public init(booleanLiteral value: Bool) { self = .bool(value) }
  /// An array literal.
  public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
  /// A dictionary literal.
  public init(dictionaryLiteral elements: (String, JSONValue)...) {
    self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
  }
  /// `null`.
  public init(nilLiteral: ()) { self = .null }
}

extension Dictionary where Key == String, Value == JSONValue {
  /// Sets `key` only when `value` is present, so optional settings are left out of the JSON.
  public mutating func set(_ key: String, _ value: JSONValue?) {
    if let value { self[key] = value }
  }
}

extension JSONValue {
  /// A number from an optional `Double`.
  public static func number(_ value: Double?) -> JSONValue? { value.map(JSONValue.double) }
  /// A number from an optional `Int`.
  public static func number(_ value: Int?) -> JSONValue? { value.map(JSONValue.int) }
  /// A string from an optional `String`.
  public static func text(_ value: String?) -> JSONValue? { value.map(JSONValue.string) }
  /// An array of strings from an optional array.
  public static func strings(_ values: [String]?) -> JSONValue? {
    values.map { .array($0.map(JSONValue.string)) }
  }
}
