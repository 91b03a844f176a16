import Foundation
import LTBCore
import LTBEngine
import LTBStorage
import Testing

/// The live figures the dashboard shows: percentiles counted in buckets, over the requests the
/// stored summary counts, and delivered to watchers each tick and once more at the end.
@Suite("Live statistics")
struct LiveStatisticsTests {
  /// A result of `session` whose first token came after `ttft` ms and its last after `e2e` ms.
  static func result(
    _ session: UUID, _ id: String, ttft: Int64, e2e: Int64, status: ResultStatus = .success,
    warmup: Bool = false, cacheHit: Bool = false, code: String? = nil
  ) -> BenchmarkResult {
    let events = [ttft, (ttft + e2e) / 2, e2e].map { $0 * 1_000_000 }
    return BenchmarkResult(
      sessionID: session, taskKey: id, testID: id, dataset: "d", provider: "p", model: "m", warmup: warmup,
      status: status, errorCode: code, prompt: "q", response: status == .success ? "a" : nil,
      timing: status == .success
        ? RequestTiming(contentEventOffsetsNanos: events, endOffsetNanos: events[2]) : nil,
      usage: Usage(inputTokens: 2, outputTokens: 3), cost: Cost(input: 0.001, output: 0.002),
      cacheHit: cacheHit)
  }

  @Test("the figures a watcher gets match the summary built from the same results in the store")
  func matchesStoredSummary() async throws {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("ltb-live-\(UUID()).sqlite").path
    defer {
      for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }
    let store = try await SQLBenchStore.open(.sqlite(path: path))
    let suite = BenchmarkSuite(name: "l", datasets: [], targets: [BenchmarkTarget(provider: "p")])
    let session = BenchmarkSession(name: "l", status: .running, suite: suite, totalTasks: 60)
    try await store.createSession(session)
    var results = (0..<50).map {
      Self.result(session.id, "ok\($0)", ttft: 10 + Int64($0 * 7 % 23), e2e: 100 + Int64($0))
    }
    results.append(Self.result(session.id, "warm", ttft: 900, e2e: 990, warmup: true))
    results.append(Self.result(session.id, "cached", ttft: 1, e2e: 2, cacheHit: true))
    results += (0..<3).map {
      Self.result(session.id, "bad\($0)", ttft: 0, e2e: 0, status: .failure, code: "http_500")
    }
    results.append(Self.result(session.id, "slow", ttft: 0, e2e: 0, status: .timeout, code: "timeout"))
    try await store.insertResults(results)
    let summary = try #require(
      try await BenchmarkSummary.build(store: store, sessionID: session.id).groups.first)
    await store.close()

    let hub = LiveStatisticsHub()
    let figures = await hub.watch(session.id)
    await hub.ingest(
      .benchmarkProgress(sessionID: session.id, completed: 0, total: 60, currentTest: "", progressPercent: 0))
    for result in results { await hub.ingest(.testCompleted(TestCompletion(result))) }
    await hub.tick(now: Date())
    var iterator = figures.makeAsyncIterator()
    let live = try #require(await iterator.next())
    #expect(live.completed == 56 && live.failed == 4 && live.total == 60 && !live.finished)
    #expect(live.errorsByCode == ["http_500": 3, "timeout": 1])
    #expect(abs(live.costUSD - 56 * 0.003) < 1e-9)
    #expect(live.recent.count == 1 && live.recent[0].requests == 56 && live.recent[0].errors == 4)
    #expect(live.requestsPerSecond == 56)
    #expect(live.etaSeconds.map { abs($0 - 4.0 / 56) < 1e-9 } == true)
    let target = try #require(live.targets.first)
    #expect(target.requests == 56 && target.succeeded == 50)
    for (shown, stored) in [
      (target.timeToFirstToken, summary.timeToFirstToken), (target.endToEnd, summary.endToEnd),
      (target.timePerOutputToken, summary.timePerOutputToken),
    ] {
      let (shown, stored) = (try #require(shown), try #require(stored))
      // Counted in buckets: each percentile within one bucket (1 µs below 16.384 ms, 1/8192
      // of the value above); count, mean and max exact.
      for (live, exact) in [(shown.p50, stored.p50), (shown.p90, stored.p90), (shown.p99, stored.p99)] {
        #expect(abs(live - exact) <= exact / 8_192 + 0.000_5, "live \(live), stored \(exact)")
      }
      #expect(shown.count == stored.count && shown.max == stored.max && abs(shown.mean - stored.mean) < 1e-9)
    }

    // The end: a last message marked finished, then the stream ends; a late watcher gets the
    // same last figures and its stream ends too.
    await hub.ingest(
      .benchmarkCompleted(
        sessionID: session.id, status: .completed, completed: 56, failed: 4, durationSeconds: 1))
    let last = try #require(await iterator.next())
    #expect(last.finished && last.status == .completed && last.etaSeconds == 0)
    #expect(await iterator.next() == nil)
    var late = await hub.watch(session.id).makeAsyncIterator()
    #expect(await late.next()?.completed == 56)
    #expect(await late.next() == nil)
  }

  @Test("sessions nobody watches still count; ended ones are forgotten a minute after their end")
  func forgetting() async throws {
    let hub = LiveStatisticsHub()
    let session = UUID()
    await hub.ingest(.testCompleted(TestCompletion(Self.result(session, "a", ttft: 5, e2e: 9))))
    await hub.tick(now: Date())
    #expect(await hub.knows(session))
    await hub.ingest(
      .benchmarkCompleted(sessionID: session, status: .completed, completed: 1, failed: 0, durationSeconds: 1)
    )
    await hub.tick(now: Date().addingTimeInterval(30))
    #expect(await hub.knows(session))
    await hub.tick(now: Date().addingTimeInterval(61))
    #expect(await hub.knows(session) == false)
    #expect(await hub.sessionCount == 0)
  }
}
