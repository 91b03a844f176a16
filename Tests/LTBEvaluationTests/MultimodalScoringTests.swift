import Foundation
import LTBCore
import Testing

@testable import LTBEvaluation

/// Vision and audio assertions: OCR and transcription error rates, COCO-style detection
/// matching, attribute and relation triples, labels with their accuracy, macro-F1 and confusion
/// matrix, and the errors a malformed answer gets.
@Suite("Multimodal scoring")
struct MultimodalScoringTests {
  static func outcome(_ json: JSONValue, response: String, expected: String? = nil) async throws
    -> EvaluationOutcome
  {
    let spec = try AssertionSpec(parsing: json, location: "test")
    let input = EvaluationInput(
      testID: "t", prompt: "p", response: response, expected: expected,
      references: expected.map { [$0] } ?? [])
    let evaluator: any Evaluator =
      AssertionCatalog.vision.contains(spec.type) ? VisionEvaluator() : AudioEvaluator()
    return await evaluator.evaluate(spec, input)
  }

  @Test("OCR reports CER and WER against the expected text; normalize ignores case and punctuation")
  func ocr() async throws {
    let exact = try await Self.outcome(
      ["type": "ocr", "threshold": 0.1], response: "TOTAL 42.50", expected: "TOTAL 42.50")
    #expect(exact.value == 0 && exact.score == 1 && exact.passed == true)
    // One character of eleven wrong: CER 1/11, WER 1/2.
    let wrong = try await Self.outcome(
      ["type": "ocr", "threshold": 0.05], response: "TOTAL 42.59", expected: "TOTAL 42.50")
    #expect(abs((wrong.value ?? 0) - 1.0 / 11) < 1e-9)
    #expect(wrong.details?["wer"]?.doubleValue == 0.5)
    #expect(wrong.passed == false)
    #expect(wrong.details?["extracted_text"]?.stringValue == "TOTAL 42.59")
    let cased = try await Self.outcome(["type": "ocr"], response: "total: 42", expected: "TOTAL 42")
    #expect((cased.value ?? 0) > 0)
    let normalized = try await Self.outcome(
      ["type": "ocr", "normalize": true], response: "total: 42", expected: "TOTAL 42")
    #expect(normalized.value == 0)
    let missing = try await Self.outcome(["type": "ocr"], response: "x")
    #expect(missing.state == .unavailable)
  }

  @Test(
    "the normaliser lower-cases, removes Unicode punctuation and collapses runs of whitespace as jiwer does")
  func normalizer() {
    #expect(
      TranscriptNormalizer.normalize("  Hello,  World! It's «fine» — ok.  ") == "hello world its fine ok")
    #expect(TranscriptNormalizer.normalize("a\tb") == "a\tb")
    #expect(TranscriptNormalizer.normalize("a\t\tb") == "a b")
  }

  @Test("detection with boxes matches greedily by confidence at IoU ≥ 0.5, per label")
  func detectionWithBoxes() async throws {
    let expected: JSONValue = [
      ["label": "circle", "box": [10, 10, 60, 60]], ["label": "square", "box": [100, 10, 150, 60]],
      ["label": "square", "box": [200, 10, 250, 60]],
    ]
    // A hit, a square overlapping too little (IoU 25/75 < 0.5), a wrong label, in a code fence.
    let answer = """
      Here you go:
      ```json
      {"objects": [{"label": "Circle", "box": [12, 12, 62, 62], "score": 0.9},
                   {"label": "square", "bbox": [125, 10, 175, 60]},
                   {"label": "triangle", "box": [200, 10, 250, 60]}]}
      ```
      """
    let outcome = try await Self.outcome(
      ["type": "object-detection", "value": expected, "threshold": 0.5], response: answer)
    #expect(outcome.state == .scored)
    #expect(outcome.details?["true_positives"]?.intValue == 1)
    #expect(abs((outcome.details?["precision"]?.doubleValue ?? 0) - 1.0 / 3) < 1e-9)
    #expect(abs((outcome.details?["recall"]?.doubleValue ?? 0) - 1.0 / 3) < 1e-9)
    #expect(abs((outcome.value ?? 0) - 1.0 / 3) < 1e-9)
    #expect(outcome.passed == false)
    #expect(outcome.details?["detected_objects"]?.arrayValue?.count == 3)
  }

  @Test("two predictions for one object: the more confident one takes it, the other is a false positive")
  func detectionGreedy() {
    let expected = [DetectionMatcher.Object(label: "dog", box: [0, 0, 100, 100])]
    let predictions = [
      DetectionMatcher.Object(label: "dog", box: [0, 0, 90, 90], score: 0.3),
      DetectionMatcher.Object(label: "dog", box: [0, 0, 60, 60], score: 0.9),
    ]
    // The 0.9 box has IoU 0.36 and cannot match; the 0.3 box (IoU 0.81) then takes the dog.
    let match = DetectionMatcher.match(predictions, expected: expected)
    #expect(match.truePositives == 1 && match.predicted == 2 && match.expected == 1)
    #expect(DetectionMatcher.iou([0, 0, 10, 10], [5, 0, 15, 10]) == 50.0 / 150.0)
    #expect(DetectionMatcher.iou([0, 0, 10, 10], [20, 20, 30, 30]) == 0)
    // xywh and Gemini's yxyx orders read into the same box.
    let xywh = VisionEvaluator.object(["label": "a", "box": [10, 20, 30, 40]], format: "xywh")
    let yxyx = VisionEvaluator.object(["label": "a", "box_2d": [20, 10, 60, 40]], format: "yxyx")
    #expect(xywh?.box == [10, 20, 40, 60] && yxyx?.box == [10, 20, 40, 60])
  }

  @Test("detection without boxes is label-multiset F1")
  func detectionLabels() async throws {
    let outcome = try await Self.outcome(
      ["type": "object-detection", "value": ["cat", "cat", "dog"]],
      response: #"["cat", "dog", "dog", "bird"]"#)
    // Matched: one cat, one dog = 2; precision 2/4, recall 2/3, F1 4/7.
    #expect(abs((outcome.value ?? 0) - 4.0 / 7) < 1e-9)
  }

  @Test("an answer that is not the JSON asked for is an error verdict, not a zero")
  func malformed() async throws {
    let detection = try await Self.outcome(
      ["type": "object-detection", "value": ["cat"]], response: "I see a cat on a mat.")
    #expect(detection.state == .error && detection.score == nil)
    #expect(detection.explanation.contains("not the JSON list"))
    let relations = try await Self.outcome(
      ["type": "spatial-relations", "value": [["a", "left of", "b"]]], response: "a is left of b")
    #expect(relations.state == .error)
  }

  @Test("spatial relations match their inverses; attributes match with or without the attribute name")
  func triples() async throws {
    let relations = try await Self.outcome(
      [
        "type": "spatial-relations",
        "value": [
          ["subject": "circle", "relation": "left of", "object": "square"], ["square", "above", "line"],
        ],
      ],
      response:
        #"[{"subject": "square", "relation": "is to the right of", "object": "circle"}, ["line", "above", "square"]]"#
    )
    // First found (inverse), second wrong (the line is below): precision 1/2, recall 1/2.
    #expect(relations.value == 0.5)
    let attributes = try await Self.outcome(
      [
        "type": "visual-attributes",
        "value": [
          ["object": "circle", "attribute": "color", "value": "red"], ["object": "square", "value": "blue"],
        ],
      ],
      response:
        #"{"attributes": [{"object": "Circle", "attribute": "colour", "value": "red"}, {"object": "square", "attribute": "color", "value": "blue"}]}"#
    )
    // "colour" is not "color": one of two found; one of two given correct.
    #expect(attributes.value == 0.5)
  }

  @Test("image description is the best ROUGE-L against the references")
  func description() async throws {
    let outcome = try await Self.outcome(
      ["type": "image-description", "threshold": 0.5], response: "a red circle left of a blue square",
      expected: "a red circle to the left of a blue square")
    #expect((outcome.value ?? 0) > 0.8 && outcome.passed == true)
  }

  @Test(
    "image description: a judge whose model takes images rates it looking at the image; one that cannot see, or an image not kept, falls back to ROUGE-L"
  )
  func judgedDescription() async throws {
    let png = try #require(
      Data(
        base64Encoded:
          "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="))
    let file = FileManager.default.temporaryDirectory.appendingPathComponent(
      "ltb-judge-\(UUID().uuidString).png")
    try png.write(to: file)
    defer { try? FileManager.default.removeItem(at: file) }
    let spec = try AssertionSpec(parsing: ["type": "image-description"], location: "test")
    var input = EvaluationInput(
      testID: "t", prompt: "Describe the picture.", response: "A single dark pixel.",
      expected: "one dark pixel",
      references: ["one dark pixel"])
    input.media = [
      MediaInput(kind: .image, source: .file, location: file.path, format: "png", sizeBytes: png.count)
    ]
    let seeing = ScriptedJudge([#"{"reasoning": "Accurate.", "score": 4}"#], vision: true)
    let outcome = await VisionEvaluator(judge: JudgeSettings(provider: seeing)).evaluate(spec, input)
    #expect(outcome.value == 0.75 && outcome.passed == true, "\(outcome)")
    #expect(outcome.details?["saw_image"] == true && outcome.judge?.calls == 1)
    let sent = try #require(seeing.requests.first)
    let parts = sent.messages.first?.content ?? []
    #expect(
      parts.contains(
        .image(ImageContent(source: .inline(data: png, mediaType: "image/png"), width: 1, height: 1))))
    #expect(sent.messages.first?.text.contains("one dark pixel") == true)
    #expect(sent.messages.first?.text.contains("A single dark pixel.") == true)
    // A judge that cannot see: ROUGE-L against the reference, and no judge call.
    let blind = ScriptedJudge([], vision: false)
    let fallback = await VisionEvaluator(judge: JudgeSettings(provider: blind)).evaluate(spec, input)
    #expect(fallback.details?["rouge_l"] != nil && blind.requests.isEmpty)
    // An image given as base64 is not kept, so it cannot be shown again: ROUGE-L too.
    input.media = [MediaInput(kind: .image, source: .base64, format: "png", sizeBytes: png.count)]
    let unseen = await VisionEvaluator(judge: JudgeSettings(provider: seeing)).evaluate(spec, input)
    #expect(unseen.details?["rouge_l"] != nil && seeing.requests.count == 1)
  }

  @Test("transcription is WER after jiwer's normalisation by default")
  func transcription() async throws {
    let outcome = try await Self.outcome(
      ["type": "transcription", "threshold": 0.2], response: "The quick brown fox, jumps!",
      expected: "the quick brown fox jumps over")
    #expect(abs((outcome.value ?? 0) - 1.0 / 6) < 1e-9)
    #expect(outcome.passed == true)
    let strict = try await Self.outcome(
      ["type": "transcription", "normalize": false], response: "The quick", expected: "the quick")
    #expect(strict.value == 0.5)
  }

  @Test("labels: the answer names one label, several or none")
  func labels() async throws {
    let categories: JSONValue = ["speech", "music", "noise"]
    let right = try await Self.outcome(
      ["type": "audio-classification", "categories": categories], response: "This clip is music.",
      expected: "music")
    #expect(right.passed == true && right.details?["predicted"]?.stringValue == "music")
    let both = try await Self.outcome(
      ["type": "audio-classification", "categories": categories], response: "speech over music",
      expected: "music")
    #expect(both.passed == false && both.details?["predicted"] == .null)
    let emotion = try await Self.outcome(
      ["type": "emotion"], response: #"{"label": "Angry"}"#, expected: "angry")
    #expect(emotion.passed == true)
    let speaker = try await Self.outcome(
      ["type": "speaker-id", "speakers": ["alice", "bob"]], response: "That was Bob.", expected: "alice")
    #expect(speaker.passed == false && speaker.details?["predicted"]?.stringValue == "bob")
    #expect(throws: LTBError.self) {
      try AssertionSpec(parsing: ["type": "audio-classification"], location: "x")
    }
  }

  @Test("accuracy, macro-F1 and the confusion matrix are scikit-learn's")
  func classificationSummary() {
    // y_true = [a, a, b, b, c], y_pred = [a, b, b, b, none]
    let summary = ClassificationSummary(pairs: [
      ("a", "a"), ("a", "b"), ("b", "b"), ("b", "b"), ("c", nil),
    ])
    #expect(summary.labels == ["(none)", "a", "b", "c"])
    #expect(summary.matrix == [[0, 0, 0, 0], [0, 1, 1, 0], [0, 0, 2, 0], [1, 0, 0, 0]])
    #expect(summary.accuracy == 0.6)
    // Per-label F1: (none) 0, a 2/3, b 0.8, c 0; sklearn's f1_score(average="macro") = 0.36667.
    #expect(abs(summary.macroF1 - (2.0 / 3 + 0.8) / 4) < 1e-12)
    let fromDetails = ClassificationSummary(details: [
      ["expected": "a", "predicted": "a"], ["expected": "b", "predicted": .null], ["other": 1],
    ])
    #expect(fromDetails?.count == 2 && fromDetails?.accuracy == 0.5)
  }
}
