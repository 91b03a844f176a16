import Foundation
import LTBCore
import LTBEngine
import LTBStorage
import Testing

/// Goodput counts the measured requests that meet every objective, per the window: one request
/// per objective misses exactly that objective, so each objective alone and all together give a
/// known count.
@Suite("Goodput")
struct GoodputTests {
  /// Content events at `ttft` and then every `gap` ms for `tokens` tokens (all times in ms).
  static func result(session: UUID, _ id: String, ttft: Int64, gap: Int64, tokens: Int) -> BenchmarkResult {
    let events = (0..<tokens).map { (ttft + gap * Int64($0)) * 1_000_000 }
    return BenchmarkResult(
      sessionID: session, taskKey: id, testID: id, dataset: "d", provider: "p", model: "m", status: .success,
      prompt: "q", response: "a",
      timing: RequestTiming(contentEventOffsetsNanos: events, endOffsetNanos: events.last ?? 0),
      usage: Usage(inputTokens: 1, outputTokens: tokens))
  }

  /// Every request sent at 0; the window is the longest, 4,000 ms.
  static func results(_ session: UUID) -> [BenchmarkResult] {
    [
      result(session: session, "meets-1", ttft: 100, gap: 40, tokens: 11),  // E2E 500, TPOT 40, 22 tok/s
      result(session: session, "meets-2", ttft: 200, gap: 20, tokens: 21),  // E2E 600, TPOT 20, 35 tok/s
      result(session: session, "slow-first", ttft: 600, gap: 10, tokens: 21),  // TTFT over 500; 26 tok/s
      // E2E 4,000 over 3,000; 25 tok/s
      result(session: session, "slow-end", ttft: 100, gap: 39, tokens: 101),
      result(session: session, "slow-tokens", ttft: 100, gap: 80, tokens: 11),  // TPOT 80 over 50; 12.2 tok/s
      result(session: session, "low-rate", ttft: 250, gap: 50, tokens: 3),  // 3 tokens in 350 ms: 8.6 tok/s
      // No TPOT to hold it to; 1 token in 50 ms: 20 tok/s
      result(session: session, "one-token", ttft: 50, gap: 0, tokens: 1),
    ]
  }

  @Test(
    "goodput: each objective alone, and all of them together",
    arguments: [
      (ServiceLevelObjectives(maxTimeToFirstTokenMs: 500), 6),
      (ServiceLevelObjectives(maxEndToEndMs: 3_000), 6),
      (ServiceLevelObjectives(maxTimePerOutputTokenMs: 50), 6),
      (ServiceLevelObjectives(minOutputTokensPerSecond: 11), 6),
      (
        ServiceLevelObjectives(
          maxTimeToFirstTokenMs: 500, maxEndToEndMs: 3_000, maxTimePerOutputTokenMs: 50,
          minOutputTokensPerSecond: 11), 3
      ),
    ])
  func goodput(_ slo: ServiceLevelObjectives, _ meeting: Int) async throws {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("ltb-goodput-\(UUID()).sqlite")
      .path
    defer {
      for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }
    let store = try await SQLBenchStore.open(.sqlite(path: path))
    let suite = BenchmarkSuite(name: "g", datasets: [], targets: [BenchmarkTarget(provider: "p")], slo: slo)
    let session = BenchmarkSession(name: "g", status: .completed, suite: suite, totalTasks: 7)
    try await store.createSession(session)
    try await store.insertResults(Self.results(session.id))
    let summary = try await BenchmarkSummary.build(store: store, sessionID: session.id)
    await store.close()
    let group = try #require(summary.groups.first)
    #expect(abs(group.windowSeconds - 4) < 1e-9)
    #expect(abs(group.requestThroughput - 7.0 / 4) < 1e-9)
    let goodput = try #require(group.goodput)
    #expect(abs(goodput - Double(meeting) / 4) < 1e-9, "\(goodput * 4) requests met \(slo)")
  }

  @Test("no objectives, no goodput")
  func noObjectives() async throws {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("ltb-goodput-\(UUID()).sqlite")
      .path
    defer {
      for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }
    let store = try await SQLBenchStore.open(.sqlite(path: path))
    let suite = BenchmarkSuite(name: "g", datasets: [], targets: [BenchmarkTarget(provider: "p")])
    let session = BenchmarkSession(name: "g", status: .completed, suite: suite, totalTasks: 7)
    try await store.createSession(session)
    try await store.insertResults(Self.results(session.id))
    let summary = try await BenchmarkSummary.build(store: store, sessionID: session.id)
    await store.close()
    #expect(summary.groups.first?.goodput == nil)
  }
}
