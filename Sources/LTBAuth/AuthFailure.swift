public import LTBCore

/// The failures of authentication and authorization, each mapped to the one error type.
public enum AuthFailure: Error, Sendable, Equatable {
  /// No credential, or one that is not valid (the reason is for logs and the audit log only).
  case unauthenticated(String)
  /// A valid identity without the permission.
  case forbidden(String)
  /// Bad input to an auth operation.
  case invalidInput(String, fix: String)
  /// Too many attempts; try again after the given seconds.
  case throttled(seconds: Int)

  /// The error clients see: authentication failures never say which part was wrong.
  public var error: LTBError {
    switch self {
    case .unauthenticated:
      LTBError(
        .authentication, "authentication required: the credential is missing, invalid or expired",
        fix: "send Authorization: Bearer <access token or ltb_ API key>, or log in again")
    case .forbidden(let what):
      LTBError(.permissionDenied, what, fix: "ask an admin for a role that grants it")
    case .invalidInput(let message, let fix):
      LTBError(.invalidInput, message, fix: fix)
    case .throttled(let seconds):
      LTBError(
        .rateLimited, "too many attempts; try again in \(seconds) s", fix: "wait, then retry",
        retryAfter: .seconds(seconds))
    }
  }
}
