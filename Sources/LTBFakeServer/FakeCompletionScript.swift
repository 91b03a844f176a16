import Foundation

/// The bytes of one fake OpenAI-compatible answer, shared by the test server and the fast
/// benchmark server so that both speak exactly the same stream.
struct FakeCompletionScript {
  let model: String
  let tokens: Int
  let promptTokens: Int
  let finishReason: String

  /// Reads what the request asks for: `stream`, and `max_tokens` (or `max_completion_tokens`)
  /// capped at the configured output length.
  init(requestBody: Data, outputTokens: Int, model: String) {
    let body = (try? JSONSerialization.jsonObject(with: requestBody)) as? [String: Any] ?? [:]
    let limit = (body["max_tokens"] as? Int) ?? (body["max_completion_tokens"] as? Int) ?? outputTokens
    self.model = model
    self.tokens = max(1, min(limit, outputTokens))
    self.promptTokens = max(1, requestBody.count / 4)
    self.finishReason = tokens == limit ? "length" : "stop"
    self.stream = (body["stream"] as? Bool) == true
  }

  /// Whether the answer is streamed.
  let stream: Bool

  private var usage: String {
    #""usage":{"prompt_tokens":\#(promptTokens),"completion_tokens":\#(tokens),"total_tokens":\#(promptTokens + tokens)}"#
  }

  /// The role-only first chunk (not content-bearing).
  var opening: String {
    #"data: {"id":"fake","object":"chat.completion.chunk","model":"\#(model)","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}"#
      + "\n\n"
  }

  /// The chunk of token `index`.
  func token(_ index: Int) -> String {
    #"data: {"id":"fake","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"tok\#(index) "},"finish_reason":null}]}"#
      + "\n\n"
  }

  /// The finish chunk, the usage chunk and `[DONE]`.
  var closing: String {
    #"data: {"id":"fake","object":"chat.completion.chunk","choices":[{"index":0,"delta":{},"finish_reason":"\#(finishReason)"}]}"#
      + "\n\ndata: {\"id\":\"fake\",\"object\":\"chat.completion.chunk\",\"choices\":[],\(usage)}\n\ndata: [DONE]\n\n"
  }

  /// The whole answer as one JSON object (not streamed).
  var completion: String {
    let text = (0..<tokens).map { "tok\($0)" }.joined(separator: " ")
    return
      #"{"id":"fake","object":"chat.completion","model":"\#(model)","choices":[{"index":0,"message":{"role":"assistant","content":"\#(text)"},"finish_reason":"\#(finishReason)"}],\#(usage)}"#
  }
}
