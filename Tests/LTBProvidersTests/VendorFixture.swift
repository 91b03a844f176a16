import Foundation
import LTBCore
import LTBFakeServer
import LTBProviders
import Testing

/// One vendor's documented wire format, replayed by the loopback server in contract tests.
struct VendorFixture: Sendable, CustomTestStringConvertible {
  var kind: ProviderKind
  var model: String
  /// Appended to the server address to make the provider's base URL.
  var basePath: String
  /// The path of a chat request, streamed or not.
  var chatPath: @Sendable (_ stream: Bool) -> String
  /// Headers every request must carry.
  var expectedHeaders: [(String, String)]
  var plainBody: String
  /// The stream, in the pieces the server writes with a pause between them.
  var streamPieces: [String]
  var streamContentType: String
  /// A JSON error body in the vendor's format.
  var errorBody: @Sendable (_ status: Int, _ message: String) -> String
  /// An error event in the middle of a stream, in the vendor's format.
  var midStreamError: String
  /// Extra endpoints the provider calls before the chat request (llama.cpp's chat template).
  var auxiliary: @Sendable (RecordedRequest) -> String? = { _ in nil }

  var testDescription: String { kind.rawValue }

  static let apiKey = "sk-test-0123456789abcdef"

  func settings(server: LoopbackHTTPServer) -> ProviderSettings {
    ProviderSettings(
      name: "test-\(kind.rawValue)", kind: kind, baseURL: server.baseURL + basePath,
      apiKey: Secret(Self.apiKey),
      apiKeyOrigin: "environment variable TEST_KEY", connectTimeout: .seconds(2),
      firstByteTimeout: .seconds(3),
      totalTimeout: .seconds(10), maxRetries: 2, retryBaseDelay: .milliseconds(20),
      retryMaxDelay: .seconds(2),
      defaultModel: model)
  }

  /// Every vendor, in its documented format.
  static let all: [VendorFixture] = [
    openAI, anthropic, gemini, cohere, mistral, ollama, llamaCpp, openAICompatible,
  ]

  static let openAIPlain = """
    {"id":"chatcmpl-1","object":"chat.completion","created":1730000000,"model":"MODEL","choices":[{"index":0,\
    "message":{"role":"assistant","content":"Hello there","refusal":null},"logprobs":null,"finish_reason":"stop"}],\
    "usage":{"prompt_tokens":12,"completion_tokens":2,"total_tokens":14,"prompt_tokens_details":{"cached_tokens":4},\
    "completion_tokens_details":{"reasoning_tokens":0}}}
    """

  static func openAIStream(model: String, usageInLastChunk: Bool) -> [String] {
    let usage =
      #""usage":{"prompt_tokens":12,"completion_tokens":2,"total_tokens":14,"prompt_tokens_details":{"cached_tokens":4}}"#
    var pieces = [
      #"data: {"id":"chatcmpl-1","object":"chat.completion.chunk","model":"\#(model)","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}"#
        + "\n\n",
      #"data: {"id":"chatcmpl-1","object":"chat.completion.chunk","model":"\#(model)","choices":[{"index":0,"delta":{"content":"Hello"},"finish_reason":null}]}"#
        + "\n\n",
      ": keep-alive comment\n\n"
        + #"data: {"id":"chatcmpl-1","object":"chat.completion.chunk","model":"\#(model)","choices":[{"index":0,"delta":{"content":" there"},"finish_reason":null}]}"#
        + "\n\n",
    ]
    if usageInLastChunk {
      pieces.append(
        #"data: {"id":"chatcmpl-1","object":"chat.completion.chunk","model":"\#(model)","choices":[{"index":0,"delta":{"content":""},"finish_reason":"stop"}],\#(usage)}"#
          + "\n\n")
    } else {
      pieces.append(
        #"data: {"id":"chatcmpl-1","object":"chat.completion.chunk","model":"\#(model)","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"#
          + "\n\n")
      pieces.append(
        #"data: {"id":"chatcmpl-1","object":"chat.completion.chunk","model":"\#(model)","choices":[],\#(usage)}"#
          + "\n\n")
    }
    pieces.append("data: [DONE]\n\n")
    return pieces
  }

  static let openAIError: @Sendable (Int, String) -> String = { status, message in
    #"{"error":{"message":"\#(message)","type":"\#(status == 429 ? "rate_limit_exceeded" : "invalid_request_error")","param":null,"code":null}}"#
  }

  static let openAI = VendorFixture(
    kind: .openai, model: "gpt-4.1-mini", basePath: "/v1", chatPath: { _ in "/v1/chat/completions" },
    expectedHeaders: [("authorization", "Bearer \(apiKey)"), ("content-type", "application/json")],
    plainBody: openAIPlain.replacingOccurrences(of: "MODEL", with: "gpt-4.1-mini-2025-04-14"),
    streamPieces: openAIStream(model: "gpt-4.1-mini-2025-04-14", usageInLastChunk: false),
    streamContentType: "text/event-stream", errorBody: openAIError,
    midStreamError:
      #"data: {"error":{"message":"The server had an error while processing your request.","type":"server_error"}}"#
      + "\n\n")

  static let mistral = VendorFixture(
    kind: .mistral, model: "mistral-small-latest", basePath: "/v1", chatPath: { _ in "/v1/chat/completions" },
    expectedHeaders: [("authorization", "Bearer \(apiKey)")],
    plainBody: openAIPlain.replacingOccurrences(of: "MODEL", with: "mistral-small-latest"),
    streamPieces: openAIStream(model: "mistral-small-latest", usageInLastChunk: true),
    streamContentType: "text/event-stream",
    errorBody: { _, message in
      #"{"object":"error","message":"\#(message)","type":"invalid_request_error","param":null,"code":null}"#
    },
    midStreamError:
      #"data: {"object":"error","message":"Service unavailable","type":"internal_server_error"}"# + "\n\n")

  static let openAICompatible = VendorFixture(
    kind: .openaiCompatible, model: "meta-llama/Llama-3.1-8B-Instruct", basePath: "/v1",
    chatPath: { _ in "/v1/chat/completions" }, expectedHeaders: [("authorization", "Bearer \(apiKey)")],
    plainBody: openAIPlain.replacingOccurrences(of: "MODEL", with: "meta-llama/Llama-3.1-8B-Instruct"),
    streamPieces: openAIStream(model: "meta-llama/Llama-3.1-8B-Instruct", usageInLastChunk: false),
    streamContentType: "text/event-stream", errorBody: openAIError,
    midStreamError: #"data: {"error":{"message":"engine died","type":"server_error","code":500}}"# + "\n\n")

  static let anthropic = VendorFixture(
    kind: .anthropic, model: "claude-haiku-4-5", basePath: "", chatPath: { _ in "/v1/messages" },
    expectedHeaders: [("x-api-key", apiKey), ("anthropic-version", "2023-06-01")],
    plainBody: """
      {"id":"msg_01","type":"message","role":"assistant","model":"claude-haiku-4-5-20251001","content":[{"type":"text",\
      "text":"Hello there"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":8,\
      "cache_read_input_tokens":4,"output_tokens":2}}
      """,
    streamPieces: [
      "event: message_start\n"
        + #"data: {"type":"message_start","message":{"id":"msg_01","type":"message","role":"assistant","model":"claude-haiku-4-5-20251001","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":8,"cache_read_input_tokens":4,"output_tokens":1}}}"#
        + "\n\n"
        + "event: content_block_start\n"
        + #"data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"#
        + "\n\n"
        + "event: ping\n" + #"data: {"type": "ping"}"# + "\n\n",
      "event: content_block_delta\n"
        + #"data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}"#
        + "\n\n",
      "event: content_block_delta\n"
        + #"data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" there"}}"#
        + "\n\n",
      "event: content_block_stop\n" + #"data: {"type":"content_block_stop","index":0}"# + "\n\n"
        + "event: message_delta\n"
        + #"data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":2}}"#
        + "\n\n"
        + "event: message_stop\n" + #"data: {"type":"message_stop"}"# + "\n\n",
    ],
    streamContentType: "text/event-stream",
    errorBody: { status, message in
      let type =
        status == 429
        ? "rate_limit_error"
        : status == 401 ? "authentication_error" : status >= 500 ? "api_error" : "invalid_request_error"
      return #"{"type":"error","error":{"type":"\#(type)","message":"\#(message)"}}"#
    },
    midStreamError: "event: error\n"
      + #"data: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"# + "\n\n")

  static let gemini = VendorFixture(
    kind: .gemini, model: "gemini-2.5-flash", basePath: "/v1beta",
    chatPath: { stream in
      stream
        ? "/v1beta/models/gemini-2.5-flash:streamGenerateContent"
        : "/v1beta/models/gemini-2.5-flash:generateContent"
    },
    expectedHeaders: [("x-goog-api-key", apiKey)],
    plainBody: """
      {"candidates":[{"content":{"parts":[{"text":"Hello there"}],"role":"model"},"finishReason":"STOP","index":0}],\
      "usageMetadata":{"promptTokenCount":12,"candidatesTokenCount":2,"totalTokenCount":14,"cachedContentTokenCount":4},\
      "modelVersion":"gemini-2.5-flash","responseId":"resp-1"}
      """,
    streamPieces: [
      #"data: {"candidates":[{"content":{"parts":[{"text":"Hello"}],"role":"model"},"index":0}],"usageMetadata":{"promptTokenCount":12,"totalTokenCount":12},"modelVersion":"gemini-2.5-flash","responseId":"resp-1"}"#
        + "\r\n\r\n",
      #"data: {"candidates":[{"content":{"parts":[{"text":" there"}],"role":"model"},"index":0}],"usageMetadata":{"promptTokenCount":12,"totalTokenCount":12},"modelVersion":"gemini-2.5-flash","responseId":"resp-1"}"#
        + "\r\n\r\n",
      #"data: {"candidates":[{"content":{"parts":[{"text":""}],"role":"model"},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":12,"candidatesTokenCount":2,"totalTokenCount":14,"cachedContentTokenCount":4},"modelVersion":"gemini-2.5-flash","responseId":"resp-1"}"#
        + "\r\n\r\n",
    ],
    streamContentType: "text/event-stream",
    errorBody: { status, message in
      let state =
        status == 429
        ? "RESOURCE_EXHAUSTED"
        : status == 401 ? "UNAUTHENTICATED" : status >= 500 ? "INTERNAL" : "INVALID_ARGUMENT"
      return #"{"error":{"code":\#(status),"message":"\#(message)","status":"\#(state)"}}"#
    },
    midStreamError:
      #"data: {"error":{"code":500,"message":"Internal error encountered.","status":"INTERNAL"}}"#
      + "\r\n\r\n")

  static let cohere = VendorFixture(
    kind: .cohere, model: "command-a-03-2025", basePath: "", chatPath: { _ in "/v2/chat" },
    expectedHeaders: [("authorization", "Bearer \(apiKey)")],
    plainBody: """
      {"id":"c-1","finish_reason":"COMPLETE","message":{"role":"assistant","content":[{"type":"text","text":"Hello there"}]},\
      "usage":{"billed_units":{"input_tokens":12,"output_tokens":2},"tokens":{"input_tokens":12,"output_tokens":2}}}
      """,
    streamPieces: [
      "event: message-start\n"
        + #"data: {"id":"c-1","type":"message-start","delta":{"message":{"role":"assistant","content":[],"tool_plan":"","tool_calls":[],"citations":[]}}}"#
        + "\n\n"
        + "event: content-start\n"
        + #"data: {"type":"content-start","index":0,"delta":{"message":{"content":{"type":"text","text":""}}}}"#
        + "\n\n",
      "event: content-delta\n"
        + #"data: {"type":"content-delta","index":0,"delta":{"message":{"content":{"text":"Hello"}}}}"#
        + "\n\n",
      "event: content-delta\n"
        + #"data: {"type":"content-delta","index":0,"delta":{"message":{"content":{"text":" there"}}}}"#
        + "\n\n",
      "event: content-end\n" + #"data: {"type":"content-end","index":0}"# + "\n\n"
        + "event: message-end\n"
        + #"data: {"type":"message-end","delta":{"finish_reason":"COMPLETE","usage":{"billed_units":{"input_tokens":12,"output_tokens":2},"tokens":{"input_tokens":12,"output_tokens":2}}}}"#
        + "\n\n",
    ],
    streamContentType: "text/event-stream",
    errorBody: { _, message in #"{"id":"e-1","message":"\#(message)"}"# },
    midStreamError: "event: message-end\n"
      + #"data: {"type":"message-end","delta":{"error":"internal server error","finish_reason":"ERROR"}}"#
      + "\n\n")

  static let ollama = VendorFixture(
    kind: .ollama, model: "llama3.2", basePath: "", chatPath: { _ in "/api/chat" },
    expectedHeaders: [("content-type", "application/json")],
    plainBody: """
      {"model":"llama3.2","created_at":"2025-06-01T10:00:00.000Z","message":{"role":"assistant","content":"Hello there"},\
      "done_reason":"stop","done":true,"total_duration":5000000,"load_duration":1000000,"prompt_eval_count":12,\
      "prompt_eval_duration":2000000,"eval_count":2,"eval_duration":1500000}
      """,
    streamPieces: [
      #"{"model":"llama3.2","created_at":"2025-06-01T10:00:00.000Z","message":{"role":"assistant","content":"Hello"},"done":false}"#
        + "\n",
      #"{"model":"llama3.2","created_at":"2025-06-01T10:00:00.010Z","message":{"role":"assistant","content":" there"},"done":false}"#
        + "\n",
      #"{"model":"llama3.2","created_at":"2025-06-01T10:00:00.020Z","message":{"role":"assistant","content":""},"done_reason":"stop","done":true,"total_duration":5000000,"load_duration":1000000,"prompt_eval_count":12,"prompt_eval_duration":2000000,"eval_count":2,"eval_duration":1500000}"#,
    ],
    streamContentType: "application/x-ndjson",
    errorBody: { _, message in #"{"error":"\#(message)"}"# },
    midStreamError: #"{"error":"an error was encountered while running the model: unexpected EOF"}"# + "\n")

  static let llamaCpp = VendorFixture(
    kind: .llamacpp, model: "smollm2-135m-instruct", basePath: "", chatPath: { _ in "/completion" },
    expectedHeaders: [("content-type", "application/json")],
    plainBody: """
      {"index":0,"content":"Hello there","tokens":[],"id_slot":0,"stop":true,"model":"model.gguf","tokens_predicted":2,\
      "tokens_evaluated":12,"stop_type":"eos","stopping_word":"","tokens_cached":13,"timings":{"cache_n":0,"prompt_n":12,\
      "prompt_ms":5.5,"predicted_n":2,"predicted_ms":4.25}}
      """,
    streamPieces: [
      #"data: {"index":0,"content":"Hello","tokens":[19556],"stop":false,"id_slot":-1,"tokens_predicted":1,"tokens_evaluated":12}"#
        + "\n\n",
      #"data: {"index":0,"content":" there","tokens":[905],"stop":false,"id_slot":-1,"tokens_predicted":2,"tokens_evaluated":12}"#
        + "\n\n",
      #"data: {"index":0,"content":"","tokens":[],"id_slot":0,"stop":true,"model":"model.gguf","tokens_predicted":2,"tokens_evaluated":12,"stop_type":"eos","timings":{"cache_n":0,"prompt_n":12,"prompt_ms":5.5,"predicted_n":2,"predicted_ms":4.25}}"#
        + "\n\n",
    ],
    streamContentType: "text/event-stream",
    errorBody: { status, message in
      #"{"error":{"code":\#(status),"message":"\#(message)","type":"server_error"}}"#
    },
    midStreamError: #"data: {"error":{"code":500,"message":"slot unavailable","type":"server_error"}}"#
      + "\n\n",
    auxiliary: { request in
      request.path == "/apply-template"
        ? #"{"prompt":"<|im_start|>user\nSay hello<|im_end|>\n<|im_start|>assistant\n"}"# : nil
    })
}
