import Foundation
import LTBCore
import Testing

@testable import LTBEvaluation

/// The statistics against scipy (Wilcoxon, the exact binomial behind McNemar, Wilson) and
/// against hand-computed values; the bootstrap by its properties.
@Suite("Statistics")
struct StatisticsTests {
  struct Request: Encodable {
    var wilcoxon: [[Double]]
    var binomial: [[Int]]
    var wilson: [[Int]]
  }

  struct Expected: Decodable {
    var wilcoxon: [Double]
    var binomial: [Double]
    var wilson: [[Double]]
  }

  static let differences: [[Double]] = {
    var generator = SeededGenerator(seed: 11)
    func noise(_ count: Int, shift: Double) -> [Double] {
      (0..<count).map { _ in Double.random(in: -1...1, using: &generator) + shift }
    }
    return [
      [1.5, -0.5, 2.25, 3.0, -1.25, 0.75, 4.5, 2.0, -0.25, 1.0],  // exact, no ties
      noise(30, shift: 0.2),  // exact, n = 30
      noise(50, shift: -0.1),  // exact, the largest exact size
      [1, 1, -1, 2, 2, 0, 3, -2, 1, 4],  // ties and a zero, n ≤ 13: sign-flip permutation
      // Ties, n = 20: the normal approximation.
      [0.5, 0.5, 0.5, -0.5, 1, 1, -1, 2, 0, 0, 1.5, -1.5, 2, 2, 0.5, 1, 3, -0.5, 1, 1],
      noise(80, shift: 0.15),  // n > 50: normal
      [0.25, 0.5, -0.125, 0.75, 1, -0.25, 0.375, 0.625],  // small exact
    ]
  }()

  static let binomial: [[Int]] = [[3, 10], [0, 5], [7, 12], [40, 100], [5, 10], [1, 30]]
  static let wilsonCases: [[Int]] = [[0, 10], [5, 10], [10, 10], [37, 120], [1, 3], [999, 1000]]

  static let expected: Result<Expected, any Error> = Result {
    try PythonReference.run(
      "scipy_statistics.py", input: Request(wilcoxon: differences, binomial: binomial, wilson: wilsonCases),
      as: Expected.self)
  }

  @Test("Wilcoxon signed-rank p-values equal scipy.stats.wilcoxon's (exact, permutation and normal)")
  func wilcoxon() throws {
    let expected = try Self.expected.get()
    #expect(expected.wilcoxon.count == Self.differences.count)
    for (differences, reference) in zip(Self.differences, expected.wilcoxon) {
      let ours = PairedTests.wilcoxon(differences).pValue
      #expect(abs(ours - reference) < 1e-9, "n=\(differences.count): \(ours) vs scipy \(reference)")
    }
  }

  @Test("McNemar's exact test equals scipy.stats.binomtest on the discordant pairs")
  func mcnemar() throws {
    let expected = try Self.expected.get()
    for (pair, reference) in zip(Self.binomial, expected.binomial) {
      let ours = PairedTests.mcnemar(onlyA: pair[0], onlyB: pair[1] - pair[0])
      #expect(abs(ours - reference) < 1e-9, "\(pair): \(ours) vs scipy \(reference)")
    }
  }

  @Test("Wilson intervals equal scipy's")
  func wilson() throws {
    let expected = try Self.expected.get()
    for (pair, reference) in zip(Self.wilsonCases, expected.wilson) {
      let ours = Statistics.wilson(successes: pair[0], trials: pair[1])
      #expect(
        abs(ours.low - reference[0]) < 1e-9 && abs(ours.high - reference[1]) < 1e-9,
        "\(pair): \(ours) vs \(reference)")
    }
  }

  @Test("mean, standard error, quantiles and Cohen's d_z by hand")
  func handComputed() {
    let values = [2.0, 4, 4, 4, 5, 5, 7, 9]
    #expect(Statistics.mean(values) == 5)
    #expect(abs(Statistics.standardDeviation(values) - 2.138_089_935_299_395) < 1e-12)
    #expect(abs(Statistics.standardError(values) - 2.138_089_935_299_395 / 8.0.squareRoot()) < 1e-12)
    #expect(Statistics.quantile(sorted: values, 0.5) == 4.5)
    #expect(abs(Statistics.quantile(sorted: values, 0.9) - 7.6) < 1e-12)
    #expect(abs((PairedTests.cohensDz([1, 2, 3]) ?? 0) - 2) < 1e-12)
    #expect(PairedTests.cohensDz([1, 1, 1]) == nil)
    #expect(PairedTests.averageRanks([10, 20, 20, 30]) == [1, 2.5, 2.5, 4])
  }

  @Test("the bootstrap interval is seeded, brackets the mean, and covers the truth about 95% of the time")
  func bootstrap() {
    let sample = (0..<40).map { Double($0 % 7) }
    let first = Statistics.bootstrapInterval(sample, seed: 3)
    #expect(first == Statistics.bootstrapInterval(sample, seed: 3))
    #expect(first != Statistics.bootstrapInterval(sample, seed: 4))
    #expect(first.low < Statistics.mean(sample) && Statistics.mean(sample) < first.high)
    #expect(Statistics.bootstrapInterval([0.5, 0.5, 0.5]) == (0.5, 0.5))
    var generator = SeededGenerator(seed: 99)
    var covered = 0
    let trials = 200
    for trial in 0..<trials {
      let data = (0..<50).map { _ in Double.random(in: 0...1, using: &generator) }  // true mean 0.5
      let interval = Statistics.bootstrapInterval(data, resamples: 1_000, seed: UInt64(trial))
      if interval.low <= 0.5, 0.5 <= interval.high { covered += 1 }
    }
    #expect((175...198).contains(covered), "covered \(covered) of \(trials)")
  }

  @Test("a paired comparison finds a real difference and not noise")
  func pairedComparison() {
    var generator = SeededGenerator(seed: 5)
    func side(_ label: String, shift: Double) -> SessionComparison.Side {
      let session = UUID()
      var results: [BenchmarkResult] = []
      var records: [EvaluationRecord] = []
      for index in 0..<60 {
        let result = BenchmarkResult(
          sessionID: session, taskKey: "\(index)", testID: "case-\(index)", dataset: "d", provider: "p",
          model: label,
          status: .success, prompt: "")
        results.append(result)
        let base = Double(index % 10) / 10
        let score = min(1, max(0, base + shift + Double.random(in: -0.05...0.05, using: &generator)))
        records.append(
          EvaluationRecord(
            resultID: result.id, sessionID: session, testID: result.testID, metric: "quality", evaluator: "x",
            evaluatorVersion: 1, state: .scored, score: score, passed: score >= 0.5, explanation: ""))
      }
      return SessionComparison.Side(label: label, results: results, records: records, cases: [])
    }
    let baseline = side("a", shift: 0)
    let worse = SessionComparison(baseline, side("b", shift: -0.15))
    let quality = worse.metrics.first { $0.name == "quality" }
    #expect(quality != nil)
    #expect(quality?.verdict == "worse")
    #expect((quality?.high ?? 0) < 0)
    #expect((quality?.wilcoxonP ?? 1) < 0.001)
    #expect(worse.regressions(margin: 0.02, relativeMargin: 0.1).map(\.name) == ["quality"])
    let same = SessionComparison(baseline, side("c", shift: 0))
    #expect(same.metrics.first { $0.name == "quality" }?.verdict == "no significant difference")
    #expect(same.regressions(margin: 0.02, relativeMargin: 0.1).isEmpty)
  }
}
