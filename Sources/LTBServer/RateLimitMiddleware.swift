import Foundation
public import Hummingbird
import LTBAuth
import LTBCore
import NIOConcurrencyHelpers

/// Token buckets per identity (the principal's user id) and per address: each refills at
/// `rate` requests a second up to `burst`. A request over the limit gets 429 with
/// `Retry-After` and a `RATE_LIMITED` error; `/health`, `/ready` and `/metrics` are exempt, so
/// that probes and scrapes never starve.
public struct RateLimitMiddleware: RouterMiddleware {
  /// The limits.
  public struct Limits: Sendable {
    /// Requests per second, per identity and per address.
    public var rate: Double
    /// The largest burst.
    public var burst: Double

    /// Creates limits (the spec's 10 a second with bursts of 20 by default).
    public init(rate: Double = 10, burst: Double = 20) {
      self.rate = rate
      self.burst = burst
    }
  }

  private struct Bucket {
    var tokens: Double
    var updated: ContinuousClock.Instant
  }

  let limits: Limits
  private let buckets = NIOLockedValueBox<[String: Bucket]>([:])
  private static let exempt: Set<String> = ["/health", "/ready", "/metrics"]

  /// A middleware enforcing `limits`.
  public init(limits: Limits) { self.limits = limits }

  /// Takes a token from the identity's and the address's buckets, or answers 429.
  public func handle(
    _ request: Request, context: GatewayRequestContext,
    next: (Request, GatewayRequestContext) async throws -> Response
  ) async throws -> Response {
    guard !Self.exempt.contains(request.uri.path) else { return try await next(request, context) }
    var keys = ["ip:" + (context.remoteAddress?.ipAddress ?? "unknown")]
    if let principal = context.principal { keys.append("user:" + principal.userID.uuidString) }
    if let wait = take(keys) {
      let seconds = max(1, Int(wait.rounded(.up)))
      return GatewayResponse.error(
        LTBError(
          .rateLimited,
          "too many requests: the limit is \(Int(limits.rate))/s with bursts of \(Int(limits.burst))",
          fix: "wait \(seconds) s (Retry-After), then slow down"),
        headers: [("Retry-After", String(seconds))])
    }
    return try await next(request, context)
  }

  /// Takes one token from every key's bucket, or returns the seconds until all have one.
  func take(_ keys: [String], now: ContinuousClock.Instant = .now) -> Double? {
    buckets.withLockedValue { buckets in
      var refilled: [String: Bucket] = [:]
      var wait = 0.0
      for key in keys {
        var bucket = buckets[key] ?? Bucket(tokens: limits.burst, updated: now)
        let elapsed = (now - bucket.updated).milliseconds / 1_000
        bucket.tokens = min(limits.burst, bucket.tokens + elapsed * limits.rate)
        bucket.updated = now
        if bucket.tokens < 1 { wait = max(wait, (1 - bucket.tokens) / limits.rate) }
        refilled[key] = bucket
      }
      if wait == 0 { for key in keys { refilled[key]?.tokens -= 1 } }
      for (key, bucket) in refilled { buckets[key] = bucket }
      if buckets.count > 100_000 {
        // Forget buckets that would be full by now: they hold no information.
        buckets = buckets.filter {
          $0.value.tokens + (now - $0.value.updated).milliseconds / 1_000 * limits.rate < limits.burst
        }
      }
      return wait > 0 ? wait : nil
    }
  }
}
