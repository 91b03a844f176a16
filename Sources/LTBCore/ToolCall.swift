/// A function the model asked to call.
public struct ToolCall: Sendable, Hashable, Codable {
  /// The vendor's id for the call, used to answer it.
  public var id: String
  /// The function's name.
  public var name: String
  /// The arguments as JSON text, exactly as the model produced them.
  public var arguments: String

  /// Creates a tool call.
  public init(id: String, name: String, arguments: String) {
    self.id = id
    self.name = name
    self.arguments = arguments
  }
}

/// A function the model may call.
public struct ToolDefinition: Sendable, Hashable, Codable {
  /// The function's name.
  public var name: String
  /// What the function does, for the model.
  public var description: String?
  /// The JSON Schema of the arguments.
  public var parameters: JSONValue

  /// Creates a tool definition.
  public init(name: String, description: String? = nil, parameters: JSONValue) {
    self.name = name
    self.description = description
    self.parameters = parameters
  }
}

/// How the model may use the tools it was given.
public enum ToolChoice: Sendable, Hashable, Codable {
  case auto
  case none
  case required
  case function(String)
}
