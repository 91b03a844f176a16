import Foundation
public import LTBCore

/// Scores answers about audio, the spec's `AudioTask`:
/// - `transcription`: WER and CER against the expected transcript as jiwer computes them, by
///   default after jiwer's case and punctuation normalisation (`normalize: false` compares the
///   text as written); the threshold is the most WER allowed.
/// - `audio-classification` (with `categories`), `speaker-id` and `emotion`: the label the answer
///   gives against the expected one (`value`, else the case's expected answer). An answer names a
///   label when it is that label once normalised, or, when labels are listed, contains exactly
///   one of them as a phrase. Each verdict keeps the expected and predicted labels, from which a
///   session's accuracy, macro-F1 and confusion matrix are computed (`ClassificationSummary`).
///   `emotion` lists seven labels by default (neutral, happy, sad, angry, fearful, disgusted,
///   surprised).
public struct AudioEvaluator: Evaluator {
  /// The evaluator's id.
  public let id = "audio"
  /// The evaluator's version.
  public let version = 1
  /// The assertion types it handles.
  public let types = AssertionCatalog.audio
  /// Whether outcomes are cached.
  public let cacheable = false

  /// The labels `emotion` uses when the assertion lists none.
  public static let defaultEmotions = [
    "neutral", "happy", "sad", "angry", "fearful", "disgusted", "surprised",
  ]

  /// Creates the evaluator.
  public init() {}

  /// Scores one response for one assertion.
  public func evaluate(_ assertion: AssertionSpec, _ input: EvaluationInput) async -> EvaluationOutcome {
    switch assertion.type {
    case "transcription":
      guard let expected = assertion.text ?? input.expected else {
        return .unavailable("no transcript to compare with: give 'value' or the case's expected answer")
      }
      let rates = ErrorRates(
        expected: expected, answer: input.response,
        normalize: assertion.options["normalize"]?.boolValue ?? true)
      let threshold = assertion.threshold
      return .scored(
        max(0, 1 - rates.wer), passed: threshold.map { rates.wer <= $0 } ?? true, value: rates.wer,
        threshold: threshold,
        String(format: "WER %.4f, CER %.4f", rates.wer, rates.cer)
          + (threshold.map { String(format: " (need WER ≤ %.4f)", $0) } ?? ""),
        details: ["task": "transcription", "wer": .double(rates.wer), "cer": .double(rates.cer)])
    case "audio-classification", "speaker-id", "emotion":
      return Self.label(assertion, input)
    default:
      return .error("the audio evaluator does not handle '\(assertion.type)'")
    }
  }

  /// The labels an assertion allows (`categories`, `speakers`, or emotion's defaults).
  public static func labels(of assertion: AssertionSpec) -> [String] {
    let written = (assertion.options["categories"] ?? assertion.options["speakers"])?.arrayValue?
      .compactMap(\.stringValue)
    return written ?? (assertion.type == "emotion" ? defaultEmotions : [])
  }

  static func label(_ assertion: AssertionSpec, _ input: EvaluationInput) -> EvaluationOutcome {
    guard let expectedText = assertion.text ?? input.expected else {
      return .unavailable("no expected label: give 'value' or the case's expected answer")
    }
    let labels = labels(of: assertion).map(StructuredAnswer.label)
    let expected = StructuredAnswer.label(expectedText)
    let predicted = predictedLabel(input.response, labels: labels)
    let correct = predicted == expected
    return .scored(
      correct ? 1 : 0, passed: correct, value: correct ? 1 : 0,
      predicted.map { "answered '\($0)', expected '\(expected)'" }
        ?? "the answer names none of the labels (\(labels.joined(separator: ", "))), expected '\(expected)'",
      details: [
        "task": .string(assertion.type), "expected": .string(expected),
        "predicted": predicted.map(JSONValue.string) ?? .null,
        "labels": .array(labels.map(JSONValue.string)),
      ])
  }

  /// The label an answer gives: the whole answer (or its JSON `label`) once normalised, else the
  /// one listed label it contains as a phrase; `nil` when it names none or several.
  static func predictedLabel(_ response: String, labels: [String]) -> String? {
    let structured = StructuredAnswer.json(in: response).flatMap { $0["label"]?.stringValue }
    let whole = StructuredAnswer.label(
      (structured ?? response).trimmingCharacters(in: .whitespacesAndNewlines.union(.punctuationCharacters)))
    if labels.isEmpty || labels.contains(whole) { return whole.isEmpty ? nil : whole }
    // Punctuation separates words here ("happy." names happy), as it does in the labels.
    let words =
      " " + StructuredAnswer.label(String(response.map { $0.isLetter || $0.isNumber ? $0 : " " })) + " "
    let named = labels.filter { words.contains(" " + $0 + " ") }
    return named.count == 1 ? named[0] : nil
  }
}
