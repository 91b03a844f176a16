import Foundation
import LTBCore
import LTBFakeServer
import LTBProviders
import Testing

@Suite("Retry policy and rate limiting")
struct RetryAndRateLimitTests {
  let policy = RetryPolicy(maxRetries: 3, baseDelay: .milliseconds(100), maxDelay: .seconds(1))

  @Test("only rate limits, server and network errors are retried", arguments: LTBError.Code.allCases)
  func retryableCodes(code: LTBError.Code) {
    let delay = policy.delay(beforeRetry: 1, after: LTBError(code, "x"), jitter: 1)
    #expect((delay != nil) == [.rateLimited, .server, .network].contains(code))
  }

  @Test("a refused connection fails at once with what to fix, not after the connect timeout")
  func connectionRefused() async throws {
    let port = try FreePort.find()
    let provider = OpenAICompatibleProvider(
      settings: ProviderSettings(
        name: "down", kind: .openaiCompatible, baseURL: "http://127.0.0.1:\(port)/v1",
        connectTimeout: .seconds(10), maxRetries: 0, defaultModel: "m"),
      catalog: ModelCatalog())
    let start = ContinuousClock.now
    do {
      _ = try await provider.complete(CompletionRequest(prompt: "x"))
      Issue.record("a request to a closed port succeeded")
    } catch let error as LTBError {
      #expect(error.code == .network)
      #expect(
        error.message.contains("nothing is listening at http://127.0.0.1:\(port)/v1"), "\(error.message)")
      #expect(error.fix?.contains("providers.down.base_url") == true)
    }
    #expect(ContinuousClock.now - start < .seconds(2), "not the 10 s connect timeout")
    await provider.shutdown()
  }

  @Test("the backoff doubles per attempt, is bounded, and stops after max_retries")
  func exponentialBackoff() {
    let error = LTBError(.server, "x")
    #expect(policy.delay(beforeRetry: 1, after: error, jitter: 1) == .milliseconds(100))
    #expect(policy.delay(beforeRetry: 2, after: error, jitter: 1) == .milliseconds(200))
    #expect(policy.delay(beforeRetry: 3, after: error, jitter: 1) == .milliseconds(400))
    #expect(policy.delay(beforeRetry: 4, after: error, jitter: 1) == nil)
    let long = RetryPolicy(maxRetries: 10, baseDelay: .milliseconds(100), maxDelay: .seconds(1))
    #expect(long.delay(beforeRetry: 8, after: error, jitter: 1) == .seconds(1))
    #expect(long.delay(beforeRetry: 2, after: error, jitter: 0.5) == .milliseconds(100))
  }

  @Test("Retry-After is honoured exactly, and one beyond max_delay gives up")
  func retryAfter() {
    #expect(
      policy.delay(
        beforeRetry: 1, after: LTBError(.rateLimited, "x", retryAfter: .milliseconds(700)), jitter: 1)
        == .milliseconds(700))
    #expect(
      policy.delay(beforeRetry: 1, after: LTBError(.rateLimited, "x", retryAfter: .seconds(5)), jitter: 1)
        == nil)
  }

  @Test("Retry-After parses seconds, milliseconds and HTTP dates")
  func retryAfterParsing() {
    #expect(
      HTTPErrorResponse(status: 429, headers: ["retry-after": "2"], body: .init()).retryAfter == .seconds(2))
    #expect(
      HTTPErrorResponse(status: 429, headers: ["retry-after-ms": "250"], body: .init()).retryAfter
        == .milliseconds(250))
    #expect(
      HTTPErrorResponse(status: 429, headers: ["retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"], body: .init())
        .retryAfter == .zero)
    #expect(HTTPErrorResponse(status: 429, headers: [:], body: .init()).retryAfter == nil)
  }

  @Test("requests per minute: after the one-second burst, requests are paced at the rate")
  func requestsPerMinute() async throws {
    let limiter = RateLimiter(requestsPerMinute: 1_200, tokensPerMinute: 0)
    let start = ContinuousClock.now
    for _ in 0..<60 { try await limiter.acquire(tokens: 0) }
    let elapsed = ContinuousClock.now - start
    // 20 in the initial burst, then 40 more at 20 per second. The upper bound is loose because
    // the test suite shares two cores with a running model; it still catches a minute-long wait.
    #expect(elapsed >= .milliseconds(1_900))
    #expect(elapsed < .seconds(15))
  }

  @Test("tokens per minute: a request larger than the bucket waits for it and leaves it in debt")
  func tokensPerMinute() async throws {
    let limiter = RateLimiter(requestsPerMinute: 0, tokensPerMinute: 6_000)
    let start = ContinuousClock.now
    try await limiter.acquire(tokens: 100)
    try await limiter.acquire(tokens: 100)
    let elapsed = ContinuousClock.now - start
    // The bucket holds 100 tokens and refills 100 per second: the second request waits about 1 s.
    #expect(elapsed >= .milliseconds(900))
    #expect(elapsed < .seconds(15))
  }

  @Test("a limit of zero never waits")
  func unlimited() async throws {
    let limiter = RateLimiter(requestsPerMinute: 0, tokensPerMinute: 0)
    let start = ContinuousClock.now
    for _ in 0..<10_000 { try await limiter.acquire(tokens: 1_000) }
    #expect(ContinuousClock.now - start < .seconds(1))
  }

  @Test("a provider with requests_per_minute spaces its requests on the wire")
  func providerObeysRateLimit() async throws {
    let fixture = VendorFixture.openAI
    try await withVendor(fixture, adjust: { $0.requestsPerMinute = 300 }, handler: plainHandler(fixture)) {
      provider, server in
      let start = ContinuousClock.now
      try await withThrowingTaskGroup(of: Void.self) { group in
        for _ in 0..<15 { group.addTask { _ = try await provider.complete(helloRequest) } }
        try await group.waitForAll()
      }
      // 5 at once, then 10 more at 5 per second.
      #expect(ContinuousClock.now - start >= .milliseconds(1_900))
      #expect(server.requests.count == 15)
    }
  }
}
