import Foundation

/// Flesch reading ease and Flesch–Kincaid grade: a cheap, deterministic readability signal
/// (named as such: it measures sentence and word length, not whether the answer makes sense).
/// Syllables are counted by vowel groups with a silent final "e", the usual approximation.
public struct Readability: Sendable, Hashable {
  /// Flesch reading ease (higher is easier; 60–70 is plain English).
  public var readingEase: Double
  /// Flesch–Kincaid grade level.
  public var grade: Double
  /// Words counted.
  public var words: Int
  /// Sentences counted.
  public var sentences: Int
  /// Syllables counted.
  public var syllables: Int

  /// Measures `text`; `nil` when it has no words.
  public init?(_ text: String) {
    let words = text.split { !$0.isLetter && !$0.isNumber && $0 != "'" }.filter {
      $0.contains(where: \.isLetter)
    }
    guard !words.isEmpty else { return nil }
    let sentenceCount = max(
      1, text.split { ".!?".contains($0) }.filter { $0.contains(where: \.isLetter) }.count)
    let syllableCount = words.reduce(0) { $0 + Self.syllables(in: $1.lowercased()) }
    let wordsPerSentence = Double(words.count) / Double(sentenceCount)
    let syllablesPerWord = Double(syllableCount) / Double(words.count)
    readingEase = 206.835 - 1.015 * wordsPerSentence - 84.6 * syllablesPerWord
    grade = 0.39 * wordsPerSentence + 11.8 * syllablesPerWord - 15.59
    self.words = words.count
    sentences = sentenceCount
    syllables = syllableCount
  }

  /// Vowel groups, less a silent final "e", at least one.
  static func syllables(in word: String) -> Int {
    let vowels: Set<Character> = ["a", "e", "i", "o", "u", "y"]
    var count = 0
    var previousVowel = false
    for character in word {
      let vowel = vowels.contains(character)
      if vowel && !previousVowel { count += 1 }
      previousVowel = vowel
    }
    if word.hasSuffix("e"), !word.hasSuffix("le"), count > 1 { count -= 1 }
    return max(1, count)
  }
}
