import Foundation
public import LTBCore
public import LTBMedia

/// Scores answers about images, the spec's `VisionCriteria`:
/// - `ocr` (text extraction): CER and WER of the answer against the expected text, as jiwer
///   computes them (`normalize: true` ignores case and punctuation first); the threshold is the
///   most CER allowed.
/// - `object-detection`: the answer's JSON objects (`[{label, box, score}]` or `{objects: [...]}`)
///   against the expected ones: precision, recall and F1 with COCO's greedy matching at IoU ≥
///   `iou` (0.5) when the expected objects have boxes, label-multiset F1 when not. Boxes are
///   `[x1, y1, x2, y2]`; `box_format: xywh` or `yxyx` (Gemini's order) reads others.
/// - `visual-attributes`: `{object, attribute, value}` triples; `spatial-relations`:
///   `{subject, relation, object}` triples (a relation also matches its inverse with the two
///   objects swapped: left of/right of, above/below, in front of/behind, inside/contains,
///   on/under). Precision, recall and F1 of the answer's triples.
/// - `image-description`: the best ROUGE-L F-measure of the answer against the reference
///   descriptions.
///
/// A structured answer that is not JSON is an error verdict, never a zero: the model did not do
/// what it was asked, which is not the same as finding nothing. F1 (or 1 − CER) is the score;
/// thresholds are on the same scale unless said otherwise.
public struct VisionEvaluator: Evaluator {
  /// The evaluator's id.
  public let id = "vision"
  /// The evaluator's version.
  public let version = 1
  /// The assertion types it handles.
  public let types = AssertionCatalog.vision
  /// Whether outcomes are cached.
  public let cacheable = false
  /// The judge that looks at the image for `image-description`, when its model takes images.
  let judge: JudgeSettings?
  let media: MediaLoader

  /// Creates the evaluator; `judge` rates descriptions by looking at the image when it can.
  public init(judge: JudgeSettings? = nil, media: MediaLoader = MediaLoader()) {
    self.judge = judge
    self.media = media
  }

  /// Scores one response for one assertion.
  public func evaluate(_ assertion: AssertionSpec, _ input: EvaluationInput) async -> EvaluationOutcome {
    switch assertion.type {
    case "ocr":
      return Self.ocr(assertion, input)
    case "object-detection":
      return Self.detection(assertion, input)
    case "visual-attributes", "spatial-relations":
      return Self.triples(assertion, input)
    case "image-description":
      if let judge, let images = await images(of: input, for: judge) {
        return await judged(assertion, input, judge: judge, images: images)
      }
      return Self.description(assertion, input)
    default:
      return .error("the vision evaluator does not handle '\(assertion.type)'")
    }
  }

  /// The kind of score each type reports, as `VisionEvaluationResult` names it.
  public static func criterion(of type: String) -> String? {
    switch type {
    case "ocr": "text_extraction"
    case "object-detection": "object_detection"
    case "visual-attributes": "visual_attributes"
    case "spatial-relations": "spatial_reasoning"
    case "image-description": "description_accuracy"
    default: nil
    }
  }

  // MARK: Text extraction

  static func ocr(_ assertion: AssertionSpec, _ input: EvaluationInput) -> EvaluationOutcome {
    guard let expected = assertion.text ?? input.expected else {
      return .unavailable("no text to compare with: give 'value' or the case's expected answer")
    }
    let rates = ErrorRates(expected: expected, answer: input.response, normalize: assertion.bool("normalize"))
    let score = max(0, 1 - rates.cer)
    let threshold = assertion.threshold
    return .scored(
      score, passed: threshold.map { rates.cer <= $0 } ?? true, value: rates.cer, threshold: threshold,
      String(format: "CER %.4f, WER %.4f", rates.cer, rates.wer)
        + (threshold.map { String(format: " (need CER ≤ %.4f)", $0) } ?? ""),
      details: [
        "criterion": "text_extraction", "cer": .double(rates.cer), "wer": .double(rates.wer),
        "extracted_text": .string(input.response),
      ])
  }

  // MARK: Object detection

  static func detection(_ assertion: AssertionSpec, _ input: EvaluationInput) -> EvaluationOutcome {
    guard case .array(let written)? = assertion.value else {
      return .error("object-detection needs the expected objects as a list in 'value'")
    }
    let format = assertion.string("box_format") ?? "xyxy"
    let expected = written.compactMap { object($0, format: format) }
    guard let answer = StructuredAnswer.json(in: input.response),
      let items = StructuredAnswer.list(answer, keys: ["objects", "detections", "items"])
    else {
      return .error(
        "the answer is not the JSON list of objects asked for: \(Self.excerpt(input.response))",
        details: ["criterion": "object_detection"])
    }
    let predicted = items.compactMap { object($0, format: format) }
    let iouThreshold = assertion.number("iou") ?? 0.5
    let match = DetectionMatcher.match(predicted, expected: expected, iouThreshold: iouThreshold)
    let threshold = assertion.threshold
    let how = match.usedBoxes ? String(format: "boxes at IoU ≥ %.2f", iouThreshold) : "labels"
    return .scored(
      match.f1, passed: threshold.map { match.f1 >= $0 } ?? true, value: match.f1, threshold: threshold,
      String(
        format: "%d of %d expected objects found, %d predicted (%@): precision %.3f, recall %.3f, F1 %.3f",
        match.truePositives, match.expected, match.predicted, how, match.precision, match.recall, match.f1),
      details: [
        "criterion": "object_detection", "precision": .double(match.precision),
        "recall": .double(match.recall),
        "f1": .double(match.f1), "true_positives": .int(match.truePositives),
        "detected_objects": .array(predicted.map(json)),
      ])
  }

  /// An object from `"label"` or `{label|name|class, box|bbox|box_2d, score|confidence}`.
  static func object(_ value: JSONValue, format: String) -> DetectionMatcher.Object? {
    if let label = value.stringValue { return DetectionMatcher.Object(label: StructuredAnswer.label(label)) }
    guard let label = value["label"]?.stringValue ?? value["name"]?.stringValue ?? value["class"]?.stringValue
    else { return nil }
    let written = (value["box"] ?? value["bbox"] ?? value["box_2d"])?.arrayValue?.compactMap(\.doubleValue)
    var box: [Double]?
    if let written, written.count == 4 {
      switch format {
      case "xywh": box = [written[0], written[1], written[0] + written[2], written[1] + written[3]]
      case "yxyx": box = [written[1], written[0], written[3], written[2]]
      default: box = written
      }
    }
    return DetectionMatcher.Object(
      label: StructuredAnswer.label(label), box: box,
      score: (value["score"] ?? value["confidence"])?.doubleValue)
  }

  private static func json(_ object: DetectionMatcher.Object) -> JSONValue {
    var members: [String: JSONValue] = ["label": .string(object.label)]
    if let box = object.box { members["box"] = .array(box.map { .double($0) }) }
    if let score = object.score { members["score"] = .double(score) }
    return .object(members)
  }

  // MARK: Attributes and relations

  static func triples(_ assertion: AssertionSpec, _ input: EvaluationInput) -> EvaluationOutcome {
    let relations = assertion.type == "spatial-relations"
    let keys = relations ? ["subject", "relation", "object"] : ["object", "attribute", "value"]
    let criterion = relations ? "spatial_reasoning" : "visual_attributes"
    guard case .array(let written)? = assertion.value else {
      return .error("\(assertion.type) needs the expected triples as a list in 'value'")
    }
    let expected = written.compactMap { triple($0, keys: keys) }
    guard let answer = StructuredAnswer.json(in: input.response),
      let items = StructuredAnswer.list(answer, keys: relations ? ["relations"] : ["attributes"])
    else {
      return .error(
        "the answer is not the JSON list of triples asked for: \(Self.excerpt(input.response))",
        details: .object(["criterion": .string(criterion)]))
    }
    let given = items.compactMap { triple($0, keys: keys) }
    func same(_ a: [String], _ b: [String]) -> Bool {
      if relations {
        return a == b || (a[0] == b[2] && a[2] == b[0] && SpatialRelation.inverse(of: a[1]) == b[1])
      }
      // An attribute left out on either side matches any attribute of the object.
      return a[0] == b[0] && a[2] == b[2] && (a[1].isEmpty || b[1].isEmpty || a[1] == b[1])
    }
    let found = expected.filter { wanted in given.contains { same(wanted, $0) } }.count
    let correct = given.filter { answer in expected.contains { same($0, answer) } }.count
    let recall = expected.isEmpty ? 1 : Double(found) / Double(expected.count)
    let precision = given.isEmpty ? (expected.isEmpty ? 1 : 0) : Double(correct) / Double(given.count)
    let f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall)
    let threshold = assertion.threshold
    return .scored(
      f1, passed: threshold.map { f1 >= $0 } ?? true, value: f1, threshold: threshold,
      String(
        format: "%d of %d expected triples found, %d of %d given correct: F1 %.3f", found, expected.count,
        correct, given.count, f1),
      details: [
        "criterion": .string(criterion), "precision": .double(precision), "recall": .double(recall),
        "f1": .double(f1),
      ])
  }

  /// A triple from `[a, b, c]` or an object with `keys`; relations are normalised.
  static func triple(_ value: JSONValue, keys: [String]) -> [String]? {
    let parts: [String?] =
      if let items = value.arrayValue, items.count == 3 {
        items.map(\.stringValue)
      } else {
        keys.map { key in value[key]?.stringValue ?? (key == "attribute" ? "" : nil) }
      }
    guard parts.allSatisfy({ $0 != nil }) else { return nil }
    var triple = parts.map { StructuredAnswer.label($0 ?? "") }
    if keys[1] == "relation" { triple[1] = SpatialRelation.normalize(triple[1]) }
    return triple
  }

  // MARK: Description

  static func description(_ assertion: AssertionSpec, _ input: EvaluationInput) -> EvaluationOutcome {
    let references = assertion.texts.isEmpty ? input.references : assertion.texts
    guard !references.isEmpty else {
      return .unavailable(
        "no reference description: give 'value' or the case's expected answer or references")
    }
    var rouge = Rouge(stemming: true)
    let best = references.map { rouge.all(target: $0, prediction: input.response).rougeL.fmeasure }.max() ?? 0
    let threshold = assertion.threshold
    return .scored(
      best, passed: threshold.map { best >= $0 } ?? true, value: best, threshold: threshold,
      String(format: "ROUGE-L %.3f against the reference description", best),
      details: ["criterion": "description_accuracy", "rouge_l": .double(best)])
  }

  /// The request's images as the judge is sent them, when it can see them: the judge's provider
  /// takes images, its model is not catalogued without vision, and each image can be read again
  /// from its path or URL (an image given as base64 is not kept, so it cannot).
  func images(of input: EvaluationInput, for judge: JudgeSettings) async -> [ContentPart]? {
    let provider = judge.provider
    guard provider.capabilities.supportedModalities.contains(.image) else { return nil }
    let model = judge.model ?? provider.defaultModel
    if let model, let entry = provider.modelInfo(model),
      !entry.capabilities.contains(.vision)
    {
      return nil
    }
    let shown = input.media.filter { $0.kind == .image }
    guard !shown.isEmpty else { return nil }
    var parts: [ContentPart] = []
    for image in shown {
      guard let location = image.location,
        let loaded = try? await media.load(Attachment(kind: .image, location: location))
      else { return nil }
      parts.append(loaded.part)
    }
    return parts
  }

  /// A description rated 1–5 by a judge that sees the image (normalised to (r − 1) / 4, passing at
  /// 0.5 unless a threshold is given); the reference, when there is one, tells it what matters.
  func judged(
    _ assertion: AssertionSpec, _ input: EvaluationInput, judge: JudgeSettings, images: [ContentPart]
  )
    async -> EvaluationOutcome
  {
    let client = JudgeClient(settings: judge)
    var usage = JudgeUsage(
      provider: judge.provider.name, model: judge.model ?? judge.provider.defaultModel ?? "")
    let references = assertion.texts.isEmpty ? input.references : assertion.texts
    let prompt: JudgePrompt
    do { prompt = try JudgePrompt.load("image-description") } catch {
      return .error("the image-description judge prompt is missing: \(error)")
    }
    let reply = await client.ask(
      prompt,
      [
        "question": input.prompt, "answer": input.response,
        "reference": references.first ?? "(none given)",
      ], images: images, usage: &usage)
    guard let value = reply.value, let rating = reply.rating else {
      return .error(
        "the judge gave no usable verdict: \(reply.problem ?? "no score")",
        details: ["raw": .array(reply.raw.map(JSONValue.string))],
        judge: usage)
    }
    let score = rating.score
    let threshold = assertion.threshold ?? 0.5
    return .scored(
      score, passed: score >= threshold, value: score, threshold: threshold,
      "\(rating.points)/5 from \(judge.label), which saw the image: \(rating.reasoning)",
      details: [
        "criterion": "description_accuracy", "judge": .string(judge.label), "saw_image": true,
        "images": .int(images.count), "verdict": value, "repaired": .bool(reply.repaired),
      ], judge: usage)
  }

  static func excerpt(_ text: String) -> String {
    let flat = text.replacingOccurrences(of: "\n", with: " ")
    return "\"" + (flat.count > 80 ? String(flat.prefix(77)) + "…" : flat) + "\""
  }
}

/// CER and WER of an answer, optionally after jiwer's case and punctuation normalisation.
struct ErrorRates {
  var cer: Double
  var wer: Double

  init(expected: String, answer: String, normalize: Bool) {
    let reference = normalize ? TranscriptNormalizer.normalize(expected) : expected
    let hypothesis = normalize ? TranscriptNormalizer.normalize(answer) : answer
    var rates = ErrorRate()
    cer = rates.cer(reference: reference, hypothesis: hypothesis)
    wer = rates.wer(reference: reference, hypothesis: hypothesis)
  }
}
