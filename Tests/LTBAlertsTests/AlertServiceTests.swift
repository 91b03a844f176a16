import Foundation
import LTBCore
import LTBEngine
import LTBStorage
import Logging
import Testing

@testable import LTBAlerts

/// The service over a real SQLite store and bus: store-wide rules read the queue and the
/// workers, firing and resolution are stored and published, API rules are saved and checked,
/// and stopping resolves what still fires.
@Suite("Alert service")
struct AlertServiceTests {
  static func withService(
    rules: [AlertRule], _ body: (AlertService, SQLBenchStore, AsyncStream<RunEvent>) async throws -> Void
  ) async throws {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent(
      "ltb-alert-service-\(UUID().uuidString)"
    )
    .path
    defer {
      for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }
    let store = try await SQLBenchStore.open(.sqlite(path: path))
    let bus = EventBus()
    let events = await bus.subscribe(topics: ["alerts"])
    var logger = Logger(label: "test")
    logger.logLevel = .critical
    let service = AlertService(
      store: store, bus: bus, rules: rules,
      dispatcher: AlertDispatcher(settings: [], store: store, logger: logger),
      logger: logger)
    do {
      try await body(service, store, events)
      await store.close()
    } catch {
      await store.close()
      throw error
    }
  }

  @Test("a silent worker and a deep queue fire store-wide alerts; stopping resolves them with the reason")
  func storeWide() async throws {
    let rules = [
      AlertRule(name: "silent-worker", metric: .workerHeartbeatAge, threshold: 30, minSamples: 1),
      AlertRule(name: "backlog", metric: .queueDepth, threshold: 2, minSamples: 1, severity: .error),
    ]
    try await Self.withService(rules: rules) { service, store, events in
      let now = Int64((Date().timeIntervalSince1970 * 1e6).rounded())
      try await store.registerWorker(
        WorkerRecord(
          id: UUID(), name: "w", capabilities: #"{"supportedProviders":["p"]}"#,
          registeredMicros: now - 90_000_000,
          heartbeatMicros: now - 60_000_000))
      let session = BenchmarkSession(
        name: "s", status: .running, suite: BenchmarkSuite(name: "s", datasets: [], targets: []),
        totalTasks: 3)
      try await store.createSession(session)
      try await store.enqueue(
        (0..<3).map { QueuedTask(sessionID: session.id, taskKey: "k\($0)", provider: "p", payload: "{}") },
        maxAttempts: 1)
      let watching = await service.start()
      await service.evaluate()
      let firing = try await store.alerts(AlertQuery(firing: true))
      #expect(Set(firing.map(\.ruleName)) == ["silent-worker", "backlog"])
      #expect((firing.first { $0.ruleName == "silent-worker" }?.value ?? 0) >= 60)
      #expect(firing.first { $0.ruleName == "backlog" }?.value == 3)
      #expect(firing.allSatisfy { $0.sessionID == nil })
      watching.cancel()
      await watching.value
      #expect(try await store.alerts(AlertQuery(firing: true)).isEmpty)
      var seen: [String] = []
      for await event in events {
        guard case .alert(_, _, let details) = event else { continue }
        seen.append("\(details["rule"] ?? "") \(details["state"] ?? "") \(details["note"] ?? "")")
        if seen.count == 4 { break }
      }
      #expect(
        Set(seen) == [
          "silent-worker firing ", "backlog firing ", "silent-worker resolved ltb stopped watching",
          "backlog resolved ltb stopped watching",
        ])
    }
  }

  @Test(
    "API rules: saved when valid, refused with a fix when a channel is unknown or a name is the configuration's"
  )
  func apiRules() async throws {
    let configured = AlertRule(name: "from-file", metric: .ttft, threshold: 500)
    try await Self.withService(rules: [configured]) { service, store, _ in
      let rule = AlertRule(id: UUID(), name: "api-rule", metric: .errorRate, threshold: 0.1)
      _ = try await service.save(rule, by: nil)
      #expect(try await store.alertRules() == [rule])
      #expect(
        await service.rules.map { "\($0.rule.name)/\($0.source.rawValue)" } == [
          "from-file/configuration", "api-rule/api",
        ])
      await #expect {
        try await service.save(
          AlertRule(id: UUID(), name: "x", metric: .ttft, threshold: 1, channels: ["pager"]), by: nil)
      } throws: { error in
        (error as? LTBError)?.message == "alert rule 'x': there is no channel named 'pager'"
      }
      await #expect {
        try await service.save(AlertRule(id: UUID(), name: "from-file", metric: .ttft, threshold: 1), by: nil)
      } throws: { error in
        (error as? LTBError)?.message.contains("is defined in the configuration file") == true
      }
      #expect(try await service.delete(rule.id))
      #expect(try await store.alertRules().isEmpty)
    }
  }

  @Test("a suite's rules watch its session only, from its start; its end resolves them with the reason")
  func suiteRules() async throws {
    try await Self.withService(rules: []) { service, store, events in
      let rule = AlertRule(name: "slow", metric: .ttft, statistic: .max, threshold: 100, minSamples: 2)
      let suite = BenchmarkSuite(
        name: "s", datasets: [], targets: [BenchmarkTarget(provider: "p")], alerts: [rule])
      let (mine, other) = (
        BenchmarkSession(name: "mine", status: .running, suite: suite, totalTasks: 2),
        BenchmarkSession(
          name: "other", status: .running, suite: BenchmarkSuite(name: "o", datasets: [], targets: []),
          totalTasks: 2)
      )
      try await store.createSession(mine)
      try await store.createSession(other)
      func slow(_ session: UUID) -> TestCompletion {
        var completion = AlertEvaluatorTests.completion(ttft: 300, session: session)
        completion.warmup = false
        return completion
      }
      await service.handle(
        .benchmarkStarted(sessionID: mine.id, dataset: "d", providers: ["p"], totalTests: 2))
      let scoped = await service.rules
      #expect(
        scoped.count == 1 && scoped.first?.source == .suite && scoped.first?.rule.labels.session == mine.id)
      for session in [other.id, other.id, mine.id, mine.id] {
        await service.handle(.testCompleted(slow(session)))
      }
      await service.evaluate()
      let firing = try await store.alerts(AlertQuery(firing: true))
      #expect(firing.map(\.sessionID) == [mine.id], "only the suite's own session is watched")
      await service.handle(
        .benchmarkCompleted(
          sessionID: mine.id, status: .completed, completed: 2, failed: 0, durationSeconds: 1))
      #expect(try await store.alerts(AlertQuery(firing: true)).isEmpty)
      #expect(await service.rules.isEmpty, "the suite's rules leave with its run")
      var notes: [String] = []
      for await event in events {
        guard case .alert(_, let message, let details) = event, details["state"] == "resolved" else {
          continue
        }
        notes.append(details["note"] ?? "")
        #expect(message.hasSuffix("(resolved: its run ended)"))
        break
      }
      #expect(notes == ["its run ended"])
    }
  }
}
