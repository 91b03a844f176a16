/// Precision, recall and F-measure of one ROUGE variant, on the 0–1 scale.
public struct RougeScore: Sendable, Hashable, Codable {
  /// Overlap over the prediction's size.
  public var precision: Double
  /// Overlap over the target's size.
  public var recall: Double
  /// The harmonic mean of the two (0 when both are 0).
  public var fmeasure: Double

  /// Creates a score, computing the F-measure as rouge-score does.
  init(precision: Double, recall: Double) {
    self.precision = precision
    self.recall = recall
    self.fmeasure = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0
  }
}
