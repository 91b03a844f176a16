import ArgumentParser
import Foundation
import LTBEvaluation

/// BLEU, ROUGE-L and WER over N pairs, ours against the Python reference libraries in the same
/// run, with the scores compared pair by pair.
struct TextMetricsBenchmark: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "text-metrics",
    abstract: "Time sentence BLEU, ROUGE-L and WER over N pairs against sacrebleu, rouge-score and jiwer.")

  @Option(name: .long, help: "Pairs to score.") var pairs = 100_000
  @Option(name: .long, help: "The Python with the reference libraries (scripts/python-tools prints it).")
  var python: String
  @Option(name: .long, help: "The timing script.") var script = "scripts/reference/text_metrics_speed.py"

  struct Reference: Decodable {
    var bleu: [Double]
    var rougeL: [Double]
    var wer: [Double]
    var seconds: [String: Double]
  }

  func run() throws {
    let corpus = Self.corpus(count: pairs)
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("ltb-text-pairs.json")
    try JSONEncoder().encode(corpus.map { [$0.0, $0.1] }).write(to: file)

    var bleu = BLEU()
    var start = ContinuousClock.now
    let bleuScores = corpus.map { bleu.sentenceScore($0.0, references: [$0.1]) }
    let bleuSeconds = (ContinuousClock.now - start).seconds
    var rouge = Rouge()
    start = ContinuousClock.now
    let rougeScores = corpus.map { rouge.rougeL(target: $0.1, prediction: $0.0).fmeasure }
    let rougeSeconds = (ContinuousClock.now - start).seconds
    var rates = ErrorRate()
    start = ContinuousClock.now
    let werScores = corpus.map { rates.wer(reference: $0.1, hypothesis: $0.0) }
    let werSeconds = (ContinuousClock.now - start).seconds

    let process = Process()
    process.executableURL = URL(fileURLWithPath: python)
    process.arguments = [script, file.path]
    let output = Pipe()
    process.standardOutput = output
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
      throw ValidationError("\(script) exited \(process.terminationStatus)")
    }
    let reference = try JSONDecoder().decode(Reference.self, from: data)

    print("text metrics over \(pairs) pairs (single thread; Python \(python)):")
    for (name, ours, theirs, seconds, theirSeconds) in [
      ("sentence BLEU", bleuScores, reference.bleu, bleuSeconds, reference.seconds["bleu"] ?? .nan),
      ("ROUGE-L", rougeScores, reference.rougeL, rougeSeconds, reference.seconds["rougeL"] ?? .nan),
      ("WER", werScores, reference.wer, werSeconds, reference.seconds["wer"] ?? .nan),
    ] {
      let differences = zip(ours, theirs).map { abs($0 - $1) }
      let worst = differences.max() ?? .nan
      let identical = ours.count == theirs.count && worst <= 1e-9
      print(
        String(
          format:
            "  %@: ours %.0f pairs/s (%.2f µs/pair), reference %.0f pairs/s (%.1f µs/pair): %.1fx; max |diff| %.1e%@",
          name, Double(pairs) / seconds, seconds * 1e6 / Double(pairs), Double(pairs) / theirSeconds,
          theirSeconds * 1e6 / Double(pairs), theirSeconds / seconds, worst,
          identical ? " (identical)" : " (DIFFERENT)"))
    }
  }

  /// Seeded sentences of 5–30 words from a mixed vocabulary (words, numbers, punctuation, accents).
  static func corpus(count: Int) -> [(String, String)] {
    let words =
      "the quick brown fox jumps over lazy dog model answer Paris capital France is of a an 42 3.14 hello world , . ! ? running runners generalization café naïve (note) it's 1,000 e-mail"
      .split(separator: " ").map(String.init)
    var state: UInt64 = 42
    func next() -> Int {
      state &+= 0x9E37_79B9_7F4A_7C15
      var z = state
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return Int(truncatingIfNeeded: (z ^ (z >> 31)) >> 1)
    }
    func sentence() -> String {
      (0..<(5 + next() % 26)).map { _ in words[next() % words.count] }.joined(separator: " ")
    }
    return (0..<count).map { _ in (sentence(), sentence()) }
  }
}

extension Duration {
  /// The duration in seconds.
  var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
