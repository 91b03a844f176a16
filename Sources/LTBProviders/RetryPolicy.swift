public import LTBCore

/// When and how long to wait before retrying a failed request.
///
/// Only rate limits (429), server errors (5xx) and network errors are retried; the delay doubles
/// per attempt from `baseDelay` up to `maxDelay`, with jitter in [50%, 100%]; a `Retry-After` the
/// server sent is honoured exactly, unless it asks for longer than `maxDelay`, in which case the
/// error is returned at once, carrying the server's delay.
public struct RetryPolicy: Sendable, Hashable {
  /// Retries after the first attempt.
  public var maxRetries: Int
  /// Delay before the first retry.
  public var baseDelay: Duration
  /// The longest delay, and the longest `Retry-After` waited out.
  public var maxDelay: Duration

  /// Creates a policy.
  public init(maxRetries: Int, baseDelay: Duration, maxDelay: Duration) {
    self.maxRetries = maxRetries
    self.baseDelay = baseDelay
    self.maxDelay = maxDelay
  }

  /// The policy a provider's settings describe.
  public init(settings: ProviderSettings) {
    self.init(
      maxRetries: settings.maxRetries, baseDelay: settings.retryBaseDelay, maxDelay: settings.retryMaxDelay)
  }

  /// How long to wait before retry number `attempt` (1-based) after `error`, or `nil` to give up.
  public func delay(
    beforeRetry attempt: Int, after error: LTBError, jitter: Double = Double.random(in: 0.5...1)
  ) -> Duration? {
    guard error.isRetryable, error.code != .timeout, attempt <= maxRetries else { return nil }
    if let retryAfter = error.retryAfter {
      return retryAfter <= maxDelay ? retryAfter : nil
    }
    let exponent = min(attempt - 1, 30)
    let backoff = min(baseDelay * (1 << exponent), maxDelay)
    return backoff * jitter
  }
}
