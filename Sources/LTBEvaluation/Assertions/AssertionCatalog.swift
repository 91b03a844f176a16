import Foundation
public import LTBCore

/// Every assertion type, grouped by the evaluator that handles it, with the checks each spec
/// must pass before any response is scored.
public enum AssertionCatalog {
  /// Cheap checks computed from the response and the result's measurements.
  public static let deterministic = [
    "equals", "contains", "icontains", "contains-any", "contains-all", "starts-with", "regex", "is-json",
    "json-schema", "levenshtein", "similarity", "length", "word-count", "latency", "ttft", "cost", "tokens",
  ]
  /// Overlap with the expected answer or references, as the reference libraries compute it.
  public static let textOverlap = ["bleu", "chrf", "rouge-1", "rouge-2", "rouge-l", "wer", "cer"]
  /// Model-graded metrics.
  public static let judges = [
    "faithfulness", "answer-relevance", "coherence", "rubric", "factuality", "pairwise",
  ]
  /// Answers about images (`VisionEvaluator`).
  public static let vision = [
    "ocr", "object-detection", "visual-attributes", "spatial-relations", "image-description",
  ]
  /// Answers about audio (`AudioEvaluator`).
  public static let audio = ["transcription", "audio-classification", "speaker-id", "emotion"]
  /// Everything else that scores a single response.
  public static let other = ["embedding-similarity", "perplexity", "readability"]
  /// Groups of assertions.
  public static let groupTypes = ["all", "any", "k-of-n"]
  /// Every type.
  public static let allTypes = deterministic + textOverlap + judges + vision + audio + other + groupTypes

  /// Whether `type` names an evaluator plugin (`plugin:NAME`); whether one is installed is
  /// checked when the assertion is scored.
  public static func isPluginType(_ type: String) -> Bool {
    type.hasPrefix("plugin:")
      && type.dropFirst(7).range(of: #"^[a-z][a-z0-9-]{0,63}$"#, options: .regularExpression) != nil
  }

  /// Checks that a spec carries what its type needs.
  static func validate(_ spec: AssertionSpec, location: String) throws(LTBError) {
    func need(_ condition: Bool, _ problem: String, _ fix: String) throws(LTBError) {
      if !condition { throw LTBError(.invalidInput, "\(location): '\(spec.name)' \(problem)", fix: fix) }
    }
    switch spec.type {
    case "equals", "contains", "icontains", "starts-with":
      try need(spec.text != nil, "needs a string 'value'", "write { type: \(spec.type), value: \"text\" }")
    case "contains-any", "contains-all":
      try need(!spec.texts.isEmpty, "needs a list 'value'", "write { type: \(spec.type), value: [a, b] }")
    case "regex":
      try need(spec.text != nil, "needs a pattern in 'value'", "write { type: regex, value: \"^\\\\d+$\" }")
      do {
        _ = try NSRegularExpression(pattern: spec.text ?? "")
      } catch {
        throw LTBError(
          .invalidInput, "\(location): '\(spec.name)' has an invalid regular expression: \(spec.text ?? "")",
          fix: "fix the pattern (ICU syntax)")
      }
    case "json-schema":
      try need(
        spec.value?.objectValue != nil, "needs a schema object in 'value'", "write value: { type: object }")
      do {
        _ = try JSONSchema(spec.value ?? .null)
      } catch {
        throw LTBError(.invalidInput, "\(location): \(error.message)", fix: error.fix ?? "fix the schema")
      }
    case "levenshtein":
      try need(
        spec.text != nil && spec.threshold != nil,
        "needs 'value' (the text) and 'threshold' (the most edits)",
        "write { type: levenshtein, value: \"text\", threshold: 3 }")
    case "length", "word-count":
      try need(
        spec.number("min") != nil || spec.number("max") != nil, "needs 'min' or 'max'",
        "write { type: \(spec.type), min: 1, max: 200 }")
    case "latency", "ttft", "cost", "tokens":
      try need(
        spec.threshold != nil || spec.value?.doubleValue != nil, "needs a 'threshold' (the most allowed)",
        "write { type: \(spec.type), threshold: 500 }")
    case "rubric":
      try need(
        spec.string("criteria") != nil || spec.text != nil, "needs 'criteria'",
        "write { type: rubric, criteria: \"The answer is polite\" }")
    case "pairwise":
      try need(
        spec.string("against") != nil || spec.text != nil || spec.string("against-model") != nil,
        "needs 'against' (the other answer) or 'against-model' (another target of the session)",
        "write { type: pairwise, against-model: openai/gpt-4.1-mini }")
    case "object-detection":
      try need(
        spec.value?.arrayValue.map { !$0.isEmpty } ?? false,
        "needs the expected objects as a list in 'value'",
        "write { type: object-detection, value: [{ label: circle, box: [10, 10, 60, 60] }] } (or labels only)"
      )
      try need(
        ["xyxy", "xywh", "yxyx"].contains(spec.string("box_format") ?? "xyxy"),
        "has an unknown box_format", "write box_format: xyxy, xywh or yxyx")
    case "visual-attributes", "spatial-relations":
      let example =
        spec.type == "spatial-relations"
        ? "[{ subject: circle, relation: left of, object: square }]"
        : "[{ object: circle, attribute: color, value: red }]"
      try need(
        spec.value?.arrayValue.map { !$0.isEmpty } ?? false,
        "needs the expected triples as a list in 'value'",
        "write { type: \(spec.type), value: \(example) }")
    case "audio-classification":
      try need(
        !(spec.options["categories"]?.arrayValue?.compactMap(\.stringValue).isEmpty ?? true),
        "needs 'categories', the labels the answer chooses from",
        "write { type: audio-classification, categories: [speech, music, noise] }")
    default:
      break
    }
    if let samples = spec.options["samples"] {
      try need(
        (samples.intValue ?? 0) >= 1 && (samples.intValue ?? 0) <= 20, "'samples' must be 1–20",
        "write samples: 3")
    }
  }
}
