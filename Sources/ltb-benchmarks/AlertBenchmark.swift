import ArgumentParser
import Foundation
import LTBAlerts
import LTBCore
import LTBEngine
import LTBStorage
import Logging

/// What judging alert rules costs per request: the engine's events of a run at a steady rate
/// (a completion and a progress event per request) published on the bus with and without an
/// alert service of ten rules listening, side by side; the difference in process CPU, per
/// request, is the rules' cost (their subscription, the per-request bookkeeping and the ticks).
struct AlertBenchmark: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "alerts", abstract: "CPU per request of ten alert rules on the event bus.")

  @Option(name: .long, help: "Requests per second to simulate.") var rate = 2_000
  @Option(name: .long, help: "Seconds per round.") var seconds = 10
  @Option(name: .long, help: "Rounds of each, alternated.") var rounds = 3

  /// Ten rules of every kind that watches requests, none of them firing on this stream.
  static let rules: [AlertRule] = [
    AlertRule(name: "ttft-p99", metric: .ttft, threshold: 5_000, window: .seconds(30)),
    AlertRule(name: "ttft-p50", metric: .ttft, statistic: .p50, threshold: 5_000, window: .requests(1_000)),
    AlertRule(name: "e2e-p95", metric: .e2e, statistic: .p95, threshold: 10_000, window: .seconds(10)),
    AlertRule(name: "itl-mean", metric: .itl, statistic: .mean, threshold: 1_000, window: .requests(500)),
    AlertRule(name: "errors", metric: .errorRate, threshold: 0.5, window: .seconds(30)),
    AlertRule(name: "slow-rate", metric: .throughput, condition: .below, threshold: 1, window: .seconds(10)),
    AlertRule(name: "goodput", metric: .goodput, condition: .below, threshold: 1, window: .seconds(10)),
    AlertRule(name: "spend", metric: .cost, threshold: 1_000),
    AlertRule(name: "e2e-max", metric: .e2e, statistic: .max, threshold: 60_000, window: .requests(100)),
    AlertRule(
      name: "ttft-p90-fake", metric: .ttft, statistic: .p90, threshold: 5_000, window: .seconds(5),
      labels: AlertLabels(provider: "fake")),
  ]

  func run() async throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "ltb-alerts-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let store = try await SQLBenchStore.open(.sqlite(path: folder.appendingPathComponent("a.sqlite").path))
    let completions = Self.completions(UUID())
    print("\(rate) requests/s for \(seconds) s per round, \(Self.rules.count) rules")
    for round in 1...rounds {
      let without = try await measure(store: store, rules: nil, completions: completions)
      let with = try await measure(store: store, rules: Self.rules, completions: completions)
      let requests = Double(rate * seconds)
      print(
        String(
          format: "round %d: %.3f CPU s without rules, %.3f with ten: %.2f µs per request for the rules",
          round,
          without, with, (with - without) / requests * 1e6))
    }
    await store.close()
  }

  /// Process CPU seconds while the events of `rate × seconds` requests are published at `rate`.
  private func measure(store: SQLBenchStore, rules: [AlertRule]?, completions: [TestCompletion]) async throws
    -> Double
  {
    let bus = EventBus()
    var logger = Logger(label: "bench")
    logger.logLevel = .error
    let watching: Task<Void, Never>?
    if let rules {
      let service = AlertService(
        store: store, bus: bus, rules: rules,
        dispatcher: AlertDispatcher(settings: [], store: store, logger: logger), logger: logger)
      watching = await service.start()
    } else {
      watching = nil
    }
    let session = completions[0].sessionID
    let before = ProcessHealth.cpuSeconds()
    let start = ContinuousClock.now
    let total = rate * seconds
    // In steps of 10 ms: each step publishes the requests due by then.
    var published = 0
    var step = 0
    while published < total {
      step += 1
      let due = min(total, rate * step / 100)
      while published < due {
        published += 1
        await bus.publish(.testCompleted(completions[published % completions.count]))
        await bus.publish(
          .benchmarkProgress(
            sessionID: session, completed: published, total: total, currentTest: "c",
            progressPercent: Double(published) * 100 / Double(total)))
      }
      try await Task.sleep(until: start + .milliseconds(10 * step))
    }
    let used = ProcessHealth.cpuSeconds() - before
    watching?.cancel()
    await watching?.value
    return used
  }

  /// 997 successful requests of 64 tokens with first tokens from 20 to 119 ms in a scrambled
  /// order (sorted input would flatter the percentile rules).
  static func completions(_ session: UUID) -> [TestCompletion] {
    (0..<997).map { index in
      let ttft = Int64(20 + (index * 37) % 100)
      let events = (0..<64).map { (ttft + Int64($0)) * 1_000_000 }
      return TestCompletion(
        BenchmarkResult(
          sessionID: session, taskKey: "k\(index)", testID: "t", dataset: "d", provider: "fake",
          model: "fake-model",
          status: .success, prompt: "q", response: "a",
          timing: RequestTiming(contentEventOffsetsNanos: events, endOffsetNanos: events.last ?? 0),
          usage: Usage(inputTokens: 10, outputTokens: 64)))
    }
  }
}
