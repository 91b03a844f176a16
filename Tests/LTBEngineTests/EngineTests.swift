import Foundation
import LTBCore
import LTBEngine
import LTBFakeServer
import LTBStorage
import NIOConcurrencyHelpers
import Testing

@Suite("Benchmark engine")
struct EngineTests {
  @Test("a closed loop keeps exactly its concurrency in flight and stores every result once")
  func closedLoop() async throws {
    let options = FakeOpenAITarget.Options(
      timeToFirstToken: .milliseconds(30), interTokenLatency: .milliseconds(2), outputTokens: 8)
    try await withHarness(options: options) { harness in
      let suite = harness.suite(
        datasets: [try harness.dataset(count: 30)], load: LoadSettings(phases: [LoadPhase(concurrency: 3)]))
      let session = try await harness.run(suite)
      #expect(session.status == .completed)
      let results = try await harness.results(session.id)
      #expect(results.count == 30)
      #expect(Set(results.map(\.taskKey)).count == 30)
      #expect(
        results.allSatisfy {
          $0.status == .success && $0.usage?.outputTokens == 8
            && $0.response == "tok0 tok1 tok2 tok3 tok4 tok5 tok6 tok7 "
        })
      #expect(harness.tracker.peak == 3)
      let ttft = results.compactMap(\.timeToFirstTokenMs)
      #expect(ttft.count == 30)
      #expect(ttft.allSatisfy { $0 >= 29 }, "TTFT cannot undercut the server's 30 ms")
    }
  }

  @Test(
    "what each request carried of images and audio is stored with its result: source, format, size, hash, header facts"
  )
  func mediaInputsStored() async throws {
    try await withHarness(options: FakeOpenAITarget.Options(outputTokens: 4)) { harness in
      let png = try #require(
        Data(
          base64Encoded:
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
        ))
      let image = harness.folder.appendingPathComponent("pixel.png")
      try png.write(to: image)
      // One second of 8 kHz 16-bit mono silence.
      var wav = Data("RIFF".utf8)
      func little(_ value: Int, _ bytes: Int) -> Data {
        Data((0..<bytes).map { UInt8((value >> (8 * $0)) & 0xFF) })
      }
      wav += little(36 + 16_000, 4) + Data("WAVEfmt ".utf8) + little(16, 4) + little(1, 2) + little(1, 2)
      wav += little(8_000, 4) + little(16_000, 4) + little(2, 2) + little(16, 2) + Data("data".utf8)
      wav += little(16_000, 4) + Data(count: 16_000)
      let path = harness.folder.appendingPathComponent("media.jsonl").path
      try [
        #"{"id": "seen", "prompt": "Describe.", "images": ["\#(image.path)", {"url": "https://example.com/r.png", "detail": "low"}]}"#,
        #"{"id": "heard", "prompt": "Transcribe.", "audio": [{"base64": "\#(wav.base64EncodedString())"}]}"#,
        #"{"id": "plain", "prompt": "Nothing attached."}"#,
      ].joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
      let session = try await harness.run(harness.suite(datasets: [path]))
      let results = Dictionary(
        uniqueKeysWithValues: try await harness.results(session.id).map { ($0.testID, $0) })
      #expect(results["seen"]?.status == .success && results["plain"]?.status == .success)
      // Audio to a provider whose protocol takes none is refused before sending; what it carried
      // is still recorded.
      #expect(results["heard"]?.error?.contains("does not accept audio input") == true)
      let digest = Process()
      digest.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
      digest.arguments = [image.path]
      let output = Pipe()
      digest.standardOutput = output
      try digest.run()
      let sum = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
      digest.waitUntilExit()
      #expect(
        results["seen"]?.mediaInputs == [
          MediaInput(
            kind: .image, source: .file, location: image.path, format: "png", sizeBytes: png.count,
            sha256: sum.split(separator: " ").first.map(String.init), width: 1, height: 1),
          MediaInput(kind: .image, source: .url, location: "https://example.com/r.png"),
        ])
      let heard = try #require(results["heard"]?.mediaInputs?.first)
      #expect(heard.source == .base64 && heard.location == nil && heard.format == "wav")
      #expect(heard.sizeBytes == wav.count && heard.sampleRate == 8_000 && heard.channels == 1)
      #expect(abs((heard.durationSeconds ?? 0) - 1) < 0.001, "\(heard)")
      #expect(results["plain"]?.mediaInputs == nil)
    }
  }

  @Test("a constant rate sends on schedule: request i at i/rate, with small schedule lag")
  func constantRate() async throws {
    try await withHarness { harness in
      let phase = LoadPhase(pattern: .constantRate, concurrency: 64, rate: 40)
      let suite = harness.suite(
        datasets: [try harness.dataset(count: 40)], load: LoadSettings(phases: [phase]))
      let session = try await harness.run(suite)
      let results = try await harness.results(session.id).sorted { $0.sentOffsetMs < $1.sentOffsetMs }
      #expect(results.count == 40)
      let first = results[0].sentOffsetMs
      for (index, result) in results.enumerated() {
        let planned = first + Double(index) * 25
        #expect(
          abs(result.sentOffsetMs - planned) < 15,
          "request \(index) sent at \(result.sentOffsetMs - first) ms, planned \(planned - first) ms")
      }
      let lags = results.compactMap(\.scheduleLagMs).sorted()
      #expect(Percentiles.percentile(lags, 50) < 5)
    }
  }

  @Test("Poisson arrivals: seeded, repeatable, with the asked mean rate and exponential spread")
  func poissonSchedule() {
    var first = ArrivalSchedule(pattern: .poisson, rate: 50, seed: 7)
    var second = ArrivalSchedule(pattern: .poisson, rate: 50, seed: 7)
    var other = ArrivalSchedule(pattern: .poisson, rate: 50, seed: 8)
    var offsets: [Double] = []
    for _ in 0..<20_001 {
      let offset = first.next()
      #expect(offset == second.next())
      offsets.append(offset.milliseconds)
    }
    #expect((0..<10).map { _ in other.next() } != offsets.prefix(10).map { Duration.milliseconds($0) })
    let gaps = zip(offsets.dropFirst(), offsets).map { $0 - $1 }
    let mean = gaps.reduce(0, +) / Double(gaps.count)
    let deviation = (gaps.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(gaps.count - 1))
      .squareRoot()
    #expect(abs(mean - 20) < 0.6, "mean gap \(mean) ms for 50/s")
    #expect(abs(deviation / mean - 1) < 0.05, "an exponential's coefficient of variation is 1")
    var constant = ArrivalSchedule(pattern: .constantRate, rate: 50, seed: 7)
    #expect(
      (0..<4).map { _ in constant.next() } == [
        .zero, .milliseconds(20), .milliseconds(40), .milliseconds(60),
      ])
  }

  @Test("a Poisson run keeps its rate within tolerance")
  func poissonRun() async throws {
    try await withHarness { harness in
      let phase = LoadPhase(pattern: .poisson, concurrency: 256, rate: 100)
      let suite = harness.suite(
        datasets: [try harness.dataset(count: 200)], load: LoadSettings(phases: [phase], seed: 3))
      let session = try await harness.run(suite)
      let offsets = try await harness.results(session.id).map(\.sentOffsetMs).sorted()
      #expect(offsets.count == 200)
      let rate = Double(offsets.count - 1) / ((offsets.last! - offsets.first!) / 1_000)
      #expect(abs(rate - 100) < 20, "observed \(rate) requests per second")
    }
  }

  @Test("the provider's requests_per_minute paces a wide closed loop")
  func providerRateLimit() async throws {
    try await withHarness(adjust: { $0.requestsPerMinute = 600 }) { harness in
      let suite = harness.suite(
        datasets: [try harness.dataset(count: 30)], load: LoadSettings(phases: [LoadPhase(concurrency: 30)]))
      let start = ContinuousClock.now
      let session = try await harness.run(suite)
      #expect(try await harness.results(session.id).count == 30)
      // 10 at once, then 20 more at 10 per second.
      #expect(ContinuousClock.now - start >= .milliseconds(1_900))
    }
  }

  @Test("server errors are retried and the attempts recorded")
  func retries() async throws {
    let seen = NIOLockedValueBox<Set<String>>([])
    let inner = FakeOpenAITarget.handler(
      .init(timeToFirstToken: .milliseconds(2), interTokenLatency: .zero, outputTokens: 4))
    let handler: LoopbackHTTPServer.Handler = { request, writer in
      let prompt = String(decoding: request.body, as: UTF8.self)
      if seen.withLockedValue({ $0.insert(prompt).inserted }) {
        try await writer.respond(status: 503, body: #"{"error":{"message":"busy","type":"server_error"}}"#)
      } else {
        try await inner(request, writer)
      }
    }
    try await withHarness(handler: handler) { harness in
      let session = try await harness.run(harness.suite(datasets: [try harness.dataset(count: 6)]))
      let results = try await harness.results(session.id)
      #expect(results.count == 6)
      #expect(results.allSatisfy { $0.status == .success && $0.attempts == 2 })
    }
  }

  @Test(
    "cancelling mid-run keeps what finished; resume runs only the rest, with no duplicate and nothing missing"
  )
  func cancelAndResume() async throws {
    let options = FakeOpenAITarget.Options(
      timeToFirstToken: .milliseconds(60), interTokenLatency: .milliseconds(1), outputTokens: 4)
    try await withHarness(options: options) { harness in
      let suite = harness.suite(
        datasets: [try harness.dataset(count: 40)], load: LoadSettings(phases: [LoadPhase(concurrency: 4)]))
      let session = try await harness.service.createSession(suite)
      let events = await harness.service.bus.subscribe(topics: [RunEvent.sessionTopic(session.id)])
      let canceller = Task {
        for await event in events {
          if case .benchmarkProgress(_, let completed, _, _, _) = event, completed >= 10 {
            await harness.service.cancel(sessionID: session.id)
            return
          }
        }
      }
      let cancelled = try await harness.service.run(
        sessionID: session.id, options: .init(cancellationGrace: .zero)
      )
      .session
      canceller.cancel()
      #expect(cancelled.status == .cancelled)
      let partial = try await harness.results(session.id)
      #expect(partial.count >= 10 && partial.count < 40, "\(partial.count) stored before the cancel")
      #expect(partial.allSatisfy { $0.status == .success })
      let requestsBefore = harness.tracker.total
      let resumed = try await harness.service.run(sessionID: session.id).session
      #expect(resumed.status == .completed)
      let all = try await harness.results(session.id)
      #expect(all.count == 40)
      #expect(Set(all.map(\.testID)) == Set((0..<40).map { "c\($0)" }))
      #expect(Set(all.map(\.id)).isSuperset(of: partial.map(\.id)), "finished results are kept, not redone")
      #expect(harness.tracker.total - requestsBefore == 40 - partial.count)
    }
  }

  @Test("record then replay-only: identical answers and timings, no request reaches the server")
  func cacheReplay() async throws {
    try await withHarness { harness in
      let dataset = try harness.dataset(count: 12)
      let recorded = try await harness.run(harness.suite(datasets: [dataset], cache: .readWrite))
      let live = try await harness.results(recorded.id)
      #expect(live.allSatisfy { !$0.cacheHit })
      let requestsAfterRecording = harness.tracker.total
      let replayed = try await harness.run(harness.suite(datasets: [dataset], cache: .replayOnly))
      #expect(harness.tracker.total == requestsAfterRecording)
      let cached = try await harness.results(replayed.id)
      #expect(cached.count == 12)
      #expect(cached.allSatisfy { $0.cacheHit })
      let byCase = Dictionary(uniqueKeysWithValues: live.map { ($0.testID, $0) })
      for result in cached {
        #expect(result.response == byCase[result.testID]?.response)
        #expect(result.timing == byCase[result.testID]?.timing)
        #expect(result.usage == byCase[result.testID]?.usage)
      }
      let summary = try await harness.service.summary(sessionID: replayed.id)
      #expect(summary.groups.first?.cacheHits == 12)
      #expect(summary.groups.first?.timeToFirstToken == nil, "cache hits never count as live latency")
      let other = try harness.dataset(count: 2, name: "other", question: "Never recorded")
      let missed = try await harness.run(harness.suite(datasets: [other], cache: .replayOnly))
      let misses = try await harness.results(missed.id)
      #expect(misses.allSatisfy { $0.status == .failure && $0.errorCode == "notFound" })
    }
  }

  @Test("a failing provider stops the run at max_error_rate, as failed")
  func errorRateStop() async throws {
    let handler: LoopbackHTTPServer.Handler = { _, writer in
      try await writer.respond(
        status: 400, body: #"{"error":{"message":"bad","type":"invalid_request_error"}}"#)
    }
    try await withHarness(handler: handler) { harness in
      let suite = harness.suite(
        datasets: [try harness.dataset(count: 100)], load: LoadSettings(phases: [LoadPhase(concurrency: 1)]),
        stop: StopConditions(maxErrorRate: 0.5, minRequestsForErrorRate: 5))
      let session = try await harness.run(suite)
      #expect(session.status == .failed)
      #expect(session.stopReason?.contains("max_error_rate") == true)
      let results = try await harness.results(session.id)
      #expect(results.count == 5)
      #expect(results.allSatisfy { $0.status == .failure && $0.errorCode == "invalidRequest" })
    }
  }

  @Test("the cost budget stops the run once spent")
  func costBudget() async throws {
    let pricing = ModelPricing(inputPerMillion: 1_000_000, outputPerMillion: 1_000_000)
    try await withHarness(pricing: pricing) { harness in
      let suite = harness.suite(
        datasets: [try harness.dataset(count: 50)], load: LoadSettings(phases: [LoadPhase(concurrency: 1)]),
        stop: StopConditions(maxCostUSD: 50))
      let session = try await harness.run(suite)
      #expect(session.status == .completed)
      #expect(session.stopReason?.contains("max_cost") == true)
      let results = try await harness.results(session.id)
      let spent = results.compactMap { $0.cost?.total }.reduce(0, +)
      #expect(spent > 50)
      #expect(results.count < 50)
      #expect(spent - (results.last?.cost?.total ?? 0) <= 50, "it stopped right after crossing the budget")
    }
  }

  @Test("max_duration stops sending once the time is up")
  func durationStop() async throws {
    let options = FakeOpenAITarget.Options(
      timeToFirstToken: .milliseconds(50), interTokenLatency: .zero, outputTokens: 4)
    try await withHarness(options: options) { harness in
      let suite = harness.suite(
        datasets: [try harness.dataset(count: 200)], load: LoadSettings(phases: [LoadPhase(concurrency: 2)]),
        stop: StopConditions(maxDurationSeconds: 0.5))
      let start = ContinuousClock.now
      let session = try await harness.run(suite)
      #expect(ContinuousClock.now - start < .seconds(2))
      #expect(session.status == .completed)
      #expect(session.stopReason?.contains("max_duration") == true)
      let count = try await harness.results(session.id).count
      #expect(count > 2 && count < 40, "\(count) requests in half a second at 2 × 50 ms")
    }
  }

  @Test("the suite's per-request timeout turns a slow answer into a timeout result")
  func requestTimeout() async throws {
    let options = FakeOpenAITarget.Options(
      timeToFirstToken: .milliseconds(600), interTokenLatency: .zero, outputTokens: 4)
    try await withHarness(options: options) { harness in
      var suite = harness.suite(datasets: [try harness.dataset(count: 3)])
      suite.requestTimeoutMilliseconds = 150
      let start = ContinuousClock.now
      let session = try await harness.run(suite)
      #expect(
        ContinuousClock.now - start < .seconds(1.5), "three requests cut at 150 ms, not three waits of 600 ms"
      )
      let results = try await harness.results(session.id)
      #expect(results.count == 3)
      #expect(results.allSatisfy { $0.status == .timeout && $0.errorCode == "timeout" })
      let summary = try await harness.service.summary(sessionID: session.id)
      #expect(summary.groups.first?.timedOut == 3)
    }
  }

  @Test("max_requests, repeats, warm-up and a concurrency sweep")
  func limitsAndPhases() async throws {
    try await withHarness { harness in
      let dataset = try harness.dataset(count: 5)
      let limited = try await harness.run(
        harness.suite(datasets: [dataset], stop: StopConditions(maxRequests: 3)))
      #expect(try await harness.results(limited.id).count == 3)
      let sweep = LoadSettings(
        phases: [LoadPhase(concurrency: 1), LoadPhase(concurrency: 2)], warmupRequests: 2)
      let swept = try await harness.run(harness.suite(datasets: [dataset], load: sweep, repeats: 2))
      let results = try await harness.results(swept.id)
      #expect(results.count == 20)
      #expect(Dictionary(grouping: results, by: \.phase).mapValues(\.count) == [0: 10, 1: 10])
      #expect(results.filter(\.warmup).count == 4)
      let summary = try await harness.service.summary(sessionID: swept.id)
      #expect(summary.groups.map(\.phase) == [0, 1])
      #expect(summary.groups.allSatisfy { $0.warmup == 2 && $0.timeToFirstToken?.count == 8 })
    }
  }

  @Test("events: started, every progress step and test, then completed, in order")
  func events() async throws {
    try await withHarness { harness in
      let suite = harness.suite(datasets: [try harness.dataset(count: 8)])
      let session = try await harness.service.createSession(suite)
      let stream = await harness.service.bus.subscribe(topics: [RunEvent.sessionTopic(session.id)])
      let collector = Task {
        var seen: [RunEvent] = []
        for await event in stream {
          seen.append(event)
          if case .benchmarkCompleted = event { break }
        }
        return seen
      }
      _ = try await harness.service.run(sessionID: session.id)
      let seen = await collector.value
      guard case .benchmarkStarted(_, _, _, let total)? = seen.first else {
        Issue.record("the first event is not benchmarkStarted")
        return
      }
      #expect(total == 8)
      let progress = seen.compactMap { event -> Int? in
        if case .benchmarkProgress(_, let completed, _, _, _) = event { return completed }
        return nil
      }
      #expect(progress == Array(1...8))
      #expect(seen.filter { if case .testCompleted = $0 { true } else { false } }.count == 8)
      guard case .benchmarkCompleted(_, let status, let completed, let failed, _)? = seen.last else {
        Issue.record("the last event is not benchmarkCompleted")
        return
      }
      #expect(status == .completed && completed == 8 && failed == 0)
    }
  }

  @Test("a slow subscriber's buffer stays bounded and drops are counted")
  func boundedSubscribers() async {
    let bus = EventBus()
    let stream = await bus.subscribe(bufferSize: 10)
    for index in 0..<100 {
      await bus.publish(.metricUpdate(name: "m", value: Double(index), labels: [:], timestamp: Date()))
    }
    #expect(await bus.droppedEvents == 90)
    var received: [Double] = []
    for await event in stream {
      if case .metricUpdate(_, let value, _, _) = event { received.append(value) }
      if received.count == 10 { break }
    }
    #expect(received == (90..<100).map(Double.init), "the newest events are kept")
  }

  @Test("the summary follows docs/metrics.md on known timings")
  func summaryFigures() async throws {
    let options = FakeOpenAITarget.Options(
      timeToFirstToken: .milliseconds(40), interTokenLatency: .milliseconds(10), outputTokens: 6)
    try await withHarness(options: options) { harness in
      let suite = harness.suite(
        datasets: [try harness.dataset(count: 10)], load: LoadSettings(phases: [LoadPhase(concurrency: 2)]),
        slo: ServiceLevelObjectives(maxTimeToFirstTokenMs: 1_000))
      let session = try await harness.run(suite)
      let summary = try await harness.service.summary(sessionID: session.id)
      let group = try #require(summary.groups.first)
      #expect(group.requests == 10 && group.succeeded == 10)
      let ttft = try #require(group.timeToFirstToken)
      #expect(ttft.p50 >= 40 && ttft.p50 < 60, "TTFT p50 \(ttft.p50) for an injected 40 ms")
      let e2e = try #require(group.endToEnd)
      #expect(e2e.p50 >= 90 && e2e.p50 < 120, "E2E p50 \(e2e.p50) for 40 + 5 × 10 ms")
      let itl = try #require(group.interTokenLatency)
      #expect(itl.count == 50, "5 gaps per request, pooled")
      #expect(itl.p50 >= 8 && itl.p50 < 15)
      let tpot = try #require(group.timePerOutputToken)
      #expect(tpot.p50 >= 9 && tpot.p50 < 14)
      #expect(group.outputTokens == 60)
      #expect(group.requestThroughput > 0)
      #expect(abs(group.outputTokenThroughput - group.requestThroughput * 6) < 1e-9)
      #expect(group.goodput == group.requestThroughput, "every request met the 1 s TTFT objective")
    }
  }
}
