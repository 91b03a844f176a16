/// The Porter stemmer exactly as NLTK implements it in its default `NLTK_EXTENSIONS` mode (the
/// stemmer rouge-score uses with `use_stemmer=True`), on lowercase ASCII words.
enum PorterStemmer {
  private typealias Word = [UInt8]

  private static let irregular: [Word: Word] = {
    let forms: [String: [String]] = [
      "sky": ["sky", "skies"], "die": ["dying"], "lie": ["lying"], "tie": ["tying"], "news": ["news"],
      "inning": ["innings", "inning"], "outing": ["outings", "outing"], "canning": ["cannings", "canning"],
      "howe": ["howe"], "proceed": ["proceed"], "exceed": ["exceed"], "succeed": ["succeed"],
    ]
    var pool: [Word: Word] = [:]
    for (stem, words) in forms { for word in words { pool[Array(word.utf8)] = Array(stem.utf8) } }
    return pool
  }()

  /// A rule: replace `suffix` by `replacement` when `condition` holds for what precedes it.
  private struct Rule {
    var suffix: Word
    var replacement: Word
    var doubleConsonant = false
    var condition: ((Word) -> Bool)?

    init(_ suffix: String, _ replacement: String, _ condition: ((Word) -> Bool)? = nil) {
      self.suffix = Array(suffix.utf8)
      self.replacement = Array(replacement.utf8)
      self.condition = condition
    }
  }

  /// The stem of a lowercase ASCII word.
  static func stem(_ word: String) -> String {
    String(decoding: stem(Array(word.utf8)), as: UTF8.self)
  }

  /// The stem of a lowercase ASCII word, as bytes.
  static func stem(_ word: [UInt8]) -> [UInt8] {
    if let irregular = irregular[word] { return irregular }
    if word.count <= 2 { return word }
    var stem = step1a(word)
    stem = step1b(stem)
    stem = step1c(stem)
    stem = step2(stem)
    stem = step3(stem)
    stem = step4(stem)
    stem = step5a(stem)
    return step5b(stem)
  }

  private static let vowels: Set<UInt8> = Set("aeiou".utf8)

  private static func consonantFlags(_ word: Word) -> [Bool] {
    var flags: [Bool] = []
    flags.reserveCapacity(word.count)
    for (index, character) in word.enumerated() {
      if vowels.contains(character) {
        flags.append(false)
      } else if character == UInt8(ascii: "y") {
        flags.append(index == 0 ? true : !flags[index - 1])
      } else {
        flags.append(true)
      }
    }
    return flags
  }

  private static func isConsonant(_ word: Word, _ index: Int) -> Bool { consonantFlags(word)[index] }

  private static func measure(_ stem: Word) -> Int {
    let flags = consonantFlags(stem)
    var count = 0
    for index in flags.indices.dropLast() where !flags[index] && flags[index + 1] { count += 1 }
    return count
  }

  private static func hasPositiveMeasure(_ stem: Word) -> Bool { measure(stem) > 0 }

  private static func containsVowel(_ stem: Word) -> Bool { consonantFlags(stem).contains(false) }

  private static func endsDoubleConsonant(_ word: Word) -> Bool {
    word.count >= 2 && word[word.count - 1] == word[word.count - 2] && isConsonant(word, word.count - 1)
  }

  private static func endsCVC(_ word: Word) -> Bool {
    let count = word.count
    if count >= 3 {
      let flags = consonantFlags(word)
      if flags[count - 3], !flags[count - 2], flags[count - 1], !Array("wxy".utf8).contains(word[count - 1]) {
        return true
      }
    }
    if count == 2 {
      let flags = consonantFlags(word)
      return !flags[0] && flags[1]
    }
    return false
  }

  private static func endsWith(_ word: Word, _ suffix: Word) -> Bool {
    word.count >= suffix.count && word[(word.count - suffix.count)...].elementsEqual(suffix)
  }

  private static func replacingSuffix(_ word: Word, _ suffix: String, _ replacement: String) -> Word {
    Array(word.dropLast(suffix.utf8.count)) + Array(replacement.utf8)
  }

  /// NLTK's `_apply_rule_list`: the first rule whose suffix matches decides, whether or not its
  /// condition holds.
  private static func apply(_ word: Word, _ rules: [Rule]) -> Word {
    for rule in rules {
      if rule.doubleConsonant {
        if endsDoubleConsonant(word) {
          let stem = Array(word.dropLast(2))
          return rule.condition.map { $0(stem) } ?? true ? stem + rule.replacement : word
        }
        continue
      }
      if endsWith(word, rule.suffix) {
        let stem = Array(word.dropLast(rule.suffix.count))
        return rule.condition.map { $0(stem) } ?? true ? stem + rule.replacement : word
      }
    }
    return word
  }

  private static func step1a(_ word: Word) -> Word {
    if endsWith(word, Array("ies".utf8)), word.count == 4 { return replacingSuffix(word, "ies", "ie") }
    return apply(word, [Rule("sses", "ss"), Rule("ies", "i"), Rule("ss", "ss"), Rule("s", "")])
  }

  private static func step1b(_ word: Word) -> Word {
    if endsWith(word, Array("ied".utf8)) {
      return replacingSuffix(word, "ied", word.count == 4 ? "ie" : "i")
    }
    if endsWith(word, Array("eed".utf8)) {
      let stem = Array(word.dropLast(3))
      return measure(stem) > 0 ? stem + Array("ee".utf8) : word
    }
    var intermediate: Word?
    for suffix in ["ed", "ing"] where endsWith(word, Array(suffix.utf8)) {
      let stem = Array(word.dropLast(suffix.utf8.count))
      if containsVowel(stem) {
        intermediate = stem
        break
      }
    }
    guard let stem = intermediate, let last = stem.last else { return word }
    var double = Rule("", String(decoding: [last], as: UTF8.self)) { _ in !Array("lsz".utf8).contains(last) }
    double.doubleConsonant = true
    return apply(
      stem,
      [
        Rule("at", "ate"), Rule("bl", "ble"), Rule("iz", "ize"), double,
        Rule("", "e") { measure($0) == 1 && endsCVC($0) },
      ])
  }

  private static func step1c(_ word: Word) -> Word {
    apply(word, [Rule("y", "i") { $0.count > 1 && isConsonant($0, $0.count - 1) }])
  }

  private static func step2(_ word: Word) -> Word {
    if endsWith(word, Array("alli".utf8)), hasPositiveMeasure(Array(word.dropLast(4))) {
      return step2(replacingSuffix(word, "alli", "al"))
    }
    let positive: (Word) -> Bool = hasPositiveMeasure
    let rules: [Rule] = [
      Rule("ational", "ate", positive), Rule("tional", "tion", positive), Rule("enci", "ence", positive),
      Rule("anci", "ance", positive), Rule("izer", "ize", positive), Rule("bli", "ble", positive),
      Rule("alli", "al", positive), Rule("entli", "ent", positive), Rule("eli", "e", positive),
      Rule("ousli", "ous", positive), Rule("ization", "ize", positive), Rule("ation", "ate", positive),
      Rule("ator", "ate", positive), Rule("alism", "al", positive), Rule("iveness", "ive", positive),
      Rule("fulness", "ful", positive), Rule("ousness", "ous", positive), Rule("aliti", "al", positive),
      Rule("iviti", "ive", positive), Rule("biliti", "ble", positive), Rule("fulli", "ful", positive),
      Rule("logi", "log") { _ in hasPositiveMeasure(Array(word.dropLast(3))) },
    ]
    return apply(word, rules)
  }

  private static func step3(_ word: Word) -> Word {
    let positive: (Word) -> Bool = hasPositiveMeasure
    return apply(
      word,
      [
        Rule("icate", "ic", positive), Rule("ative", "", positive), Rule("alize", "al", positive),
        Rule("iciti", "ic", positive), Rule("ical", "ic", positive), Rule("ful", "", positive),
        Rule("ness", "", positive),
      ])
  }

  private static func step4(_ word: Word) -> Word {
    let large: (Word) -> Bool = { measure($0) > 1 }
    let rules: [Rule] =
      ["al", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement", "ment", "ent"].map {
        Rule($0, "", large)
      }
      + [
        Rule("ion", "") { measure($0) > 1 && ($0.last == UInt8(ascii: "s") || $0.last == UInt8(ascii: "t")) }
      ]
      + ["ou", "ism", "ate", "iti", "ous", "ive", "ize"].map { Rule($0, "", large) }
    return apply(word, rules)
  }

  private static func step5a(_ word: Word) -> Word {
    guard word.last == UInt8(ascii: "e") else { return word }
    let stem = Array(word.dropLast())
    let measure = measure(stem)
    if measure > 1 { return stem }
    if measure == 1, !endsCVC(stem) { return stem }
    return word
  }

  private static func step5b(_ word: Word) -> Word {
    apply(word, [Rule("ll", "l") { _ in measure(Array(word.dropLast())) > 1 }])
  }
}
