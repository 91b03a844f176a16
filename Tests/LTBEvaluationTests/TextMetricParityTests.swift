import Foundation
import Testing

@testable import LTBEvaluation

/// Our BLEU, chrF, ROUGE, WER and CER against sacrebleu, rouge-score and jiwer themselves, on
/// the same 300 pairs, to 1e-6.
@Suite("Text metrics match the reference libraries")
struct TextMetricParityTests {
  struct Request: Encodable {
    var pairs: [TextCorpus.Pair]
    var words: [String]
  }

  struct Expected: Decodable {
    struct PairScores: Decodable {
      var bleu: Double
      var chrf: Double
      var rouge: [String: [Double]]
      var rougeStemmed: [String: [Double]]
      var wer: Double
      var cer: Double
    }

    var pairs: [PairScores]
    var corpus: [String: Double]
    var stems: [String]
  }

  static let tolerance = 1e-6

  static let expected: Result<Expected, any Error> = Result {
    try PythonReference.run(
      "text_metrics.py", input: Request(pairs: TextCorpus.all, words: TextCorpus.stemmerWords),
      as: Expected.self)
  }

  func close(_ actual: Double, _ expected: Double) -> Bool { abs(actual - expected) <= Self.tolerance }

  @Test("the corpus is big and varied enough")
  func corpusShape() throws {
    let pairs = TextCorpus.all
    #expect(pairs.count >= 200)
    #expect(try Self.expected.get().pairs.count == pairs.count)
    #expect(pairs.contains { $0.hypothesis.isEmpty } && pairs.contains { $0.references[0].isEmpty })
    #expect(pairs.contains { $0.hypothesis.unicodeScalars.contains { $0.value > 0x7F } })
    #expect(pairs.filter { $0.references.count == 2 }.count >= 50)
  }

  @Test("sentence BLEU and chrF equal sacrebleu's")
  func sacrebleuSentences() throws {
    let expected = try Self.expected.get()
    var bleu = BLEU()
    var chrf = CHRF()
    var mismatches: [String] = []
    for (pair, reference) in zip(TextCorpus.all, expected.pairs) {
      let ours = bleu.sentence(pair.hypothesis, references: pair.references).score
      if !close(ours, reference.bleu) { mismatches.append("BLEU \(ours) vs \(reference.bleu) for \(pair)") }
      if bleu.sentenceScore(pair.hypothesis, references: pair.references) != ours {
        mismatches.append("fast path")
      }
      let ourChrF = chrf.sentence(pair.hypothesis, references: pair.references)
      if !close(ourChrF, reference.chrf) {
        mismatches.append("chrF \(ourChrF) vs \(reference.chrf) for \(pair)")
      }
    }
    #expect(
      mismatches.isEmpty, "\(mismatches.count) mismatches:\n\(mismatches.prefix(10).joined(separator: "\n"))")
    // Not vacuous: the scores spread over the scale.
    #expect(expected.pairs.contains { $0.bleu > 50 } && expected.pairs.contains { $0.bleu == 0 })
  }

  @Test("corpus BLEU, chrF, WER and CER equal the references'")
  func corpusScores() throws {
    let expected = try Self.expected.get()
    let pairs = TextCorpus.all
    let hypotheses = pairs.map(\.hypothesis)
    let first = pairs.map { [$0.references[0]] }
    var bleu = BLEU()
    var chrf = CHRF()
    var rates = ErrorRate()
    #expect(close(bleu.corpus(hypotheses, references: first).score, expected.corpus["bleu"] ?? .nan))
    #expect(close(chrf.corpus(hypotheses, references: first), expected.corpus["chrf"] ?? .nan))
    let multi = pairs.filter { $0.references.count == 2 }
    #expect(
      close(
        bleu.corpus(multi.map(\.hypothesis), references: multi.map(\.references)).score,
        expected.corpus["bleuTwoReferences"] ?? .nan))
    let references = pairs.map { $0.references[0] }
    #expect(close(rates.wer(references: references, hypotheses: hypotheses), expected.corpus["wer"] ?? .nan))
    #expect(close(rates.cer(references: references, hypotheses: hypotheses), expected.corpus["cer"] ?? .nan))
  }

  @Test("ROUGE-1/2/L with and without stemming equal rouge-score's", arguments: [false, true])
  func rouge(stemming: Bool) throws {
    let expected = try Self.expected.get()
    var rouge = Rouge(stemming: stemming)
    var mismatches: [String] = []
    for (pair, reference) in zip(TextCorpus.all, expected.pairs) {
      let scores = rouge.all(target: pair.references[0], prediction: pair.hypothesis)
      let wanted = stemming ? reference.rougeStemmed : reference.rouge
      for (name, score) in [("rouge1", scores.rouge1), ("rouge2", scores.rouge2), ("rougeL", scores.rougeL)] {
        let ours = [score.precision, score.recall, score.fmeasure]
        guard let theirs = wanted[name], zip(ours, theirs).allSatisfy({ close($0, $1) }) else {
          mismatches.append("\(name) \(ours) vs \(wanted[name] ?? []) for \(pair)")
          continue
        }
      }
    }
    #expect(
      mismatches.isEmpty, "\(mismatches.count) mismatches:\n\(mismatches.prefix(10).joined(separator: "\n"))")
  }

  @Test("WER and CER equal jiwer's")
  func jiwer() throws {
    let expected = try Self.expected.get()
    var rates = ErrorRate()
    var mismatches: [String] = []
    for (pair, reference) in zip(TextCorpus.all, expected.pairs) {
      let wer = rates.wer(reference: pair.references[0], hypothesis: pair.hypothesis)
      let cer = rates.cer(reference: pair.references[0], hypothesis: pair.hypothesis)
      if !close(wer, reference.wer) { mismatches.append("WER \(wer) vs \(reference.wer) for \(pair)") }
      if !close(cer, reference.cer) { mismatches.append("CER \(cer) vs \(reference.cer) for \(pair)") }
    }
    #expect(
      mismatches.isEmpty, "\(mismatches.count) mismatches:\n\(mismatches.prefix(10).joined(separator: "\n"))")
  }

  @Test("the Porter stemmer equals NLTK's")
  func porter() throws {
    let expected = try Self.expected.get()
    let ours = TextCorpus.stemmerWords.map { PorterStemmer.stem($0) }
    let mismatches = zip(TextCorpus.stemmerWords, zip(ours, expected.stems)).filter { $1.0 != $1.1 }
    #expect(mismatches.isEmpty, "\(mismatches)")
  }

  @Test("13a tokenization splits as sacrebleu does")
  func tokenizer() {
    #expect(
      Tokenizer13a.tokens("Hello, world! It costs $3.50.") == [
        "Hello", ",", "world", "!", "It", "costs", "$", "3.50", ".",
      ])
    #expect(
      Tokenizer13a.tokens("pre-\nprocessing &amp; 1990-2000") == ["preprocessing", "&", "1990", "-", "2000"])
  }
}
