import Foundation
import LTBCore
import LTBFakeServer
import LTBProviders
import NIOConcurrencyHelpers
import Testing

/// Each vendor against a loopback server replaying its documented responses: plain and
/// streamed answers, usage, errors, retries, a cut stream and timeouts.
@Suite("Provider contracts")
struct ProviderContractTests {
  @Test("plain completion: text, usage, cost, and the exact request", arguments: VendorFixture.all)
  func plainCompletion(fixture: VendorFixture) async throws {
    try await withVendor(fixture, handler: plainHandler(fixture)) { provider, server in
      let response = try await provider.complete(helloRequest)
      #expect(response.text == "Hello there")
      #expect(response.usage.inputTokens == 12)
      #expect(response.usage.outputTokens == 2)
      #expect(response.usage.source == .reported)
      #expect(response.finishReason == .stop)
      #expect(response.streamed == false)
      #expect(response.attempts == 1)
      #expect(response.cost == testPricing.cost(of: response.usage))
      #expect((response.cost?.total ?? 0) > 0)
      #expect(response.timing.contentEventOffsetsNanos.count == 1)
      let requests = chatRequests(server, fixture)
      #expect(requests.count == 1)
      let request = try #require(requests.first)
      #expect(request.method == "POST")
      #expect(request.path == fixture.chatPath(false))
      for (name, value) in fixture.expectedHeaders {
        #expect(request.header(name) == value, "header \(name)")
      }
      let body = try #require(request.jsonBody)
      if ![ProviderKind.gemini, .llamacpp].contains(fixture.kind) {
        #expect(body["model"] as? String == fixture.model)
      }
      #expect((body["stream"] as? Bool) != true)
    }
  }

  @Test(
    "streamed completion: content events timed on arrival, role-only and usage chunks ignored",
    arguments: VendorFixture.all)
  func streamedCompletion(fixture: VendorFixture) async throws {
    try await withVendor(fixture, handler: streamHandler(fixture, pause: .milliseconds(150))) {
      provider, server in
      let seen = EventLog()
      let response = try await provider.stream(helloRequest) { seen.append($0.event) }
      #expect(response.text == "Hello there")
      #expect(response.streamed)
      #expect(response.usage.inputTokens == 12)
      #expect(response.usage.outputTokens == 2)
      #expect(response.finishReason == .stop)
      let timing = response.timing
      #expect(timing.contentEventOffsetsNanos.count == 2)
      let ttft = try #require(timing.timeToFirstToken)
      let e2e = try #require(timing.endToEndLatency)
      #expect(ttft > .zero)
      #expect(e2e - ttft >= .milliseconds(75), "the two content pieces were written 150 ms apart")
      #expect(timing.interTokenLatencies.count == 1)
      #expect(timing.totalDuration >= e2e)
      #expect(seen.events.filter(\.isContentBearing).count == 2)
      let request = try #require(chatRequests(server, fixture).first)
      #expect(request.path == fixture.chatPath(true))
      if fixture.kind == .gemini { #expect(request.uri.hasSuffix("?alt=sse")) }
      let body = try #require(request.jsonBody)
      if fixture.kind != .gemini { #expect(body["stream"] as? Bool == true) }
      if [.openai, .openaiCompatible].contains(fixture.kind) {
        #expect((body["stream_options"] as? [String: Any])?["include_usage"] as? Bool == true)
      }
    }
  }

  @Test(
    "401 is an authentication error that names the key's source and is not retried",
    arguments: VendorFixture.all)
  func unauthorized(fixture: VendorFixture) async throws {
    try await withVendor(
      fixture,
      handler: { _, writer in
        try await writer.respond(status: 401, body: fixture.errorBody(401, "Invalid API key provided"))
      }
    ) { provider, server in
      let error = await expectLTBError { _ = try await provider.complete(helloRequest) }
      #expect(error?.code == .authentication)
      #expect(error?.message.contains("Invalid API key provided") == true)
      #expect(error?.fix?.contains("TEST_KEY") == true)
      #expect(chatRequests(server, fixture).count == 1)
    }
  }

  @Test("429 with Retry-After is retried after the delay the server asked for", arguments: VendorFixture.all)
  func rateLimitedThenSucceeds(fixture: VendorFixture) async throws {
    let handler = failingThenPlain(fixture, failures: [(429, [("Retry-After", "1")])])
    try await withVendor(fixture, handler: handler) { provider, server in
      let start = ContinuousClock.now
      let response = try await provider.complete(helloRequest)
      #expect(ContinuousClock.now - start >= .milliseconds(950))
      #expect(response.text == "Hello there")
      #expect(response.attempts == 2)
      #expect(chatRequests(server, fixture).count == 2)
    }
  }

  @Test(
    "429 asking for longer than retry_max_delay fails at once, carrying the delay",
    arguments: VendorFixture.all)
  func rateLimitedBeyondMaxDelay(fixture: VendorFixture) async throws {
    let handler = failingThenPlain(fixture, failures: [(429, [("Retry-After", "120")])])
    try await withVendor(fixture, handler: handler) { provider, server in
      let start = ContinuousClock.now
      let error = await expectLTBError { _ = try await provider.complete(helloRequest) }
      #expect(ContinuousClock.now - start < .seconds(1))
      #expect(error?.code == .rateLimited)
      #expect(error?.retryAfter == .seconds(120))
      #expect(chatRequests(server, fixture).count == 1)
    }
  }

  @Test("500 then success: retried with backoff", arguments: VendorFixture.all)
  func serverErrorThenSucceeds(fixture: VendorFixture) async throws {
    try await withVendor(fixture, handler: failingThenPlain(fixture, failures: [(500, [])])) {
      provider, server in
      let response = try await provider.complete(helloRequest)
      #expect(response.text == "Hello there")
      #expect(response.attempts == 2)
      #expect(chatRequests(server, fixture).count == 2)
    }
  }

  @Test("persistent 503 gives up after max_retries", arguments: VendorFixture.all)
  func serverErrorExhaustsRetries(fixture: VendorFixture) async throws {
    let handler = failingThenPlain(fixture, failures: Array(repeating: (503, []), count: 10))
    try await withVendor(fixture, handler: handler) { provider, server in
      let error = await expectLTBError { _ = try await provider.complete(helloRequest) }
      #expect(error?.code == .server)
      #expect(error?.remoteStatus == 503)
      #expect(chatRequests(server, fixture).count == 3)
    }
  }

  @Test("400 is not retried; a context-length complaint becomes contextTooLong", arguments: VendorFixture.all)
  func badRequests(fixture: VendorFixture) async throws {
    try await withVendor(
      fixture,
      handler: { _, writer in
        try await writer.respond(status: 400, body: fixture.errorBody(400, "Unknown parameter: foo"))
      }
    ) { provider, server in
      let error = await expectLTBError { _ = try await provider.complete(helloRequest) }
      #expect(error?.code == .invalidRequest)
      #expect(chatRequests(server, fixture).count == 1)
    }
    let message = "This model's maximum context length is 8192 tokens"
    try await withVendor(
      fixture,
      handler: { _, writer in try await writer.respond(status: 400, body: fixture.errorBody(400, message)) }
    ) { provider, _ in
      let error = await expectLTBError { _ = try await provider.complete(helloRequest) }
      #expect(error?.code == .contextTooLong)
    }
  }

  @Test("malformed JSON is a decoding error that quotes the payload", arguments: VendorFixture.all)
  func malformedJSON(fixture: VendorFixture) async throws {
    try await withVendor(
      fixture, handler: { _, writer in try await writer.respond(status: 200, body: #"{"choices": [ oops"#) }
    ) {
      provider, _ in
      let error = await expectLTBError { _ = try await provider.complete(helloRequest) }
      #expect(error?.code == .decoding)
      #expect(error?.message.contains("oops") == true)
    }
  }

  @Test("a stream cut in the middle is a network error and is not retried", arguments: VendorFixture.all)
  func streamCut(fixture: VendorFixture) async throws {
    let handler: LoopbackHTTPServer.Handler = { _, writer in
      try await writer.head(status: 200, headers: [("Content-Type", fixture.streamContentType)])
      try await writer.write(fixture.streamPieces[0])
      try await writer.write(String(fixture.streamPieces[1].prefix(15)))
      try await Task.sleep(for: .milliseconds(20))
      await writer.abort()
    }
    try await withVendor(fixture, handler: handler) { provider, server in
      let error = await expectLTBError { _ = try await provider.stream(helloRequest) { _ in } }
      #expect(error?.code == .network)
      #expect(chatRequests(server, fixture).count == 1)
    }
  }

  @Test("a stream that ends cleanly but without its end marker is an error", arguments: VendorFixture.all)
  func streamWithoutEnd(fixture: VendorFixture) async throws {
    let pieces = Array(fixture.streamPieces.prefix(2))
    try await withVendor(fixture, handler: streamHandler(fixture, pause: .milliseconds(1), pieces: pieces)) {
      provider, _ in
      let error = await expectLTBError { _ = try await provider.stream(helloRequest) { _ in } }
      #expect(error?.code == .network)
      #expect(error?.message.contains("end-of-stream") == true)
    }
  }

  @Test("an error event in mid-stream fails the request without a retry", arguments: VendorFixture.all)
  func midStreamError(fixture: VendorFixture) async throws {
    let pieces = Array(fixture.streamPieces.prefix(2)) + [fixture.midStreamError]
    try await withVendor(fixture, handler: streamHandler(fixture, pause: .milliseconds(1), pieces: pieces)) {
      provider, server in
      let error = await expectLTBError { _ = try await provider.stream(helloRequest) { _ in } }
      #expect(error != nil)
      #expect([.server, .rateLimited].contains(error?.code))
      #expect(error?.message.contains("mid-stream") == true)
      #expect(chatRequests(server, fixture).count == 1)
    }
  }

  @Test("a slow first byte trips the first-byte timeout", arguments: VendorFixture.all)
  func slowFirstByte(fixture: VendorFixture) async throws {
    let handler: LoopbackHTTPServer.Handler = { _, writer in
      try await Task.sleep(for: .milliseconds(1_500))
      try await writer.respond(status: 200, body: fixture.plainBody)
    }
    try await withVendor(fixture, adjust: { $0.firstByteTimeout = .milliseconds(300) }, handler: handler) {
      provider, server in
      let start = ContinuousClock.now
      let error = await expectLTBError { _ = try await provider.complete(helloRequest) }
      #expect(error?.code == .timeout)
      #expect(error?.message.contains("first-byte") == true)
      #expect(ContinuousClock.now - start < .milliseconds(1_200))
      #expect(chatRequests(server, fixture).count == 1)
    }
  }
}

/// Collects stream events delivered on other threads.
final class EventLog: Sendable {
  private let storage = NIOLockedValueBox<[StreamEvent]>([])

  func append(_ event: StreamEvent) { storage.withLockedValue { $0.append(event) } }

  var events: [StreamEvent] { storage.withLockedValue { $0 } }
}
