/// ROUGE-1, ROUGE-2 and ROUGE-L exactly as Google's rouge-score 0.1.2 computes them with
/// `RougeScorer([...], use_stemmer=...)` and its default tokenizer: Python's `lower()`, every run
/// of characters outside `[a-z0-9]` a separator, and (optionally) NLTK's Porter stemmer on
/// tokens longer than three characters.
///
/// A scorer that owns scratch space (hence non-copyable): reuse one for many pairs; use one per
/// thread.
public struct Rouge: ~Copyable {
  /// Whether tokens are stemmed (`use_stemmer=True`).
  public let stemming: Bool

  private var interner = TokenInterner()
  private var targetIDs = GrowableBuffer<UInt32>()
  private var predictionIDs = GrowableBuffer<UInt32>()
  private var targetGrams = NGramCounter()
  private var predictionGrams = NGramCounter()
  private var row = GrowableBuffer<Int32>()
  private var token = GrowableBuffer<UInt8>()
  private var stems: [[UInt8]: [UInt8]] = [:]

  /// Creates a scorer.
  public init(stemming: Bool = false) { self.stemming = stemming }

  deinit {
    targetIDs.free()
    predictionIDs.free()
    row.free()
    token.free()
  }

  /// ROUGE-L (longest common subsequence) of a prediction against a target.
  public mutating func rougeL(target: String, prediction: String) -> RougeScore {
    tokenizePair(target: target, prediction: prediction)
    return scoreLCS()
  }

  /// ROUGE-1, ROUGE-2 and ROUGE-L at once, tokenizing only once.
  public mutating func all(target: String, prediction: String) -> (
    rouge1: RougeScore, rouge2: RougeScore, rougeL: RougeScore
  ) {
    tokenizePair(target: target, prediction: prediction)
    return (scoreNGrams(1), scoreNGrams(2), scoreLCS())
  }

  private mutating func tokenizePair(target: String, prediction: String) {
    interner.reset()
    targetIDs.count = 0
    predictionIDs.count = 0
    // The buffers are plain pointers: filled through copies, then stored back.
    var target = (target, targetIDs)
    var prediction = (prediction, predictionIDs)
    tokenize(target.0, into: &target.1)
    tokenize(prediction.0, into: &prediction.1)
    targetIDs = target.1
    predictionIDs = prediction.1
  }

  private mutating func scoreNGrams(_ order: Int) -> RougeScore {
    targetGrams.reset()
    predictionGrams.reset()
    Self.count(targetIDs.buffer, order: order, into: &targetGrams)
    Self.count(predictionIDs.buffer, order: order, into: &predictionGrams)
    var overlap = 0
    for (key, count) in zip(targetGrams.keys, targetGrams.counts) {
      overlap += min(count, predictionGrams.count(key))
    }
    let targetCount = max(0, targetIDs.count - order + 1)
    let predictionCount = max(0, predictionIDs.count - order + 1)
    return RougeScore(
      precision: Double(overlap) / Double(max(predictionCount, 1)),
      recall: Double(overlap) / Double(max(targetCount, 1)))
  }

  private mutating func scoreLCS() -> RougeScore {
    guard targetIDs.count > 0, predictionIDs.count > 0 else { return RougeScore(precision: 0, recall: 0) }
    let length = Double(
      SequenceAlignment.longestCommonSubsequence(targetIDs.buffer, predictionIDs.buffer, row: &row))
    return RougeScore(
      precision: length / Double(predictionIDs.count), recall: length / Double(targetIDs.count))
  }

  private static func count(_ ids: UnsafeBufferPointer<UInt32>, order: Int, into counter: inout NGramCounter)
  {
    guard ids.count >= order else { return }
    for start in 0...(ids.count - order) { counter.add(NGramKey(ids: ids, start: start, order: order)) }
  }

  /// rouge-score's `tokenize`: after Python's `lower()` only ASCII letters and digits survive,
  /// plus "İ" (which lowers to "i" and a combining dot, a separator) and the Kelvin sign "K"
  /// (which lowers to "k"); everything else separates tokens.
  private mutating func tokenize(_ text: String, into ids: inout GrowableBuffer<UInt32>) {
    PythonText.withBytes(text) { bytes in
      token.count = 0
      var index = 0
      while index < bytes.count {
        let byte = bytes[index]
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
          token.append(byte)
        case UInt8(ascii: "A")...UInt8(ascii: "Z"):
          token.append(byte | 0x20)
        case 0xC4 where index + 1 < bytes.count && bytes[index + 1] == 0xB0:
          token.append(UInt8(ascii: "i"))
          flush(into: &ids)
          index += 1
        case 0xE2 where index + 2 < bytes.count && bytes[index + 1] == 0x84 && bytes[index + 2] == 0xAA:
          token.append(UInt8(ascii: "k"))
          index += 2
        default:
          flush(into: &ids)
        }
        index += 1
      }
      flush(into: &ids)
    }
  }

  @inline(__always)
  private mutating func flush(into ids: inout GrowableBuffer<UInt32>) {
    guard token.count > 0 else { return }
    if stemming, token.count > 3 {
      let word = Array(token.buffer)
      let stemmed: [UInt8]
      if let known = stems[word] {
        stemmed = known
      } else {
        stemmed = PorterStemmer.stem(word)
        if stems.count < 100_000 { stems[word] = stemmed }
      }
      ids.append(interner.id(stemmed))
    } else {
      ids.append(
        interner.id(UnsafePointer(token.pointer), token.count, readableUpTo: token.pointer + token.capacity))
    }
    token.count = 0
  }
}
