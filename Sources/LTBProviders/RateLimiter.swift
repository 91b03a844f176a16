import LTBCore

/// Token-bucket rate limiting for one provider: requests per minute and tokens per minute.
///
/// Each bucket refills continuously at its per-minute rate and holds one second's allowance
/// (at least one request), so traffic is paced evenly rather than let through in a minute-sized
/// burst. A request waits until both buckets can pay for it; a request larger than the token
/// bucket waits for a full bucket and leaves it in debt, so the average rate still holds.
/// Waiters are served in arrival order. A limit of 0 disables that bucket.
public actor RateLimiter {
  private let requestsPerMinute: Double
  private let tokensPerMinute: Double
  private let requestCapacity: Double
  private let tokenCapacity: Double
  private var requestTokens: Double
  private var tokenTokens: Double
  private var lastRefill: ContinuousClock.Instant
  private var queueTail: Task<Void, Never>?
  private let clock = ContinuousClock()

  /// Creates a limiter; 0 means unlimited.
  public init(requestsPerMinute: Int, tokensPerMinute: Int) {
    self.requestsPerMinute = Double(max(requestsPerMinute, 0))
    self.tokensPerMinute = Double(max(tokensPerMinute, 0))
    self.requestCapacity = max(1, Double(max(requestsPerMinute, 0)) / 60)
    self.tokenCapacity = max(1, Double(max(tokensPerMinute, 0)) / 60)
    self.requestTokens = max(1, Double(max(requestsPerMinute, 0)) / 60)
    self.tokenTokens = max(1, Double(max(tokensPerMinute, 0)) / 60)
    self.lastRefill = ContinuousClock.now
  }

  /// Whether any limit is set.
  public nonisolated var isLimited: Bool { requestsPerMinute > 0 || tokensPerMinute > 0 }

  /// Waits until one request costing `tokens` tokens may be sent, then pays for it.
  public func acquire(tokens: Int) async throws {
    guard isLimited else { return }
    let previous = queueTail
    let turn = Task { [weak self] in
      await previous?.value
      guard let self else { return }
      await self.waitForCapacity(tokens: Double(tokens))
    }
    queueTail = turn
    await withTaskCancellationHandler {
      await turn.value
    } onCancel: {
      turn.cancel()
    }
    try Task.checkCancellation()
  }

  /// Returns tokens that were reserved but not used (the actual usage was lower than the estimate).
  public func refund(tokens: Int) {
    guard tokensPerMinute > 0, tokens > 0 else { return }
    refill()
    tokenTokens = min(tokenCapacity, tokenTokens + Double(tokens))
  }

  private func waitForCapacity(tokens: Double) async {
    let tokenThreshold = min(tokens, tokenCapacity)
    while !Task.isCancelled {
      refill()
      let requestShortfall = requestsPerMinute > 0 ? max(0, 1 - requestTokens) : 0
      let tokenShortfall = tokensPerMinute > 0 ? max(0, tokenThreshold - tokenTokens) : 0
      if requestShortfall == 0 && tokenShortfall == 0 {
        if requestsPerMinute > 0 { requestTokens -= 1 }
        if tokensPerMinute > 0 { tokenTokens -= tokens }
        return
      }
      let waitRequests = requestsPerMinute > 0 ? requestShortfall / requestsPerMinute * 60 : 0
      let waitTokens = tokensPerMinute > 0 ? tokenShortfall / tokensPerMinute * 60 : 0
      let seconds = max(waitRequests, waitTokens, 0.001)
      try? await clock.sleep(for: .microseconds(Int64(seconds * 1_000_000)))
    }
  }

  private func refill() {
    let now = clock.now
    let elapsed = (now - lastRefill).milliseconds / 1_000
    lastRefill = now
    if requestsPerMinute > 0 {
      requestTokens = min(requestCapacity, requestTokens + elapsed * requestsPerMinute / 60)
    }
    if tokensPerMinute > 0 { tokenTokens = min(tokenCapacity, tokenTokens + elapsed * tokensPerMinute / 60) }
  }
}
