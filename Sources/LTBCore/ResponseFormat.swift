/// The shape the answer must take.
public enum ResponseFormat: Sendable, Hashable, Codable {
  /// Free text.
  case text
  /// Any valid JSON object ("JSON mode").
  case jsonObject
  /// JSON that follows the given schema.
  case jsonSchema(name: String, schema: JSONValue)
}
