import Foundation
public import LTBCore

/// Perplexity from the response's real token logprobs, and readability. Perplexity is
/// exp(−mean logprob) over the generated tokens the provider scored; its score is the geometric
/// mean token probability exp(mean logprob) in [0, 1]; with a threshold it passes at or below
/// it. Without logprobs it is unavailable, never estimated. Readability passes when Flesch
/// reading ease is at least `threshold` (and the grade at most `max-grade`).
public struct SignalEvaluator: Evaluator {
  /// The evaluator's id.
  public let id = "signals"
  /// The evaluator's version.
  public let version = 1
  /// The assertion types it handles.
  public let types = ["perplexity", "readability"]
  /// Whether outcomes are cached.
  public let cacheable = false

  /// Creates the evaluator.
  public init() {}

  /// Scores one response for one assertion.
  public func evaluate(_ assertion: AssertionSpec, _ input: EvaluationInput) async -> EvaluationOutcome {
    switch assertion.type {
    case "perplexity":
      guard let logprobs = input.logprobs, !logprobs.isEmpty else {
        return .unavailable(
          "no token logprobs were returned for this response (the provider does not support them, or the run did not ask)"
        )
      }
      let mean = logprobs.reduce(0.0) { $0 + $1.logprob } / Double(logprobs.count)
      let perplexity = exp(-mean)
      let passed = assertion.threshold.map { perplexity <= $0 } ?? true
      return .scored(
        exp(mean), passed: passed, value: perplexity, threshold: assertion.threshold,
        String(format: "perplexity %.3f over %d tokens", perplexity, logprobs.count)
          + (assertion.threshold.map { String(format: " (at most %.3f)", $0) } ?? ""),
        details: ["tokens": .int(logprobs.count), "meanLogprob": .double(mean)])
    case "readability":
      guard let measured = Readability(input.response) else {
        return .unavailable("the response has no words")
      }
      let minimumEase = assertion.threshold ?? -.infinity
      let maximumGrade = assertion.number("max-grade") ?? .infinity
      let passed = measured.readingEase >= minimumEase && measured.grade <= maximumGrade
      return .scored(
        measured.readingEase / 100, passed: passed, value: measured.readingEase,
        threshold: assertion.threshold,
        String(
          format: "Flesch reading ease %.1f, grade %.1f (a readability signal, not a judgement)",
          measured.readingEase, measured.grade),
        details: [
          "grade": .double(measured.grade), "words": .int(measured.words),
          "sentences": .int(measured.sentences),
          "syllables": .int(measured.syllables),
        ])
    default:
      return .error("the signal evaluator does not handle '\(assertion.type)'")
    }
  }
}
