import Foundation
public import LTBCore

/// BLEU, chrF, ROUGE-1/2/L, WER and CER against the case's references (or expected answer),
/// computed exactly as sacrebleu, rouge-score and jiwer do. Thresholds are on each metric's own
/// scale (BLEU and chrF 0–100, ROUGE 0–1 F-measure, WER and CER as rates, at most the
/// threshold); the score is normalized to [0, 1] (WER and CER as 1 − rate, floored at 0).
/// `stem: true` turns on Porter stemming for ROUGE.
public struct TextOverlapEvaluator: Evaluator {
  /// The evaluator's id.
  public let id = "text-overlap"
  /// The evaluator's version.
  public let version = 1
  /// The assertion types it handles.
  public let types = AssertionCatalog.textOverlap
  /// Whether outcomes are cached.
  public let cacheable = false

  /// Creates the evaluator.
  public init() {}

  /// Scores one response for one assertion.
  public func evaluate(_ assertion: AssertionSpec, _ input: EvaluationInput) async -> EvaluationOutcome {
    let references = assertion.texts.isEmpty ? input.references : assertion.texts
    guard let first = references.first else {
      return .unavailable(
        "the case has no reference: give it 'expected' or 'references' (or the assertion a 'value')")
    }
    let hypothesis = input.response
    let value: Double
    let score: Double
    switch assertion.type {
    case "bleu":
      var bleu = BLEU()
      value = bleu.sentence(hypothesis, references: references).score
      score = value / 100
    case "chrf":
      var chrf = CHRF()
      value = chrf.sentence(hypothesis, references: references)
      score = value / 100
    case "rouge-1", "rouge-2", "rouge-l":
      var rouge = Rouge(stemming: assertion.options["stem"]?.boolValue ?? false)
      // Best F-measure over the references, as rouge-score's score_multi does.
      var best = 0.0
      for reference in references {
        let all = rouge.all(target: reference, prediction: hypothesis)
        let score =
          assertion.type == "rouge-1" ? all.rouge1 : assertion.type == "rouge-2" ? all.rouge2 : all.rougeL
        best = max(best, score.fmeasure)
      }
      value = best
      score = best
    case "wer":
      var rates = ErrorRate()
      value = rates.wer(reference: first, hypothesis: hypothesis)
      score = max(0, 1 - value)
    case "cer":
      var rates = ErrorRate()
      value = rates.cer(reference: first, hypothesis: hypothesis)
      score = max(0, 1 - value)
    default:
      return .error("the text-overlap evaluator does not handle '\(assertion.type)'")
    }
    let lowerIsBetter = assertion.type == "wer" || assertion.type == "cer"
    guard let threshold = assertion.threshold else {
      return .scored(
        score, passed: true, value: value, String(format: "%@ %.4f (no threshold)", assertion.type, value))
    }
    let passed = lowerIsBetter ? value <= threshold : value >= threshold
    return .scored(
      score, passed: passed, value: value, threshold: threshold,
      String(format: "%@ %.4f (need %@ %.4f)", assertion.type, value, lowerIsBetter ? "≤" : "≥", threshold))
  }
}
