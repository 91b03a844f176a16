/// Why one call into a plugin produced no answer. Each becomes an error verdict (or a failed
/// request) with ``message`` as its reason; none stops the host.
public struct PluginCallError: Error, Sendable, Hashable, CustomStringConvertible {
  /// What kind of failure it was.
  public enum Kind: String, Sendable {
    /// The plugin trapped (unreachable, out-of-bounds access, exhausted stack, division by zero).
    case trap
    /// It ran out of its fuel budget.
    case fuel
    /// It ran past its wall-clock timeout.
    case timeout
    /// Its answer broke the ABI (too large, outside its memory, not JSON, wrong shape).
    case answer
    /// It could not be started (instantiation refused, memory over its ceiling).
    case instantiation
  }

  /// The kind.
  public var kind: Kind
  /// The reason, naming the plugin's limit when one was hit.
  public var message: String

  /// Creates an error.
  public init(_ kind: Kind, _ message: String) {
    self.kind = kind
    self.message = message
  }

  /// The reason.
  public var description: String { message }
}
