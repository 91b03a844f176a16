public import Foundation
public import LTBCore
public import LTBStorage

/// Two sets of responses on the same case ids (two sessions, or two models of one session),
/// compared metric by metric as paired samples: repeats are reduced per case first (mean score,
/// majority pass, pass@k), then the paired bootstrap interval of the mean difference, the
/// Wilcoxon signed-rank test, McNemar's test on pass/fail and Cohen's d_z give a verdict per
/// metric. Cases whose repeats disagree are listed as flaky.
public struct SessionComparison: Sendable, Codable {
  /// One metric compared.
  public struct Metric: Sendable, Codable {
    /// The metric (`case` is the weighted case score; `latency_ms`, `ttft_ms`, `cost_usd`,
    /// `output_tokens` are measurements).
    public var name: String
    /// Whether higher values are better.
    public var higherIsBetter: Bool
    /// Paired cases.
    public var pairs: Int
    /// Mean on the A side.
    public var meanA: Double
    /// Mean on the B side.
    public var meanB: Double
    /// B − A.
    public var difference: Double
    /// 95% paired bootstrap interval of B − A.
    public var low: Double
    /// Upper end.
    public var high: Double
    /// Wilcoxon signed-rank p-value.
    public var wilcoxonP: Double
    /// Pass rates and McNemar's p-value, for metrics with a pass/fail verdict.
    public var passRateA: Double?
    /// B's pass rate.
    public var passRateB: Double?
    /// pass@k on each side (any repeat passed), when there were repeats.
    public var passAtKA: Double?
    /// B's pass@k.
    public var passAtKB: Double?
    /// McNemar's exact p-value.
    public var mcnemarP: Double?
    /// Cohen's d_z of the differences.
    public var effectSize: Double?
    /// `better`, `worse` (for B against A) or `no significant difference`.
    public var verdict: String
  }

  /// The A side's label.
  public var labelA: String
  /// The B side's label.
  public var labelB: String
  /// Cases on both sides.
  public var pairedCases: Int
  /// Cases only on one side (not compared).
  public var unpaired: Int
  /// Per metric.
  public var metrics: [Metric]
  /// Case ids whose repeats disagreed (pass and fail), on either side.
  public var flaky: [String]
  /// The significance level used.
  public var alpha: Double

  /// The responses of one side: per result, its case id, verdict, scores and measurements.
  public struct Side: Sendable {
    var label: String
    var rows: [Row]

    struct Row {
      var testID: String
      var values: [String: Double]
      var passes: [String: Bool]
    }

    /// Builds a side from stored results and their evaluations.
    public init(
      label: String, results: [BenchmarkResult], records: [EvaluationRecord], cases: [CaseEvaluation]
    ) {
      self.label = label
      let recordsByResult = Dictionary(grouping: records, by: \.resultID)
      let verdicts = Dictionary(cases.map { ($0.resultID, $0) }, uniquingKeysWith: { $1 })
      rows = results.filter { !$0.warmup }.map { result in
        var values: [String: Double] = [:]
        var passes: [String: Bool] = [:]
        for record in recordsByResult[result.id] ?? [] where record.state == .scored {
          if let score = record.score { values[record.metric] = score }
          if let passed = record.passed { passes[record.metric] = passed }
        }
        if let verdict = verdicts[result.id], verdict.verdict != .error {
          if let score = verdict.score { values["case"] = score }
          passes["case"] = verdict.verdict == .pass
        }
        if result.status == .success {
          if let latency = result.endToEndMs { values["latency_ms"] = latency }
          if let ttft = result.timeToFirstTokenMs { values["ttft_ms"] = ttft }
          if let cost = result.cost?.total { values["cost_usd"] = cost }
          if let tokens = result.usage?.outputTokens { values["output_tokens"] = Double(tokens) }
        }
        return Row(testID: result.testID, values: values, passes: passes)
      }
    }
  }

  static let lowerIsBetter: Set<String> = ["latency_ms", "ttft_ms", "cost_usd", "output_tokens"]

  /// Compares two sides at significance `alpha`.
  public init(_ a: Side, _ b: Side, alpha: Double = 0.05, seed: UInt64 = 0) {
    labelA = a.label
    labelB = b.label
    self.alpha = alpha
    let groupedA = Dictionary(grouping: a.rows, by: \.testID)
    let groupedB = Dictionary(grouping: b.rows, by: \.testID)
    let shared = Set(groupedA.keys).intersection(groupedB.keys).sorted()
    pairedCases = shared.count
    unpaired = Set(groupedA.keys).symmetricDifference(groupedB.keys).count
    flaky = shared.filter { id in
      [groupedA[id] ?? [], groupedB[id] ?? []].contains { rows in
        let verdicts = Set(rows.compactMap { $0.passes["case"] })
        return verdicts.count > 1
      }
    }
    let names = Set(a.rows.flatMap(\.values.keys)).intersection(b.rows.flatMap(\.values.keys))
    let ordered = names.sorted { lhs, rhs in
      let rank: (String) -> Int = { $0 == "case" ? 0 : Self.lowerIsBetter.contains($0) ? 2 : 1 }
      return (rank(lhs), lhs) < (rank(rhs), rhs)
    }
    metrics = ordered.compactMap { name in
      var valuesA: [Double] = []
      var valuesB: [Double] = []
      var passA: [Bool] = []
      var passB: [Bool] = []
      var anyA: [Bool] = []
      var anyB: [Bool] = []
      var repeated = false
      for id in shared {
        let rowsA = groupedA[id] ?? []
        let rowsB = groupedB[id] ?? []
        let scoresA = rowsA.compactMap { $0.values[name] }
        let scoresB = rowsB.compactMap { $0.values[name] }
        guard !scoresA.isEmpty, !scoresB.isEmpty else { continue }
        repeated = repeated || scoresA.count > 1 || scoresB.count > 1
        valuesA.append(Statistics.mean(scoresA))
        valuesB.append(Statistics.mean(scoresB))
        let verdictsA = rowsA.compactMap { $0.passes[name] }
        let verdictsB = rowsB.compactMap { $0.passes[name] }
        if !verdictsA.isEmpty, !verdictsB.isEmpty {
          // Majority of repeats (a tie counts as a failure), and pass@k.
          passA.append(verdictsA.filter { $0 }.count * 2 > verdictsA.count)
          passB.append(verdictsB.filter { $0 }.count * 2 > verdictsB.count)
          anyA.append(verdictsA.contains(true))
          anyB.append(verdictsB.contains(true))
        }
      }
      guard !valuesA.isEmpty else { return nil }
      let differences = zip(valuesB, valuesA).map { $0 - $1 }
      let interval = PairedTests.bootstrapDifference(differences, seed: seed)
      let wilcoxon = PairedTests.wilcoxon(differences)
      var mcnemar: Double?
      if !passA.isEmpty {
        let onlyA = zip(passA, passB).filter { $0 && !$1 }.count
        let onlyB = zip(passA, passB).filter { !$0 && $1 }.count
        mcnemar = PairedTests.mcnemar(onlyA: onlyA, onlyB: onlyB)
      }
      let higherIsBetter = !Self.lowerIsBetter.contains(name)
      let difference = Statistics.mean(differences)
      let significant = wilcoxon.pValue < alpha && (interval.low > 0 || interval.high < 0)
      let verdict =
        !significant ? "no significant difference" : (difference > 0) == higherIsBetter ? "better" : "worse"
      let rate: ([Bool]) -> Double? = { $0.isEmpty ? nil : Double($0.filter { $0 }.count) / Double($0.count) }
      return Metric(
        name: name, higherIsBetter: higherIsBetter, pairs: valuesA.count, meanA: Statistics.mean(valuesA),
        meanB: Statistics.mean(valuesB), difference: difference, low: interval.low, high: interval.high,
        wilcoxonP: wilcoxon.pValue, passRateA: rate(passA), passRateB: rate(passB),
        passAtKA: repeated ? rate(anyA) : nil, passAtKB: repeated ? rate(anyB) : nil, mcnemarP: mcnemar,
        effectSize: PairedTests.cohensDz(differences), verdict: verdict)
    }
  }

  /// Loads one side: a whole session, or only its results from one provider/model label.
  public static func side(session: UUID, label: String? = nil, store: any BenchStore) async throws -> Side {
    guard let stored = try await store.session(session) else {
      throw LTBError(.notFound, "no session \(session)", fix: "list sessions with `ltb sessions list`")
    }
    let data = try await SessionRecords.load(session: session, store: store)
    let results = data.results.filter {
      label == nil || "\($0.provider)/\($0.model)" == label || $0.model == label
    }
    if let label, results.isEmpty {
      throw LTBError(
        .invalidInput, "session \(session) has no results from '\(label)'",
        fix: "name a model as provider/model or model, as `ltb sessions show` lists them")
    }
    return Side(
      label: label ?? stored.name + " (\(session.uuidString.prefix(8)))", results: results,
      records: data.records,
      cases: data.cases)
  }

  /// The metrics that got significantly worse by more than the margin: `margin` in score units
  /// for scores, `relativeMargin` as a fraction of the baseline for measurements.
  public func regressions(margin: Double, relativeMargin: Double) -> [Metric] {
    metrics.filter { metric in
      guard metric.verdict == "worse" else { return false }
      if Self.lowerIsBetter.contains(metric.name) {
        return metric.meanA > 0 ? metric.difference / metric.meanA > relativeMargin : metric.difference > 0
      }
      return -metric.difference > margin
    }
  }
}
