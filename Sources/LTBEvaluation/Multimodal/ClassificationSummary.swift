public import LTBCore

/// Accuracy, macro-F1 and the confusion matrix of a set of labelled answers, as scikit-learn's
/// `accuracy_score`, `f1_score(average="macro")` and `confusion_matrix` compute them: over the
/// labels seen as expected or predicted, in sorted order; an answer that named no label counts
/// as the prediction `(none)`.
public struct ClassificationSummary: Sendable, Hashable, Codable {
  /// The label an answer without one is counted as.
  public static let noLabel = "(none)"

  /// The labels, sorted.
  public var labels: [String]
  /// `matrix[i][j]`: answers expected to be `labels[i]` that said `labels[j]`.
  public var matrix: [[Int]]
  /// Answers counted.
  public var count: Int
  /// Correct answers over all answers.
  public var accuracy: Double
  /// The unweighted mean of each label's F1.
  public var macroF1: Double

  /// Summarises (expected, predicted) pairs.
  public init(pairs: [(expected: String, predicted: String?)]) {
    let labels = Set(pairs.flatMap { [$0.expected, $0.predicted ?? Self.noLabel] }).sorted()
    let index = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($1, $0) })
    var matrix = Array(repeating: Array(repeating: 0, count: labels.count), count: labels.count)
    for pair in pairs {
      guard let row = index[pair.expected], let column = index[pair.predicted ?? Self.noLabel] else {
        continue
      }
      matrix[row][column] += 1
    }
    let correct = labels.indices.reduce(0) { $0 + matrix[$1][$1] }
    var f1Sum = 0.0
    for label in labels.indices {
      let truePositives = Double(matrix[label][label])
      let predicted = Double(labels.indices.reduce(0) { $0 + matrix[$1][label] })
      let actual = Double(matrix[label].reduce(0, +))
      // scikit-learn's zero_division default: a label never predicted (or never expected) scores 0.
      let denominator = predicted + actual
      f1Sum += denominator == 0 ? 0 : 2 * truePositives / denominator
    }
    self.labels = labels
    self.matrix = matrix
    self.count = pairs.count
    self.accuracy = pairs.isEmpty ? 0 : Double(correct) / Double(pairs.count)
    self.macroF1 = labels.isEmpty ? 0 : f1Sum / Double(labels.count)
  }

  /// The summary of the label verdicts among `details` (those with `expected` and `predicted`).
  public init?(details: [JSONValue]) {
    let pairs = details.compactMap { detail -> (expected: String, predicted: String?)? in
      guard let expected = detail["expected"]?.stringValue, detail["predicted"] != nil else { return nil }
      return (expected, detail["predicted"]?.stringValue)
    }
    guard !pairs.isEmpty else { return nil }
    self.init(pairs: pairs)
  }
}
