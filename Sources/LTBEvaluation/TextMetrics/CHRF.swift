/// chrF exactly as sacrebleu 2.x computes it with its defaults (chrF2): character n-grams of
/// orders 1–6 over the text with Python's whitespace removed, β = 2, no word n-grams, the best
/// reference per segment by F-score, and sacrebleu's effective-order averaging of precision and
/// recall. Scores are on the 0–100 scale.
///
/// A scorer that owns scratch space (hence non-copyable); use one per thread.
public struct CHRF: ~Copyable {
  /// The highest character n-gram order.
  public static let charOrder = 6
  /// The weight of recall over precision.
  public static let beta = 2.0

  // One counter holds every order: a key's order is the number of scalars packed into it.
  private var hypothesisGrams = NGramCounter()
  private var referenceGrams = NGramCounter()
  private var scalars = GrowableBuffer<UInt32>()

  /// Creates a scorer.
  public init() {}

  deinit { scalars.free() }

  /// The statistics of one segment: `[hyp, ref, match]` per order, for the best reference.
  public mutating func statistics(hypothesis: String, references: [String]) -> [Int] {
    Self.count(hypothesis, into: &hypothesisGrams, scalars: &scalars)
    var hypothesisTotals = [Int](repeating: 0, count: Self.charOrder)
    for (key, count) in zip(hypothesisGrams.keys, hypothesisGrams.counts) {
      hypothesisTotals[key.characterOrder - 1] += count
    }
    var best: [Int] = []
    var bestScore = -1.0
    for reference in references {
      Self.count(reference, into: &referenceGrams, scalars: &scalars)
      var referenceTotals = [Int](repeating: 0, count: Self.charOrder)
      for (key, count) in zip(referenceGrams.keys, referenceGrams.counts) {
        referenceTotals[key.characterOrder - 1] += count
      }
      var matches = [Int](repeating: 0, count: Self.charOrder)
      for (key, count) in zip(hypothesisGrams.keys, hypothesisGrams.counts) {
        matches[key.characterOrder - 1] += min(count, referenceGrams.count(key))
      }
      var stats: [Int] = []
      stats.reserveCapacity(3 * Self.charOrder)
      for order in 0..<Self.charOrder {
        // sacrebleu counts no hypothesis n-grams of an order the reference has none of.
        stats += [
          referenceTotals[order] > 0 ? hypothesisTotals[order] : 0, referenceTotals[order], matches[order],
        ]
      }
      let score = Self.fScore(stats)
      if score > bestScore {
        bestScore = score
        best = stats
      }
    }
    return best
  }

  /// Sentence chrF.
  public mutating func sentence(_ hypothesis: String, references: [String]) -> Double {
    Self.fScore(statistics(hypothesis: hypothesis, references: references))
  }

  /// Corpus chrF: the statistics of every segment summed, then scored.
  public mutating func corpus(_ hypotheses: [String], references: [[String]]) -> Double {
    var sums = [Int](repeating: 0, count: 3 * Self.charOrder)
    for (hypothesis, refs) in zip(hypotheses, references) {
      for (index, value) in statistics(hypothesis: hypothesis, references: refs).enumerated() {
        sums[index] += value
      }
    }
    return Self.fScore(sums)
  }

  /// sacrebleu's `_compute_f_score` without epsilon smoothing.
  static func fScore(_ stats: [Int]) -> Double {
    guard stats.count == 3 * charOrder else { return 0 }
    let factor = beta * beta
    var averagePrecision = 0.0
    var averageRecall = 0.0
    var effectiveOrder = 0
    for order in 0..<charOrder {
      let hypothesis = stats[3 * order]
      let reference = stats[3 * order + 1]
      let matches = stats[3 * order + 2]
      if hypothesis > 0, reference > 0 {
        averagePrecision += Double(matches) / Double(hypothesis)
        averageRecall += Double(matches) / Double(reference)
        effectiveOrder += 1
      }
    }
    if effectiveOrder == 0 {
      averagePrecision = 0
      averageRecall = 0
    } else {
      averagePrecision /= Double(effectiveOrder)
      averageRecall /= Double(effectiveOrder)
    }
    guard averagePrecision + averageRecall != 0 else { return 0 }
    var score = (1 + factor) * averagePrecision * averageRecall
    score /= (factor * averagePrecision) + averageRecall
    return 100 * score
  }

  private static func count(
    _ text: String, into counter: inout NGramCounter, scalars: inout GrowableBuffer<UInt32>
  ) {
    counter.reset()
    scalars.count = 0
    for scalar in text.unicodeScalars where !PythonText.isWhitespace(scalar) { scalars.append(scalar.value) }
    let buffer = scalars.buffer
    for order in 1...charOrder where buffer.count >= order {
      for start in 0...(buffer.count - order) {
        counter.add(NGramKey(scalars: buffer, start: start, order: order))
      }
    }
  }
}

extension NGramKey {
  /// The number of scalars in a character n-gram (each stored + 1, so never 0).
  var characterOrder: Int {
    let mask: UInt64 = (1 << 21) - 1
    if high == 0 { return low >> 42 & mask != 0 ? 3 : (low >> 21 & mask != 0 ? 2 : 1) }
    return high >> 42 & mask != 0 ? 6 : (high >> 21 & mask != 0 ? 5 : 4)
  }
}
