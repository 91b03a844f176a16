/// Levenshtein edit distance on Unicode scalars (insertions, deletions and substitutions cost 1).
public enum EditDistance {
  /// The number of single-scalar edits that turn `lhs` into `rhs`.
  public static func between(_ lhs: String, _ rhs: String) -> Int {
    let a = Array(lhs.unicodeScalars)
    let b = Array(rhs.unicodeScalars)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
      current[0] = i
      for j in 1...b.count {
        current[j] = min(
          previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
      }
      swap(&previous, &current)
    }
    return previous[b.count]
  }

  /// `1 − distance / max(length)`: 1 for equal strings, 0 for nothing in common.
  public static func normalizedSimilarity(_ lhs: String, _ rhs: String) -> Double {
    let longest = max(lhs.unicodeScalars.count, rhs.unicodeScalars.count)
    guard longest > 0 else { return 1 }
    return 1 - Double(between(lhs, rhs)) / Double(longest)
  }

  /// The candidate closest to `word`, when it is close enough to be a likely typo
  /// (within a third of the word's length, at least 2 edits), for "did you mean" hints.
  public static func suggestion(for word: String, among candidates: [String]) -> String? {
    guard let best = candidates.min(by: { between(word, $0) < between(word, $1) }) else { return nil }
    return between(word, best) <= max(2, word.count / 3) ? best : nil
  }
}
