import LTBCore

/// A token with its log-probability and alternatives, as OpenAI, Ollama and llama.cpp write it
/// (`token`, `logprob`, `top_logprobs`).
struct WireTokenLogprob: Decodable {
  struct Alternative: Decodable {
    var token: String
    var logprob: Double
  }

  var token: String
  var logprob: Double
  var topLogprobs: [Alternative]?

  var tokenLogprob: TokenLogprob {
    TokenLogprob(
      token: token, logprob: logprob,
      topAlternatives: (topLogprobs ?? []).map { .init(token: $0.token, logprob: $0.logprob) })
  }
}

/// Checks that an embeddings answer has one vector per input.
func checkedVectors(_ vectors: [[Double]], count: Int, endpoint: String) throws -> [[Double]] {
  guard vectors.count == count else {
    throw LTBError(.decoding, "\(endpoint): asked for \(count) vectors, got \(vectors.count)")
  }
  return vectors
}

/// Tool definitions as `[{"type": "function", "function": {...}}]`, the shape OpenAI, Cohere v2
/// and Ollama share.
func functionTools(_ tools: [ToolDefinition]) -> JSONValue {
  .array(
    tools.map { tool in
      var function: [String: JSONValue] = ["name": .string(tool.name), "parameters": tool.parameters]
      function.set("description", .text(tool.description))
      return ["type": "function", "function": .object(function)]
    })
}
