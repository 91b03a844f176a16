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

    /// Creates options.
    public init(
      timeToFirstToken: Duration = .milliseconds(20), interTokenLatency: Duration = .milliseconds(2),
      outputTokens: Int = 64,
      model: String = "fake-model"
    ) {
      self.timeToFirstToken = timeToFirstToken
      self.interTokenLatency = interTokenLatency
      self.outputTokens = outputTokens
      self.model = model
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
      let body = request.jsonBody ?? [:]
      let limit =
        (body["max_tokens"] as? Int) ?? (body["max_completion_tokens"] as? Int) ?? options.outputTokens
      let tokens = max(1, min(limit, options.outputTokens))
      let promptTokens = max(1, request.body.count / 4)
      let usage =
        #""usage":{"prompt_tokens":\#(promptTokens),"completion_tokens":\#(tokens),"total_tokens":\#(promptTokens + tokens)}"#
      let start = ContinuousClock.now
      if (body["stream"] as? Bool) == true {
        try await writer.head(
          status: 200, headers: [("Content-Type", "text/event-stream"), ("Cache-Control", "no-cache")])
        try await writer.write(
          #"data: {"id":"fake","object":"chat.completion.chunk","model":"\#(options.model)","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}"#
            + "\n\n")
        for index in 0..<tokens {
          try await Task.sleep(until: start + options.timeToFirstToken + options.interTokenLatency * index)
          try await writer.write(
            #"data: {"id":"fake","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"tok\#(index) "},"finish_reason":null}]}"#
              + "\n\n")
        }
        try await writer.write(
          #"data: {"id":"fake","object":"chat.completion.chunk","choices":[{"index":0,"delta":{},"finish_reason":"\#(tokens == limit ? "length" : "stop")"}]}"#
            + "\n\ndata: {\"id\":\"fake\",\"object\":\"chat.completion.chunk\",\"choices\":[],\(usage)}\n\ndata: [DONE]\n\n"
        )
      } else {
        try await Task.sleep(
          until: start + options.timeToFirstToken + options.interTokenLatency * (tokens - 1))
        let text = (0..<tokens).map { "tok\($0)" }.joined(separator: " ")
        try await writer.respond(
          status: 200,
          body:
            #"{"id":"fake","object":"chat.completion","model":"\#(options.model)","choices":[{"index":0,"message":{"role":"assistant","content":"\#(text)"},"finish_reason":"\#(tokens == limit ? "length" : "stop")"}],\#(usage)}"#
        )
      }
    }
  }
}
