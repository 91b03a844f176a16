/// Scores responses for some assertion types. Built-in metrics, LLM judges and (later) WASM
/// plugins are all evaluators: an id, a version, and a function from an assertion and a response
/// to an outcome.
public protocol Evaluator: Sendable {
  /// A stable id (part of the cache key).
  var id: String { get }
  /// Bumped whenever the evaluator's scores could change (part of the cache key).
  var version: Int { get }
  /// The assertion types it handles.
  var types: [String] { get }
  /// Whether outcomes are worth caching (judges and embeddings are; string checks are not).
  var cacheable: Bool { get }
  /// Scores one response for one (non-negated) assertion. Never throws: failures are `.error`
  /// outcomes with the reason.
  func evaluate(_ assertion: AssertionSpec, _ input: EvaluationInput) async -> EvaluationOutcome
  /// What besides the assertion and the input determines the outcome (judge model and
  /// parameters), for the cache key.
  func cacheKeyParts(_ assertion: AssertionSpec) -> [String]
}

extension Evaluator {
  /// No extra key parts.
  public func cacheKeyParts(_ assertion: AssertionSpec) -> [String] { [] }
}
