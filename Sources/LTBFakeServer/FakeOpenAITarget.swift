import Foundation

/// A fake OpenAI-compatible chat server with a fixed time to first token, inter-token latency
/// and output length: the target that measures the load generator itself (`ltb fake-server`),
/// and the server of the engine's tests.
public enum FakeOpenAITarget {
  /// How the fake answers.
  public struct Options: Sendable {
    /// Delay before the first content chunk.
    public var timeToFirstToken: Duration
    /// Delay between content chunks.
    public var interTokenLatency: Duration
    /// Tokens per answer (one chunk each), unless the request's `max_tokens` asks for fewer.
    public var outputTokens: Int
    /// The model name reported.
    public var model: String
    /// A stretch of slow answers, to watch alerts fire and resolve (`ltb fake-server` only).
    public var slowPhase: SlowPhase?

    /// Creates options.
    public init(
      timeToFirstToken: Duration = .milliseconds(20), interTokenLatency: Duration = .milliseconds(2),
      outputTokens: Int = 64,
      model: String = "fake-model", slowPhase: SlowPhase? = nil
    ) {
      self.slowPhase = slowPhase
      self.timeToFirstToken = timeToFirstToken
      self.interTokenLatency = interTokenLatency
      self.outputTokens = outputTokens
      self.model = model
    }
  }

  /// Chat requests number `after` to `after + count - 1` (counted from 0 across connections)
  /// wait `timeToFirstToken` for their first token instead of the usual time.
  public struct SlowPhase: Sendable {
    /// Requests answered at the usual speed first.
    public var after: Int
    /// Slow requests.
    public var count: Int
    /// Their time to first token.
    public var timeToFirstToken: Duration

    /// Creates a slow phase.
    public init(after: Int, count: Int, timeToFirstToken: Duration) {
      self.after = after
      self.count = count
      self.timeToFirstToken = timeToFirstToken
    }
  }

  /// The handler answering `POST /v1/chat/completions` (and `GET /v1/models`, `/health`).
  public static func handler(_ options: Options) -> LoopbackHTTPServer.Handler {
    { request, writer in
      if request.method == "GET" {
        try await writer.respond(
          status: 200, body: #"{"object":"list","data":[{"id":"\#(options.model)","object":"model"}]}"#)
        return
      }
      guard request.path.hasSuffix("/chat/completions") else {
        try await writer.respond(
          status: 404,
          body: #"{"error":{"message":"unknown path \#(request.path)","type":"invalid_request_error"}}"#)
        return
      }
      // As OpenAI does, every answer names its request.
      let requestID = "req_fake_" + String(UInt64.random(in: 0...UInt64.max), radix: 16)
      let script = FakeCompletionScript(
        requestBody: request.body, outputTokens: options.outputTokens, model: options.model)
      let start = ContinuousClock.now
      if script.stream {
        try await writer.head(
          status: 200,
          headers: [
            ("Content-Type", "text/event-stream"), ("Cache-Control", "no-cache"), ("x-request-id", requestID),
          ])
        try await writer.write(script.opening)
        for index in 0..<script.tokens {
          try await Task.sleep(until: start + options.timeToFirstToken + options.interTokenLatency * index)
          try await writer.write(script.token(index))
        }
        try await writer.write(script.closing)
      } else {
        try await Task.sleep(
          until: start + options.timeToFirstToken + options.interTokenLatency * (script.tokens - 1))
        try await writer.respond(status: 200, headers: [("x-request-id", requestID)], body: script.completion)
      }
    }
  }
}
