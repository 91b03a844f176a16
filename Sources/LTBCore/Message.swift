/// One turn of a conversation.
public struct Message: Sendable, Hashable, Codable {
  /// Who speaks.
  public enum Role: String, Sendable, Hashable, Codable, CaseIterable {
    case system, user, assistant, tool
  }

  /// Who speaks.
  public var role: Role
  /// What is said, in parts (text, images, audio).
  public var content: [ContentPart]
  /// Tool calls the assistant made in this turn.
  public var toolCalls: [ToolCall]
  /// For a `tool` message: the id of the call it answers.
  public var toolCallID: String?

  /// Creates a message from parts.
  public init(role: Role, content: [ContentPart], toolCalls: [ToolCall] = [], toolCallID: String? = nil) {
    self.role = role
    self.content = content
    self.toolCalls = toolCalls
    self.toolCallID = toolCallID
  }

  /// Creates a text-only message.
  public init(role: Role, text: String) {
    self.init(role: role, content: [.text(text)])
  }

  /// The text parts joined together.
  public var text: String {
    content.compactMap(\.text).joined()
  }

  /// Whether every part is text.
  public var isTextOnly: Bool {
    content.allSatisfy { $0.modality == .text }
  }
}
