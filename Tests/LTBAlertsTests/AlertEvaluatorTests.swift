import Foundation
import LTBCore
import Testing

@testable import LTBAlerts

/// The rules' state machine, driven with exact times: when a rule fires, holds, resolves and
/// stays quiet.
@Suite("Alert evaluation")
struct AlertEvaluatorTests {
  static let session = UUID()

  /// A finished request with `ttft` ms to its first token (64 tokens 1 ms apart).
  static func completion(
    ttft: Int64, status: ResultStatus = .success, provider: String = "p", session: UUID = session,
    cost: Double = 0
  ) -> TestCompletion {
    let events = (0..<64).map { (ttft + Int64($0)) * 1_000_000 }
    var result = BenchmarkResult(
      sessionID: session, taskKey: "k", testID: "t", dataset: "d", provider: provider, model: "m",
      status: status,
      prompt: "q", response: status == .success ? "a" : nil,
      timing: status == .success
        ? RequestTiming(contentEventOffsetsNanos: events, endOffsetNanos: events.last!) : nil,
      usage: Usage(inputTokens: 1, outputTokens: 64))
    if cost > 0 { result.cost = Cost(input: 0, output: cost) }
    return TestCompletion(result)
  }

  static let date = Date(timeIntervalSince1970: 1_800_000_000)

  @Test("TTFT p99 above 500 ms over 30 s, for 2 s: fires once after the hold, resolves when it ends")
  func firesAfterHoldAndResolves() {
    let rule = AlertRule(
      name: "slow-ttft", metric: .ttft, statistic: .p99, threshold: 500, window: .seconds(30), minSamples: 5,
      forSeconds: 2, severity: .critical, cooldownSeconds: 0)
    var evaluator = AlertEvaluator(rules: [rule])
    var now = 0.0
    // Ten fast requests: nothing.
    for _ in 0..<10 {
      evaluator.record(Self.completion(ttft: 20), at: now)
      now += 0.1
    }
    #expect(evaluator.evaluate(now: now, date: Self.date).isEmpty)
    // A slow one: p99 of 11 requests is the slowest, so the condition holds from here.
    evaluator.record(Self.completion(ttft: 900), at: now)
    #expect(evaluator.evaluate(now: now, date: Self.date).isEmpty)  // holding, not for 2 s yet
    #expect(evaluator.evaluate(now: now + 1.9, date: Self.date).isEmpty)
    let fired = evaluator.evaluate(now: now + 2, date: Self.date)
    guard case .fired(let alert)? = fired.first else {
      Issue.record("expected the alert to fire, got \(fired)")
      return
    }
    #expect(fired.count == 1)
    #expect(alert.value == 900)
    #expect(alert.threshold == 500)
    #expect(alert.group.session == Self.session && alert.group.provider == "p" && alert.group.model == "m")
    #expect(alert.message.contains("ttft p99 is 900 ms (above 500 ms)"))
    #expect(alert.details["state"] == "firing")
    // Still holding: no second firing.
    #expect(evaluator.evaluate(now: now + 5, date: Self.date).isEmpty)
    #expect(evaluator.firing.count == 1)
    // The slow request leaves the 30 s window: resolved.
    for step in 0..<10 { evaluator.record(Self.completion(ttft: 20), at: now + 31 + Double(step) * 0.01) }
    let resolved = evaluator.evaluate(now: now + 31.2, date: Self.date.addingTimeInterval(31))
    guard case .resolved(let ended)? = resolved.first else {
      Issue.record("expected the alert to resolve, got \(resolved)")
      return
    }
    #expect(ended.id == alert.id)
    #expect(ended.resolvedAt == Self.date.addingTimeInterval(31))
    #expect(evaluator.firing.isEmpty)
  }

  @Test("Cooldown suppresses a repeat that comes too soon, and not one after it")
  func cooldown() {
    let rule = AlertRule(
      name: "errors", metric: .errorRate, threshold: 0.5, window: .requests(4), minSamples: 4,
      cooldownSeconds: 60)
    var evaluator = AlertEvaluator(rules: [rule])
    func feed(_ failing: Bool, at now: Double) {
      for index in 0..<4 {
        evaluator.record(
          Self.completion(ttft: 10, status: failing ? .failure : .success), at: now + Double(index))
      }
    }
    feed(true, at: 0)
    #expect(evaluator.evaluate(now: 4, date: Self.date).count == 1)
    feed(false, at: 5)
    #expect(evaluator.evaluate(now: 9, date: Self.date).count == 1)  // resolved
    feed(true, at: 10)
    #expect(evaluator.evaluate(now: 14, date: Self.date).isEmpty)  // 14 s after firing: cooled down? no
    #expect(evaluator.evaluate(now: 63, date: Self.date).isEmpty)
    let again = evaluator.evaluate(now: 64, date: Self.date)
    #expect(again.count == 1)
    if case .fired(let alert)? = again.first { #expect(alert.value == 1) } else { Issue.record("no refire") }
  }

  @Test("Too few requests judge nothing; labels pick the provider; warm-ups are ignored")
  func samplesAndLabels() {
    let rule = AlertRule(
      name: "q-only", metric: .errorRate, threshold: 0.1, window: .requests(10), minSamples: 3,
      labels: AlertLabels(provider: "q"))
    var evaluator = AlertEvaluator(rules: [rule])
    for at in 0..<5 {
      evaluator.record(Self.completion(ttft: 10, status: .failure, provider: "p"), at: Double(at))
    }
    evaluator.record(Self.completion(ttft: 10, status: .failure, provider: "q"), at: 5)
    evaluator.record(Self.completion(ttft: 10, status: .failure, provider: "q"), at: 6)
    #expect(evaluator.evaluate(now: 7, date: Self.date).isEmpty)  // p is not watched; q has 2 < 3
    var warm = Self.completion(ttft: 10, status: .failure, provider: "q")
    warm.warmup = true
    evaluator.record(warm, at: 7)
    #expect(evaluator.evaluate(now: 8, date: Self.date).isEmpty)
    evaluator.record(Self.completion(ttft: 10, status: .failure, provider: "q"), at: 8)
    let fired = evaluator.evaluate(now: 9, date: Self.date)
    #expect(fired.count == 1)
    #expect(fired.first?.alert.group.provider == "q")
  }

  @Test("Increase over a baseline, throughput below a floor, cost so far, and the end of a session")
  func baselineThroughputCostAndEnd() {
    let slower = AlertRule(
      name: "slower", metric: .ttft, statistic: .mean, condition: .increase, threshold: 50,
      window: .requests(5),
      minSamples: 5)
    let slow = AlertRule(
      name: "slow-rate", metric: .throughput, condition: .below, threshold: 5, window: .seconds(2),
      minSamples: 2)
    let spend = AlertRule(name: "spend", metric: .cost, condition: .above, threshold: 0.5, minSamples: 1)
    var evaluator = AlertEvaluator(rules: [slower, spend, slow])
    evaluator.baselines[slower.id] = 100
    for index in 0..<5 {
      evaluator.record(Self.completion(ttft: 140, cost: 0.2), at: Double(index) * 0.1)
    }
    // Mean 140 is 40% above 100: under the 50% bound. 10 requests in 0.5 s: not slow. Cost 1.0 > 0.5.
    let first = evaluator.evaluate(now: 0.5, date: Self.date)
    #expect(first.map(\.alert.rule.name) == ["spend"])
    for index in 0..<5 { evaluator.record(Self.completion(ttft: 160), at: 1.5 + Double(index) * 0.1) }
    // At 3 s: the last five have mean 160 > 150; the 2 s window holds those five, 2.5/s < 5.
    let later = evaluator.evaluate(now: 3, date: Self.date)
    #expect(Set(later.map(\.alert.rule.name)) == ["slower", "slow-rate"])
    #expect(later.first { $0.alert.rule.name == "slow-rate" }?.alert.value == 2.5)
    let ended = evaluator.endSession(Self.session, date: Self.date)
    #expect(Set(ended.map(\.alert.rule.name)) == ["slower", "spend", "slow-rate"])
    #expect(ended.allSatisfy { $0.alert.resolvedAt != nil })
    #expect(evaluator.firing.isEmpty)
  }

  @Test("A score rule judges one evaluation metric's scores of its group; other metrics are ignored")
  func scoreRule() {
    let rule = AlertRule(
      name: "accuracy", metric: .score, statistic: .mean, score: "exact-match", condition: .below,
      threshold: 0.8,
      window: .requests(4), minSamples: 4)
    var evaluator = AlertEvaluator(rules: [rule])
    let group = AlertGroup(session: Self.session, provider: "p", model: "m")
    for (index, score) in [1.0, 1, 0, 1].enumerated() {
      evaluator.recordScore(score, metric: "exact-match", group: group, at: Double(index))
    }
    evaluator.recordScore(0, metric: "bleu", group: group, at: 4)
    let fired = evaluator.evaluate(now: 5, date: Self.date)
    #expect(fired.count == 1 && fired.first?.alert.value == 0.75, "\(fired)")
    #expect(fired.first?.alert.message.contains("score mean of exact-match is 0.75") == true)
  }

  @Test("A changed rule resolves its alerts; statistics use the nearest rank")
  func replaceAndStatistics() {
    let rule = AlertRule(name: "e2e", metric: .e2e, statistic: .max, threshold: 10, minSamples: 1)
    var evaluator = AlertEvaluator(rules: [rule])
    evaluator.record(Self.completion(ttft: 50), at: 0)
    #expect(evaluator.evaluate(now: 0, date: Self.date).count == 1)
    var changed = rule
    changed.threshold = 1_000
    let resolved = evaluator.replaceRules([changed], date: Self.date)
    #expect(resolved.count == 1 && resolved.first?.alert.resolvedAt != nil)
    #expect(evaluator.evaluate(now: 1, date: Self.date).isEmpty)
    let values = (1...100).map(Double.init)
    #expect(AlertEvaluator.statistic(.p99, of: values) == 99)
    #expect(AlertEvaluator.statistic(.p50, of: values) == 50)
    #expect(AlertEvaluator.statistic(.mean, of: values) == 50.5)
    #expect(AlertEvaluator.statistic(.p90, of: [3, 1, 2]) == 3)
    #expect(AlertEvaluator.statistic(.mean, of: [1, 2], minimum: 3) == nil)
  }
}

@Suite("Selection")
struct SelectionTests {
  @Test("the k-th smallest matches the sorted array's, for random, sorted, reversed and repeated values")
  func matchesSort() {
    var generator = SystemRandomNumberGenerator()
    let shapes: [[Double]] = [
      (0..<1_001).map { _ in Double.random(in: 0...1_000, using: &generator) },
      (0..<500).map(Double.init), (0..<500).reversed().map(Double.init),
      (0..<300).map { Double($0 % 3) }, [7], [2, 1],
    ]
    for values in shapes {
      let sorted = values.sorted()
      for k in Set([0, values.count / 2, values.count * 99 / 100, values.count - 1]) {
        var scratch = values
        #expect(Selection.kthSmallest(&scratch, k) == sorted[k], "k \(k) of \(values.count)")
      }
    }
  }
}

@Suite("Alert windows")
struct AlertWindowTests {
  @Test("a score rule over seconds sees every score of its window, not only the last few")
  func scoreSecondsWindow() {
    let rule = AlertRule(
      name: "accuracy", metric: .score, statistic: .mean, score: "exact-match", condition: .below,
      threshold: 0.5,
      window: .seconds(60), minSamples: 20)
    var evaluator = AlertEvaluator(rules: [rule])
    let group = AlertGroup(session: UUID(), provider: "p", model: "m")
    for index in 0..<30 {
      evaluator.recordScore(index < 20 ? 0 : 1, metric: "exact-match", group: group, at: Double(index))
    }
    let fired = evaluator.evaluate(now: 30, date: Date())
    // Cut to the last 20 scores, the mean would be 0.5: no alert.
    #expect(fired.first?.alert.value == 10.0 / 30, "\(fired)")
  }
}
