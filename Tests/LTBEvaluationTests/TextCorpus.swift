/// A deterministic corpus of at least 200 varied text pairs for the parity tests: hand-written
/// edge cases (empty strings, entities, hyphen-newlines, Python-only whitespace, "İ" and the
/// Kelvin sign, CJK, emoji, combining marks) and seeded random sentences built from them.
enum TextCorpus {
  /// One hypothesis with one or two references.
  struct Pair: Codable {
    var hypothesis: String
    var references: [String]
  }

  static let handWritten: [Pair] = [
    Pair(hypothesis: "", references: [""]),
    Pair(hypothesis: "", references: ["the cat sat on the mat"]),
    Pair(hypothesis: "the cat sat on the mat", references: [""]),
    Pair(hypothesis: "the cat sat on the mat", references: ["the cat sat on the mat"]),
    Pair(hypothesis: "The cat sat on the mat.", references: ["the cat is on the mat"]),
    Pair(hypothesis: "Paris is the capital of France.", references: ["The capital of France is Paris."]),
    Pair(hypothesis: "It costs $1,000.50 (approx.)", references: ["it costs about 1,000 dollars"]),
    Pair(hypothesis: "pre-\nprocessing <skipped> done", references: ["preprocessing done"]),
    Pair(hypothesis: "&quot;quoted&quot; &amp; &lt;tag&gt;", references: ["\"quoted\" & <tag>"]),
    Pair(hypothesis: "a\u{1C}b\u{1D}c\u{1E}d\u{1F}e", references: ["a b c d e"]),
    Pair(hypothesis: "tab\tseparated  words\u{00A0}\u{00A0}here", references: ["tab separated words here"]),
    Pair(hypothesis: "  leading and trailing  ", references: ["leading and trailing"]),
    Pair(hypothesis: "İstanbul İİ KELVIN \u{212A}elvin", references: ["istanbul ii kelvin kelvin"]),
    Pair(hypothesis: "東京は日本の首都です。", references: ["日本の首都は東京です。"]),
    Pair(hypothesis: "emoji 😀 test 👍🏽 ok", references: ["emoji test ok 😀"]),
    Pair(hypothesis: "café naïve Straße", references: ["cafe\u{0301} naive strasse"]),
    Pair(hypothesis: "ﬁle ﬂow", references: ["file flow"]),
    Pair(hypothesis: "3.14 is pi, 2.71 is e; 42-year-old", references: ["pi is 3.14 and e is 2.71"]),
    Pair(
      hypothesis: "running runners ran quickly generalizations",
      references: ["run runner running quick generalization"]),
    Pair(
      hypothesis: "happiness relational agreed hopping skies dying",
      references: ["happy relate agree hop sky die"]),
    Pair(hypothesis: "Hello, world!", references: ["Hello world", "Hello, World!"]),
    Pair(
      hypothesis: "one two three four five", references: ["one two three", "one two three four five six"]),
    Pair(hypothesis: "a", references: ["a"]),
    Pair(hypothesis: "a b", references: ["b a"]),
    Pair(hypothesis: ". , ! ?", references: ["..."]),
    Pair(hypothesis: "line one\nline two\r\nline three", references: ["line one line two line three"]),
    Pair(hypothesis: "x\u{3000}y\u{2028}z\u{0085}w", references: ["x y z w"]),
    Pair(hypothesis: "UPPER lower MiXeD", references: ["upper LOWER mixed"]),
    Pair(hypothesis: "e-mail co-operate 1990-2000", references: ["email cooperate 1990 - 2000"]),
    Pair(hypothesis: "the the the the the the the", references: ["the cat is on the mat"]),
    Pair(hypothesis: "cats dogs runs ties", references: ["cat dog run tie"]),
  ]

  static let pieces: [String] = [
    "the", "a", "cat", "cats", "dog", "dogs", "run", "runs", "running", "ran", "quickly", "capital", "France",
    "Paris", "is", "of", "model",
    "answers", "generalization", "happiness", "relational", "agreed", "hopping", "skies", "dying", "news",
    "42", "3.14", "1,000", "1990-2000", "e-mail", "(note)", "[x]", "{y}", "\"quote\"", "it's", "don't", ".",
    ",",
    "!", "?", ";", ":", "...", "&amp;", "&quot;", "&lt;b&gt;", "<skipped>", "-\n", "\n", "\t", "  ",
    "\u{00A0}",
    "\u{1C}", "\u{3000}", "café", "naïve", "Straße", "İstanbul", "\u{212A}", "東京", "日本語", "😀", "👍🏽",
    "e\u{0301}", "ﬁ", "Ünïcödé", "москва", "ελληνικά", "עברית", "العربية", "CAPS", "MiXeD", "x", "y",
  ]

  /// `count` seeded random pairs; every third one has two references.
  static func random(count: Int, seed: UInt64) -> [Pair] {
    var state = seed
    func next() -> UInt64 {
      state &+= 0x9E37_79B9_7F4A_7C15
      var z = state
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
    func sentence(_ base: [String]?) -> String {
      var words: [String]
      if let base, !base.isEmpty {
        // A noisy copy: keep most words, drop, swap or replace a few.
        words = base.compactMap { word in
          switch next() % 10 {
          case 0: nil
          case 1: pieces[Int(next() % UInt64(pieces.count))]
          default: word
          }
        }
        if next() % 3 == 0 { words.append(pieces[Int(next() % UInt64(pieces.count))]) }
      } else {
        let length = Int(next() % 25)
        words = (0..<length).map { _ in pieces[Int(next() % UInt64(pieces.count))] }
      }
      var text = ""
      for (index, word) in words.enumerated() {
        if index > 0 { text += next() % 7 == 0 ? "" : " " }
        text += word
      }
      return text
    }
    return (0..<count).map { index in
      let reference = sentence(nil)
      let words = reference.split(separator: " ").map(String.init)
      let hypothesis = next() % 5 == 0 ? sentence(nil) : sentence(words)
      let references = index % 3 == 0 ? [reference, sentence(words)] : [reference]
      return Pair(hypothesis: hypothesis, references: references)
    }
  }

  /// The whole corpus: the hand-written pairs and 270 random ones.
  static let all: [Pair] = handWritten + random(count: 270, seed: 20_261_129)

  /// Words for the stemmer parity test: every English suffix rule and the irregular forms.
  static let stemmerWords: [String] = [
    "caresses", "ponies", "ties", "caress", "cats", "feed", "agreed", "plastered", "bled", "motoring", "sing",
    "conflated", "troubled", "sized", "hopping", "tanned", "falling", "hissing", "fizzed", "failing",
    "filing",
    "happy", "sky", "relational", "conditional", "rational", "valenci", "hesitanci", "digitizer",
    "conformabli",
    "radicalli", "differentli", "vileli", "analogousli", "vietnamization", "predication", "operator",
    "feudalism",
    "decisiveness", "hopefulness", "callousness", "formaliti", "sensitiviti", "sensibiliti", "triplicate",
    "formative", "formalize", "electriciti", "electrical", "hopeful", "goodness", "revival", "allowance",
    "inference", "airliner", "gyroscopic", "adjustable", "defensible", "irritant", "replacement",
    "adjustment",
    "dependent", "adoption", "homologou", "communism", "activate", "angulariti", "homologous", "effective",
    "bowdlerize", "probate", "rate", "cease", "controll", "roll", "skies", "dying", "lying", "tying", "news",
    "innings", "outings", "cannings", "howe", "proceed", "exceed", "succeed", "generalizations",
    "oscillators",
    "running", "runners", "quickly", "happiness", "generously", "analogy", "theology", "fully", "beautifully",
    "crying", "flies", "died", "spied", "tied", "yelling", "enjoying", "saying", "played", "agreement",
    "spotted",
    "hoped", "hopped", "filling", "controlling", "emotional", "traditional", "probabilities", "universities",
    "yyyy", "yay", "ayes", "abyss", "syzygy", "2000s", "abc123ing", "ingly", "eed", "ied", "sses",
  ]
}
