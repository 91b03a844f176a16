/// Word and character error rates exactly as jiwer 4 computes them with its default transforms:
/// WER collapses runs of two or more whitespace characters to one space, strips, and splits on
/// the space character; CER strips and compares Unicode scalars. The rate is the summed edit
/// distance over the summed reference length; when every reference is empty it is the number of
/// inserted words (or characters), as jiwer reports it.
///
/// A scorer that owns scratch space (hence non-copyable): reuse one for many pairs; use one per
/// thread.
public struct ErrorRate: ~Copyable {
  private var interner = TokenInterner()
  private var reference = GrowableBuffer<UInt32>()
  private var hypothesis = GrowableBuffer<UInt32>()
  private var row = GrowableBuffer<Int32>()
  private var masks = GrowableBuffer<UInt64>()

  /// Creates a scorer.
  public init() {}

  deinit {
    reference.free()
    hypothesis.free()
    row.free()
    masks.free()
  }

  /// Edits and reference length of one pair, at word level.
  public mutating func wordEdits(reference: String, hypothesis: String) -> (edits: Int, referenceLength: Int)
  {
    interner.reset()
    self.reference.count = 0
    self.hypothesis.count = 0
    // The buffers are plain pointers: filled through copies, then stored back.
    var referenceIDs = self.reference
    var hypothesisIDs = self.hypothesis
    words(reference, into: &referenceIDs)
    words(hypothesis, into: &hypothesisIDs)
    self.reference = referenceIDs
    self.hypothesis = hypothesisIDs
    let edits = SequenceAlignment.levenshtein(
      ids: referenceIDs.buffer, hypothesisIDs.buffer, alphabet: interner.count, masks: &masks, row: &row)
    return (edits, referenceIDs.count)
  }

  /// Edits and reference length of one pair, at character level.
  public mutating func characterEdits(reference: String, hypothesis: String) -> (
    edits: Int, referenceLength: Int
  ) {
    Self.strippedScalars(reference, into: &self.reference)
    Self.strippedScalars(hypothesis, into: &self.hypothesis)
    return (
      SequenceAlignment.levenshtein(self.reference.buffer, self.hypothesis.buffer, row: &row),
      self.reference.count
    )
  }

  /// WER of one pair.
  public mutating func wer(reference: String, hypothesis: String) -> Double {
    let (edits, length) = wordEdits(reference: reference, hypothesis: hypothesis)
    return Self.rate(edits: edits, referenceLength: length)
  }

  /// CER of one pair.
  public mutating func cer(reference: String, hypothesis: String) -> Double {
    let (edits, length) = characterEdits(reference: reference, hypothesis: hypothesis)
    return Self.rate(edits: edits, referenceLength: length)
  }

  /// Corpus WER: summed edits over summed reference words.
  public mutating func wer(references: [String], hypotheses: [String]) -> Double {
    var totals = (edits: 0, length: 0)
    for (reference, hypothesis) in zip(references, hypotheses) {
      let pair = wordEdits(reference: reference, hypothesis: hypothesis)
      totals = (totals.edits + pair.edits, totals.length + pair.referenceLength)
    }
    return Self.rate(edits: totals.edits, referenceLength: totals.length)
  }

  /// Corpus CER: summed edits over summed reference characters.
  public mutating func cer(references: [String], hypotheses: [String]) -> Double {
    let pairs = zip(references, hypotheses).map { characterEdits(reference: $0, hypothesis: $1) }
    return Self.rate(
      edits: pairs.reduce(0) { $0 + $1.edits }, referenceLength: pairs.reduce(0) { $0 + $1.referenceLength })
  }

  /// With empty references every edit is an insertion, and jiwer reports their count.
  static func rate(edits: Int, referenceLength: Int) -> Double {
    referenceLength == 0 ? Double(edits) : Double(edits) / Double(referenceLength)
  }

  /// jiwer's `RemoveMultipleSpaces` (`\s\s+` → " "), `Strip` and `ReduceToListOfListOfWords`
  /// (split on " ", empty pieces dropped), in one pass over the bytes: words are separated by a
  /// space or by a run of two or more whitespace characters; a lone other whitespace character
  /// (a tab, say) stays inside its word; whitespace at either end is stripped.
  private mutating func words(_ text: String, into ids: inout GrowableBuffer<UInt32>) {
    PythonText.withBytes(text) { bytes in Self.words(bytes, interner: &interner, into: &ids) }
  }

  private static func words(
    _ bytes: UnsafeBufferPointer<UInt8>, interner: inout TokenInterner, into ids: inout GrowableBuffer<UInt32>
  ) {
    guard let base = bytes.baseAddress else { return }
    let count = bytes.count
    let limit = base + count
    var index = 0
    var wordStart = -1
    var wordEnd = 0
    while index < count {
      // A run of printable ASCII: part of a word, no table lookups.
      if base[index] &- 0x21 < 0x5E {
        if wordStart < 0 { wordStart = index }
        index += 1
        while index < count, base[index] &- 0x21 < 0x5E { index += 1 }
        wordEnd = index
        continue
      }
      let length = PythonText.whitespaceLength(bytes, index)
      if length == 0 {
        if wordStart < 0 { wordStart = index }
        index += 1
        wordEnd = index
        continue
      }
      var end = index + length
      var characters = 1
      while end < count {
        let next = PythonText.whitespaceLength(bytes, end)
        if next == 0 { break }
        end += next
        characters += 1
      }
      if characters >= 2 || base[index] == 0x20 || wordStart < 0 || end == count {
        if wordStart >= 0, wordEnd > wordStart {
          ids.append(interner.id(base + wordStart, wordEnd - wordStart, readableUpTo: limit))
        }
        wordStart = -1
      }
      index = end
    }
    if wordStart >= 0, wordEnd > wordStart {
      ids.append(interner.id(base + wordStart, wordEnd - wordStart, readableUpTo: limit))
    }
  }

  private static func strippedScalars(_ text: String, into scalars: inout GrowableBuffer<UInt32>) {
    scalars.count = 0
    for scalar in text.unicodeScalars { scalars.append(scalar.value) }
    var upper = scalars.count
    while upper > 0, let scalar = Unicode.Scalar(scalars[upper - 1]), PythonText.isWhitespace(scalar) {
      upper -= 1
    }
    var lower = 0
    while lower < upper, let scalar = Unicode.Scalar(scalars[lower]), PythonText.isWhitespace(scalar) {
      lower += 1
    }
    if lower > 0 { for index in 0..<(upper - lower) { scalars[index] = scalars[index + lower] } }
    scalars.count = upper - lower
  }
}
