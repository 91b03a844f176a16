/// Object detections matched against the expected objects as COCO's evaluation does at one IoU
/// threshold: predictions in descending confidence (answer order when none is given), each
/// taking the unmatched expected object of its label with the highest IoU, a match when that
/// IoU is at least the threshold. Without boxes on the expected objects, labels are matched as
/// multisets.
public enum DetectionMatcher {
  /// A labelled object, with an optional box and confidence.
  public struct Object: Sendable, Hashable {
    /// The normalised label.
    public var label: String
    /// The box as `[x1, y1, x2, y2]`.
    public var box: [Double]?
    /// The model's confidence.
    public var score: Double?

    /// Creates an object.
    public init(label: String, box: [Double]? = nil, score: Double? = nil) {
      self.label = label
      self.box = box
      self.score = score
    }
  }

  /// True positives, precision, recall and F1 of one answer.
  public struct Match: Sendable, Hashable {
    /// Predictions that matched.
    public var truePositives: Int
    /// Predictions.
    public var predicted: Int
    /// Expected objects.
    public var expected: Int
    /// Whether boxes were compared.
    public var usedBoxes: Bool

    /// Matched over predicted (1 when nothing was predicted and nothing expected).
    public var precision: Double {
      predicted == 0 ? (expected == 0 ? 1 : 0) : Double(truePositives) / Double(predicted)
    }
    /// Matched over expected (1 when nothing was expected).
    public var recall: Double { expected == 0 ? 1 : Double(truePositives) / Double(expected) }
    /// The harmonic mean of precision and recall.
    public var f1: Double {
      precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall)
    }
  }

  /// Matches `predictions` against `expected`; boxes are compared when every expected object has one.
  public static func match(_ predictions: [Object], expected: [Object], iouThreshold: Double = 0.5) -> Match {
    let usedBoxes = !expected.isEmpty && expected.allSatisfy { $0.box != nil }
    guard usedBoxes else {
      var remaining = Dictionary(expected.map { ($0.label, 1) }, uniquingKeysWith: +)
      var hits = 0
      for prediction in predictions where (remaining[prediction.label] ?? 0) > 0 {
        remaining[prediction.label, default: 0] -= 1
        hits += 1
      }
      return Match(
        truePositives: hits, predicted: predictions.count, expected: expected.count, usedBoxes: false)
    }
    // A stable sort by descending score: equal scores keep the answer's order.
    let ordered = predictions.enumerated().sorted { left, right in
      let (a, b) = (left.element.score ?? 0, right.element.score ?? 0)
      return a != b ? a > b : left.offset < right.offset
    }.map(\.element)
    var taken = Array(repeating: false, count: expected.count)
    var hits = 0
    for prediction in ordered {
      guard let box = prediction.box else { continue }
      var best: (index: Int, iou: Double)?
      for (index, object) in expected.enumerated() where !taken[index] && object.label == prediction.label {
        let overlap = iou(box, object.box ?? [])
        if overlap >= iouThreshold, overlap > (best?.iou ?? -1) { best = (index, overlap) }
      }
      if let best {
        taken[best.index] = true
        hits += 1
      }
    }
    return Match(truePositives: hits, predicted: predictions.count, expected: expected.count, usedBoxes: true)
  }

  /// Intersection over union of two `[x1, y1, x2, y2]` boxes (0 for malformed boxes).
  public static func iou(_ a: [Double], _ b: [Double]) -> Double {
    guard a.count == 4, b.count == 4 else { return 0 }
    let width = min(a[2], b[2]) - max(a[0], b[0])
    let height = min(a[3], b[3]) - max(a[1], b[1])
    guard width > 0, height > 0 else { return 0 }
    let intersection = width * height
    let union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - intersection
    return union > 0 ? intersection / union : 0
  }
}
