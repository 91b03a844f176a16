/// Why the model stopped.
public enum FinishReason: String, Sendable, Hashable, Codable {
  /// A natural end or a stop sequence.
  case stop
  /// The token limit.
  case length
  /// The model called a tool.
  case toolCalls
  /// A safety filter stopped it.
  case contentFilter
  /// Anything else the vendor reported.
  case other
}
