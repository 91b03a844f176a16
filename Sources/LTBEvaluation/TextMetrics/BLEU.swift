import Foundation

/// A BLEU score with the statistics behind it, as sacrebleu reports them.
public struct BLEUScore: Sendable, Hashable, Codable {
  /// BLEU on sacrebleu's 0–100 scale.
  public var score: Double
  /// Matched n-grams per order (1–4), clipped by the reference counts.
  public var counts: [Int]
  /// Hypothesis n-grams per order.
  public var totals: [Int]
  /// Precision per order, in percent, after smoothing.
  public var precisions: [Double]
  /// The brevity penalty.
  public var brevityPenalty: Double
  /// Hypothesis length in tokens.
  public var hypothesisLength: Int
  /// The closest reference length in tokens.
  public var referenceLength: Int
}

/// BLEU exactly as sacrebleu 2.x computes it with its defaults: the 13a tokenizer, n-grams up to
/// 4, the reference counts merged by maximum over several references, the closest reference
/// length (ties go to the shorter), and "exp" smoothing (NIST method 3). Sentence BLEU uses the
/// effective order as `sacrebleu.sentence_bleu` does; corpus BLEU sums the statistics of every
/// segment first, as `sacrebleu.corpus_bleu` does.
///
/// A scorer that owns scratch space (hence non-copyable): reuse one to score many pairs without
/// allocating; use one per thread.
public struct BLEU: ~Copyable {
  /// The highest n-gram order.
  public static let maxOrder = 4

  private var interner = TokenInterner()
  private var scratch = TokenizerScratch()
  private var hypothesisIDs = GrowableBuffer<UInt32>()
  private var referenceIDs = GrowableBuffer<UInt32>()
  private var hypothesisGrams = NGramCounter()
  private var referenceGrams = NGramCounter()
  private var oneReference = NGramCounter()

  /// Creates a scorer.
  public init() {}

  deinit {
    scratch.free()
    hypothesisIDs.free()
    referenceIDs.free()
  }

  /// The sufficient statistics of one segment: `[hypLen, refLen, correct1…4, total1…4]`.
  public mutating func statistics(hypothesis: String, references: [String]) -> [Int] {
    segment(hypothesis: hypothesis, references: references).flattened
  }

  /// Sentence BLEU of one hypothesis against its references (effective order, exp smoothing).
  public mutating func sentence(_ hypothesis: String, references: [String]) -> BLEUScore {
    segment(hypothesis: hypothesis, references: references).score(effectiveOrder: true)
  }

  /// Just the sentence BLEU value, without the statistics (allocates nothing once warm).
  public mutating func sentenceScore(_ hypothesis: String, references: [String]) -> Double {
    segment(hypothesis: hypothesis, references: references).compute(effectiveOrder: true).score
  }

  /// Corpus BLEU: `references[i]` are the references of `hypotheses[i]`.
  public mutating func corpus(_ hypotheses: [String], references: [[String]]) -> BLEUScore {
    var sums = BLEUStatistics()
    for (hypothesis, refs) in zip(hypotheses, references) {
      sums.add(segment(hypothesis: hypothesis, references: refs))
    }
    return sums.score(effectiveOrder: false)
  }

  /// sacrebleu's `compute_bleu` with exp smoothing, from flattened statistics.
  public static func score(_ stats: [Int], effectiveOrder: Bool) -> BLEUScore {
    BLEUStatistics(flattened: stats).score(effectiveOrder: effectiveOrder)
  }

  private mutating func segment(hypothesis: String, references: [String]) -> BLEUStatistics {
    interner.reset()
    hypothesisGrams.reset()
    referenceGrams.reset()
    hypothesisIDs.count = 0
    Tokenizer13a.tokenize(hypothesis, interner: &interner, scratch: &scratch, into: &hypothesisIDs)
    Self.count(hypothesisIDs.buffer, into: &hypothesisGrams)
    var stats = BLEUStatistics()
    stats.hypothesisLength = hypothesisIDs.count
    var closestDifference = -1
    for (position, reference) in references.enumerated() {
      referenceIDs.count = 0
      Tokenizer13a.tokenize(reference, interner: &interner, scratch: &scratch, into: &referenceIDs)
      // The closest reference length; ties go to the shorter one.
      let length = referenceIDs.count
      let difference = abs(stats.hypothesisLength - length)
      if closestDifference == -1 || difference < closestDifference {
        closestDifference = difference
        stats.referenceLength = length
      } else if difference == closestDifference, length < stats.referenceLength {
        stats.referenceLength = length
      }
      if position == 0 {
        Self.count(referenceIDs.buffer, into: &referenceGrams)
      } else {
        oneReference.reset()
        Self.count(referenceIDs.buffer, into: &oneReference)
        for (key, count) in zip(oneReference.keys, oneReference.counts) {
          referenceGrams.raise(key, to: count)
        }
      }
    }
    for (key, count) in zip(hypothesisGrams.keys, hypothesisGrams.counts) {
      let order = key.order - 1
      stats.total[order] += count
      stats.correct[order] += min(count, referenceGrams.count(key))
    }
    return stats
  }

  private static func count(_ ids: UnsafeBufferPointer<UInt32>, into counter: inout NGramCounter) {
    for order in 1...maxOrder where ids.count >= order {
      for start in 0...(ids.count - order) { counter.add(NGramKey(ids: ids, start: start, order: order)) }
    }
  }
}

extension NGramKey {
  /// The number of token ids in a word n-gram (ids are never 0).
  var order: Int {
    if high == 0 { return low >> 32 == 0 ? 1 : 2 }
    return high >> 32 == 0 ? 3 : 4
  }
}
