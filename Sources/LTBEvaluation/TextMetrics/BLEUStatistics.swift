import Foundation

/// The sufficient statistics of BLEU for a segment or a corpus (sums of segments), kept inline
/// so that scoring a pair allocates nothing.
struct BLEUStatistics {
  var hypothesisLength = 0
  var referenceLength = 0
  var correct = InlineArray<4, Int>(repeating: 0)
  var total = InlineArray<4, Int>(repeating: 0)

  init() {}

  /// From sacrebleu's flat layout `[hypLen, refLen, correct1…4, total1…4]`.
  init(flattened stats: [Int]) {
    hypothesisLength = stats[0]
    referenceLength = stats[1]
    for order in 0..<4 {
      correct[order] = stats[2 + order]
      total[order] = stats[6 + order]
    }
  }

  /// sacrebleu's flat layout.
  var flattened: [Int] {
    var stats = [hypothesisLength, referenceLength]
    for order in 0..<4 { stats.append(correct[order]) }
    for order in 0..<4 { stats.append(total[order]) }
    return stats
  }

  /// Adds a segment's statistics (corpus BLEU sums them).
  mutating func add(_ other: BLEUStatistics) {
    hypothesisLength += other.hypothesisLength
    referenceLength += other.referenceLength
    for order in 0..<4 {
      correct[order] += other.correct[order]
      total[order] += other.total[order]
    }
  }

  /// sacrebleu's `compute_bleu` with exp smoothing: the score, the smoothed precisions and the
  /// brevity penalty.
  func compute(effectiveOrder: Bool) -> (
    score: Double, precisions: InlineArray<4, Double>, brevityPenalty: Double
  ) {
    var brevityPenalty = 1.0
    if hypothesisLength < referenceLength {
      brevityPenalty = hypothesisLength > 0 ? exp(1 - Double(referenceLength) / Double(hypothesisLength)) : 0
    }
    var precisions = InlineArray<4, Double>(repeating: 0)
    var anyCorrect = false
    for order in 0..<4 where correct[order] != 0 { anyCorrect = true }
    guard anyCorrect else { return (0, precisions, brevityPenalty) }
    var smoothing = 1.0
    var usedOrder = 4
    for n in 1...4 {
      if total[n - 1] == 0 { break }
      if effectiveOrder { usedOrder = n }
      if correct[n - 1] == 0 {
        smoothing *= 2
        precisions[n - 1] = 100 / (smoothing * Double(total[n - 1]))
      } else {
        precisions[n - 1] = 100 * Double(correct[n - 1]) / Double(total[n - 1])
      }
    }
    // sacrebleu's my_log floors log(0) at -9999999999.
    var logSum = 0.0
    for order in 0..<usedOrder { logSum += precisions[order] == 0 ? -9_999_999_999 : log(precisions[order]) }
    return (brevityPenalty * exp(logSum / Double(usedOrder)), precisions, brevityPenalty)
  }

  /// The full score with its statistics.
  func score(effectiveOrder: Bool) -> BLEUScore {
    let (score, precisions, brevityPenalty) = compute(effectiveOrder: effectiveOrder)
    return BLEUScore(
      score: score, counts: (0..<4).map { correct[$0] }, totals: (0..<4).map { total[$0] },
      precisions: (0..<4).map { precisions[$0] }, brevityPenalty: brevityPenalty,
      hypothesisLength: hypothesisLength,
      referenceLength: referenceLength)
  }
}
