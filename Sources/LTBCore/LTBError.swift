/// The one error type of LLM Test Bench: a stable code, a message that says what went wrong,
/// and a fix that says what to do about it.
///
/// Every layer throws it; the CLI, GraphQL and REST map ``Code`` once, through
/// ``Code/exitCode``, ``Code/httpStatus`` and ``Code/graphQLCode``.
public struct LTBError: Error, Sendable, Equatable, CustomStringConvertible {
  /// What kind of failure this is; stable across releases.
  public enum Code: String, Sendable, CaseIterable {
    case authentication
    case permissionDenied
    case rateLimited
    case invalidRequest
    case contextTooLong
    case server
    case timeout
    case network
    case unsupportedCapability
    case decoding
    case configuration
    case invalidInput
    case notFound
    case cancelled
    case storage
    case featureDisabled
    case `internal`

    /// The process exit code the CLI uses for this failure.
    public var exitCode: Int32 {
      switch self {
      case .configuration, .invalidInput, .featureDisabled: 78
      case .authentication, .permissionDenied: 77
      case .notFound: 66
      case .network, .timeout, .server, .rateLimited: 69
      case .cancelled: 130
      default: 1
      }
    }

    /// The HTTP status the API answers with for this failure.
    public var httpStatus: Int {
      switch self {
      case .authentication: 401
      case .permissionDenied: 403
      case .rateLimited: 429
      case .invalidRequest, .contextTooLong, .invalidInput, .configuration, .unsupportedCapability: 400
      case .notFound, .featureDisabled: 404
      case .timeout: 504
      case .server, .network, .decoding: 502
      case .cancelled: 409
      case .storage, .internal: 500
      }
    }

    /// The `extensions.code` value used in GraphQL errors, e.g. `RATE_LIMITED`; authentication
    /// and permission failures use the names GraphQL servers commonly use, `UNAUTHENTICATED`
    /// and `FORBIDDEN`.
    public var graphQLCode: String {
      if self == .authentication { return "UNAUTHENTICATED" }
      if self == .permissionDenied { return "FORBIDDEN" }
      var result = ""
      for character in rawValue {
        if character.isUppercase { result.append("_") }
        result.append(contentsOf: character.uppercased())
      }
      return result
    }
  }

  /// The kind of failure.
  public var code: Code
  /// What went wrong, in one sentence, free of secrets.
  public var message: String
  /// What the user can do about it, when there is something to do.
  public var fix: String?
  /// How long the server asked us to wait before trying again (rate limits, overload).
  public var retryAfter: Duration?
  /// The HTTP status the remote side answered with, when the failure came from one.
  public var remoteStatus: Int?

  /// Creates an error with a code, a message and optionally a fix.
  public init(
    _ code: Code, _ message: String, fix: String? = nil, retryAfter: Duration? = nil,
    remoteStatus: Int? = nil
  ) {
    self.code = code
    self.message = message
    self.fix = fix
    self.retryAfter = retryAfter
    self.remoteStatus = remoteStatus
  }

  /// `error` as an ``LTBError``: itself when it is one, a cancellation as ``Code/cancelled``,
  /// anything else as an internal error that keeps its description.
  public static func wrapping(_ error: any Error) -> LTBError {
    if let error = error as? LTBError { return error }
    if error is CancellationError { return LTBError(.cancelled, "cancelled") }
    return LTBError(.internal, "\(error)", fix: "report this with the command that caused it")
  }

  /// Whether trying the same request again may succeed (rate limits, server and network errors).
  public var isRetryable: Bool {
    switch code {
    case .rateLimited, .server, .network, .timeout: true
    default: false
    }
  }

  /// The message followed by the fix, as shown to a user.
  public var description: String {
    guard let fix, !fix.isEmpty else { return message }
    return "\(message) (\(fix))"
  }
}
