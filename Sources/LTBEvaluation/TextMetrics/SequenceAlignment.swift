/// Edit distance and longest common subsequence over token-id (or scalar) sequences, in one row
/// of memory.
enum SequenceAlignment {
  /// Levenshtein distance: insertions, deletions and substitutions each cost 1.
  static func levenshtein(
    _ a: UnsafeBufferPointer<UInt32>, _ b: UnsafeBufferPointer<UInt32>, row: inout GrowableBuffer<Int32>
  ) -> Int {
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    row.count = 0
    row.reserve(b.count + 1)
    let cells = row.pointer
    for j in 0...b.count { cells[j] = Int32(j) }
    for i in 0..<a.count {
      var diagonal = cells[0]
      cells[0] = Int32(i + 1)
      let character = a[i]
      for j in 0..<b.count {
        let above = cells[j + 1]
        let substitution = diagonal + (character == b[j] ? 0 : 1)
        cells[j + 1] = min(substitution, min(above, cells[j]) + 1)
        diagonal = above
      }
    }
    return Int(cells[b.count])
  }

  /// The length of the longest common subsequence.
  static func longestCommonSubsequence(
    _ a: UnsafeBufferPointer<UInt32>, _ b: UnsafeBufferPointer<UInt32>, row: inout GrowableBuffer<Int32>
  ) -> Int {
    row.count = 0
    row.reserve(b.count + 1)
    let cells = row.pointer
    cells.update(repeating: 0, count: b.count + 1)
    for i in 0..<a.count {
      var diagonal: Int32 = 0
      let character = a[i]
      for j in 0..<b.count {
        let above = cells[j + 1]
        cells[j + 1] = character == b[j] ? diagonal + 1 : max(above, cells[j])
        diagonal = above
      }
    }
    return Int(cells[b.count])
  }
}

extension SequenceAlignment {
  /// Levenshtein distance of sequences of dense ids (1...`alphabet`), bit-parallel (Myers 1999,
  /// in Hyyrö's formulation) when one side has at most 64 elements: one pass of a few word
  /// operations per element of the other side instead of a row of cells. Falls back to
  /// `levenshtein(_:_:row:)` otherwise. `masks` is scratch space.
  static func levenshtein(
    ids a: UnsafeBufferPointer<UInt32>, _ b: UnsafeBufferPointer<UInt32>, alphabet: Int,
    masks: inout GrowableBuffer<UInt64>, row: inout GrowableBuffer<Int32>
  ) -> Int {
    let (pattern, text) = a.count <= b.count ? (a, b) : (b, a)
    if pattern.isEmpty { return text.count }
    guard pattern.count <= 64 else { return levenshtein(a, b, row: &row) }
    masks.count = 0
    masks.reserve(alphabet + 1)
    let peq = masks.pointer
    peq.update(repeating: 0, count: alphabet + 1)
    for (index, id) in pattern.enumerated() { peq[Int(id)] |= 1 << UInt64(index) }
    var positive = UInt64.max
    var negative: UInt64 = 0
    var score = pattern.count
    let last: UInt64 = 1 << UInt64(pattern.count - 1)
    for id in text {
      let equal = Int(id) <= alphabet ? peq[Int(id)] : 0
      let vertical = equal | negative
      let horizontal = (((equal & positive) &+ positive) ^ positive) | equal
      var horizontalPositive = negative | ~(horizontal | positive)
      var horizontalNegative = positive & horizontal
      if horizontalPositive & last != 0 {
        score += 1
      } else if horizontalNegative & last != 0 {
        score -= 1
      }
      horizontalPositive = (horizontalPositive << 1) | 1
      horizontalNegative <<= 1
      positive = horizontalNegative | ~(vertical | horizontalPositive)
      negative = horizontalPositive & vertical
    }
    return score
  }
}
