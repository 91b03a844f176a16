import Foundation
import LTBCore
import Testing

/// Timing follows docs/metrics.md: TTFT and E2E from content events, TPOT over output tokens − 1,
/// ITL as every gap, schedule lag from the schedule.
@Suite("Request timing")
struct TimingTests {
  let timing = RequestTiming(
    scheduledOffsetNanos: -2_000_000,
    contentEventOffsetsNanos: [100_000_000, 130_000_000, 150_000_000, 200_000_000],
    endOffsetNanos: 210_000_000)

  @Test("TTFT, E2E, total, ITL and schedule figures")
  func figures() {
    #expect(timing.timeToFirstToken == .milliseconds(100))
    #expect(timing.endToEndLatency == .milliseconds(200))
    #expect(timing.totalDuration == .milliseconds(210))
    #expect(timing.interTokenLatencies == [.milliseconds(30), .milliseconds(20), .milliseconds(50)])
    #expect(timing.scheduleLag == .milliseconds(2))
    #expect(timing.latencyFromSchedule == .milliseconds(202))
  }

  @Test("TPOT divides by output tokens − 1 and is undefined for one token")
  func timePerOutputToken() {
    #expect(timing.timePerOutputToken(outputTokens: 11) == .milliseconds(10))
    #expect(timing.timePerOutputToken(outputTokens: 1) == nil)
    #expect(
      RequestTiming(contentEventOffsetsNanos: [], endOffsetNanos: 5).timePerOutputToken(outputTokens: 10)
        == nil)
    #expect(
      RequestTiming(contentEventOffsetsNanos: [7], endOffsetNanos: 9).timePerOutputToken(outputTokens: 10)
        == nil)
  }

  @Test("no content: no TTFT, no ITL, but a total")
  func noContent() {
    let empty = RequestTiming(contentEventOffsetsNanos: [], endOffsetNanos: 42)
    #expect(empty.timeToFirstToken == nil)
    #expect(empty.endToEndLatency == nil)
    #expect(empty.interTokenLatencies.isEmpty)
    #expect(empty.scheduleLag == nil)
    #expect(empty.totalDuration == .nanoseconds(42))
  }

  @Test("Duration helpers")
  func durationHelpers() {
    #expect(Duration.milliseconds(1_500).milliseconds == 1_500)
    #expect(Duration.microseconds(2_500).nanoseconds == 2_500_000)
  }
}

@Suite("Response accumulation")
struct ResponseAccumulatorTests {
  @Test("content events are timed; role-only, usage and metadata events are not")
  func contentTiming() {
    let sent = ContinuousClock.now
    var accumulator = ResponseAccumulator(sentAt: sent, scheduledAt: sent - .milliseconds(3))
    let events: [(StreamEvent, Duration)] = [
      (.metadata(responseID: "r1", model: "m-2025"), .milliseconds(5)),
      (.text(""), .milliseconds(6)),
      (.text("Hel"), .milliseconds(10)),
      (.reasoning("think"), .milliseconds(12)),
      (.text("lo"), .milliseconds(20)),
      (.finish(.stop), .milliseconds(21)),
      (.usage(Usage(inputTokens: 5, outputTokens: 3)), .milliseconds(25)),
    ]
    for (event, offset) in events {
      accumulator.add(TimedStreamEvent(event: event, receivedAt: sent + offset))
    }
    let response = accumulator.finish(
      provider: "p", requestedModel: "m", endAt: sent + .milliseconds(26), streamed: true, attempts: 1,
      fallbackUsage: nil,
      pricing: ModelPricing(inputPerMillion: 1_000_000, outputPerMillion: 2_000_000))
    #expect(response.text == "Hello")
    #expect(response.reasoning == "think")
    #expect(response.model == "m-2025")
    #expect(response.responseID == "r1")
    #expect(response.timing.contentEventOffsetsNanos == [10_000_000, 12_000_000, 20_000_000])
    #expect(response.timing.endOffsetNanos == 26_000_000)
    #expect(response.timing.scheduleLag == .milliseconds(3))
    #expect(response.cost == Cost(input: 5, output: 6))
  }

  @Test("tool call fragments assemble per index")
  func toolCalls() {
    let sent = ContinuousClock.now
    var accumulator = ResponseAccumulator(sentAt: sent)
    let events: [StreamEvent] = [
      .toolCall(index: 1, id: "b", name: "second", argumentsDelta: "{}"),
      .toolCall(index: 0, id: "a", name: "first", argumentsDelta: "{\"x\""),
      .toolCall(index: 0, id: nil, name: nil, argumentsDelta: ":1}"),
    ]
    for event in events { accumulator.add(TimedStreamEvent(event: event, receivedAt: sent)) }
    let response = accumulator.finish(
      provider: "p", requestedModel: "m", endAt: sent, streamed: true, attempts: 1,
      fallbackUsage: Usage(inputTokens: 1, outputTokens: 1, source: .estimated), pricing: nil)
    #expect(
      response.toolCalls == [
        ToolCall(id: "a", name: "first", arguments: "{\"x\":1}"),
        ToolCall(id: "b", name: "second", arguments: "{}"),
      ])
    #expect(response.usage.source == .estimated)
    #expect(response.cost == nil)
  }
}

@Suite("Pricing, errors, secrets")
struct CoreValueTests {
  @Test("cost per million tokens, cached input at its own price or the input price")
  func cost() {
    let pricing = ModelPricing(inputPerMillion: 2, outputPerMillion: 8, cachedInputPerMillion: 0.5)
    let usage = Usage(inputTokens: 1_000_000, outputTokens: 500_000, cachedInputTokens: 200_000)
    #expect(pricing.cost(of: usage) == Cost(input: 1.6, cachedInput: 0.1, output: 4))
    #expect(abs(pricing.cost(of: usage).total - 5.7) < 1e-12)
    let noCachePrice = ModelPricing(inputPerMillion: 2, outputPerMillion: 8)
    #expect(noCachePrice.cost(of: usage).cachedInput == 0.4)
  }

  @Test(
    "every error code maps to an exit code, an HTTP status and a GraphQL code",
    arguments: LTBError.Code.allCases)
  func codeMapping(code: LTBError.Code) {
    #expect(code.exitCode != 0)
    #expect((400...599).contains(code.httpStatus))
    #expect(code.graphQLCode == code.graphQLCode.uppercased())
    #expect(!code.graphQLCode.hasPrefix("_"))
  }

  @Test("GraphQL codes are screaming snake case")
  func graphQLCodes() {
    #expect(LTBError.Code.rateLimited.graphQLCode == "RATE_LIMITED")
    #expect(LTBError.Code.contextTooLong.graphQLCode == "CONTEXT_TOO_LONG")
    #expect(LTBError.Code.timeout.graphQLCode == "TIMEOUT")
    #expect(LTBError.Code.authentication.graphQLCode == "UNAUTHENTICATED")
    #expect(LTBError.Code.permissionDenied.graphQLCode == "FORBIDDEN")
  }

  @Test("secrets never print and are redacted from text")
  func secrets() {
    let secret = Secret("sk-live-abcdef")
    #expect("\(secret)" == "<redacted>")
    #expect(String(reflecting: secret) == "<redacted>")
    #expect(secret.redact("key sk-live-abcdef rejected") == "key <redacted> rejected")
  }

  @Test("JSON values round-trip, keeping integers apart from fractions")
  func jsonRoundTrip() throws {
    let value: JSONValue = ["a": 1, "b": 1.5, "c": [true, nil, "x"], "d": ["e": -3]]
    let text = value.canonicalText()
    #expect(text == #"{"a":1,"b":1.5,"c":[true,null,"x"],"d":{"e":-3}}"#)
    #expect(try JSONValue.parse(Data(text.utf8)) == value)
  }
}
