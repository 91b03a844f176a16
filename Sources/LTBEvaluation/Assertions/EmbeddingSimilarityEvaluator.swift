public import LTBCore

/// Cosine similarity between the embeddings of the response and the expected answer (or
/// `value`), from any provider that embeds (llama.cpp, OpenAI, Gemini, Cohere, Mistral,
/// Ollama). Passes at or above `threshold` (default 0.8).
public struct EmbeddingSimilarityEvaluator: Evaluator {
  /// The evaluator's id.
  public let id = "embedding-similarity"
  /// The evaluator's version.
  public let version = 1
  /// The assertion types it handles.
  public let types = ["embedding-similarity"]
  /// Whether outcomes are cached.
  public let cacheable = true
  private let provider: (any Provider)?
  private let model: String?

  /// Uses `provider` (and `model`) to embed; without a provider every outcome is an error that
  /// says how to configure one.
  public init(provider: (any Provider)?, model: String?) {
    self.provider = provider
    self.model = model
  }

  /// What besides the inputs determines the outcome (for the cache key).
  public func cacheKeyParts(_ assertion: AssertionSpec) -> [String] {
    [provider?.name ?? "-", assertion.string("model") ?? model ?? "-"]
  }

  /// Scores one response for one assertion.
  public func evaluate(_ assertion: AssertionSpec, _ input: EvaluationInput) async -> EvaluationOutcome {
    guard let provider else {
      return .error(
        "no embedding provider is configured: set [evaluation] embedding_provider in the config or suite")
    }
    guard let expected = assertion.text ?? input.expected else {
      return .unavailable("no text to compare with: give 'value' or the case's expected answer")
    }
    do {
      let vectors = try await provider.embed(
        [input.response, expected], model: assertion.string("model") ?? model)
      guard vectors.count == 2, vectors[0].count == vectors[1].count, !vectors[0].isEmpty else {
        return .error("the provider returned \(vectors.count) embeddings of unequal or zero size")
      }
      let similarity = Self.cosine(vectors[0], vectors[1])
      let threshold = assertion.threshold ?? 0.8
      return .scored(
        max(0, similarity), passed: similarity >= threshold, value: similarity, threshold: threshold,
        "cosine similarity \(DeterministicEvaluator.format(similarity)) (need ≥ \(DeterministicEvaluator.format(threshold)))"
      )
    } catch {
      return .error("embedding failed: \(error)")
    }
  }

  /// Cosine of the angle between two vectors (0 when either is zero).
  public static func cosine(_ a: [Double], _ b: [Double]) -> Double {
    var dot = 0.0
    var normA = 0.0
    var normB = 0.0
    for index in a.indices {
      dot += a[index] * b[index]
      normA += a[index] * a[index]
      normB += b[index] * b[index]
    }
    guard normA > 0, normB > 0 else { return 0 }
    return dot / (normA.squareRoot() * normB.squareRoot())
  }
}
