public import Foundation
public import LTBCore
public import LTBStorage

/// The figures of a run per provider, model and phase, computed from the stored results as
/// `docs/metrics.md` defines them. Latency figures use live, successful, measured requests only:
/// warm-up requests and cache hits are counted but never mixed into latency.
public struct BenchmarkSummary: Sendable, Codable {
  /// The session.
  public var sessionID: UUID
  /// The session's status.
  public var status: SessionStatus
  /// Why it stopped early, if it did.
  public var stopReason: String?
  /// One entry per provider, model and phase.
  public var groups: [GroupSummary]

  /// Figures of one provider, model and phase.
  public struct GroupSummary: Sendable, Codable {
    /// The provider.
    public var provider: String
    /// The model.
    public var model: String
    /// The load phase.
    public var phase: Int
    /// The sampling parameters of the suite's target (a matrix gives one group per combination;
    /// cases may still override some for themselves).
    public var parameters: SamplingParameters
    /// Every request stored.
    public var requests: Int
    /// Successful requests.
    public var succeeded: Int
    /// Failed requests.
    public var failed: Int
    /// Timed-out requests.
    public var timedOut: Int
    /// Skipped requests.
    public var skipped: Int
    /// Warm-up requests (outside the window).
    public var warmup: Int
    /// Answers from the response cache.
    public var cacheHits: Int
    /// Failures by error code.
    public var errorsByCode: [String: Int]
    /// Successful requests over all requests.
    public var successRate: Double
    /// Time to first token, ms.
    public var timeToFirstToken: Distribution?
    /// End-to-end latency, ms.
    public var endToEnd: Distribution?
    /// Time per output token, ms.
    public var timePerOutputToken: Distribution?
    /// Inter-token latency, pooled over requests, ms.
    public var interTokenLatency: Distribution?
    /// Schedule lag (client overhead), ms.
    public var scheduleLag: Distribution?
    /// Last content − scheduled time, ms (free of coordinated omission).
    public var latencyFromSchedule: Distribution?
    /// First send to last response of the measured requests, seconds.
    public var windowSeconds: Double
    /// Completed measured requests per second of the window.
    public var requestThroughput: Double
    /// Output tokens per second of the window.
    public var outputTokenThroughput: Double
    /// Requests meeting every objective per second of the window; `nil` without objectives.
    public var goodput: Double?
    /// Share of measured requests meeting every objective.
    public var sloAttainment: Double?
    /// Input tokens over all requests.
    public var inputTokens: Int
    /// Output tokens over all requests.
    public var outputTokens: Int
    /// Requests whose token counts are estimates (the vendor reported none).
    public var estimatedUsage: Int
    /// Cost of the model under test, US dollars; `nil` when any request had no price.
    public var costUSD: Double?
    /// The part of `costUSD` that was images, US dollars.
    public var imageCostUSD: Double = 0
    /// The part of `costUSD` that was audio, US dollars.
    public var audioCostUSD: Double = 0
    /// Mean of the server's own prompt time, ms.
    public var serverPromptMs: Double?
    /// Mean of the server's own generation time, ms.
    public var serverGenerationMs: Double?
    /// Mean of the server's own generation speed, tokens per second.
    public var serverTokensPerSecond: Double?
  }

  /// Computes the summary of a session from its stored results, page by page.
  public static func build(store: any BenchStore, sessionID: UUID) async throws -> BenchmarkSummary {
    guard let session = try await store.session(sessionID) else {
      throw LTBError(.notFound, "no session \(sessionID)", fix: "list sessions with `ltb sessions list`")
    }
    var accumulators: [GroupKey: Accumulator] = [:]
    try await store.forEachResultPage(session: sessionID) { page in
      for result in page {
        let targets = session.suite.targets
        let parameters =
          targets.indices.contains(result.targetIndex)
          ? targets[result.targetIndex].parameters : SamplingParameters()
        let key = GroupKey(
          provider: result.provider, model: result.model, phase: result.phase, parameters: parameters)
        accumulators[key, default: Accumulator()].add(result, slo: session.suite.slo)
      }
    }
    let keys = accumulators.keys.sorted {
      ($0.phase, $0.provider, $0.model, $0.parameters.label)
        < ($1.phase, $1.provider, $1.model, $1.parameters.label)
    }
    // Each accumulator is taken out of the dictionary, so its columns are freed as they are read.
    let groups = keys.compactMap { key in
      var accumulator = accumulators.removeValue(forKey: key)
      return accumulator?.summary(key: key, slo: session.suite.slo)
    }
    return BenchmarkSummary(
      sessionID: sessionID, status: session.status, stopReason: session.stopReason, groups: groups)
  }

  private struct GroupKey: Hashable {
    var provider: String
    var model: String
    var phase: Int
    var parameters: SamplingParameters
  }

  private struct Accumulator {
    var requests = 0
    var succeeded = 0
    var failed = 0
    var timedOut = 0
    var skipped = 0
    var warmup = 0
    var cacheHits = 0
    var errors: [String: Int] = [:]
    var ttft = SampleColumn()
    var e2e = SampleColumn()
    var tpot = SampleColumn()
    /// Pooled gaps, counted in buckets: a million-request run has tens of millions.
    var itl = CountedSample()
    var lag = SampleColumn()
    var fromSchedule = SampleColumn()
    var windowStart = Double.infinity
    var windowEnd = -Double.infinity
    var measuredCompleted = 0
    var measuredOutputTokens = 0
    var meetingSLO = 0
    var inputTokens = 0
    var outputTokens = 0
    var estimated = 0
    var cost = 0.0
    var imageCost = 0.0
    var audioCost = 0.0
    var unpriced = false
    var serverPrompt = RunningMean()
    var serverGeneration = RunningMean()
    var serverRate = RunningMean()

    mutating func add(_ result: BenchmarkResult, slo: ServiceLevelObjectives) {
      requests += 1
      switch result.status {
      case .success: succeeded += 1
      case .failure: failed += 1
      case .timeout: timedOut += 1
      case .skipped: skipped += 1
      }
      if let code = result.errorCode { errors[code, default: 0] += 1 }
      if result.warmup { warmup += 1 }
      if result.cacheHit { cacheHits += 1 }
      if let usage = result.usage {
        inputTokens += usage.inputTokens
        outputTokens += usage.outputTokens
        if usage.source == .estimated { estimated += 1 }
      }
      if let cost = result.cost {
        self.cost += cost.total
        imageCost += cost.image
        audioCost += cost.audio
      } else if result.status == .success {
        unpriced = true
      }
      guard !result.warmup, !result.cacheHit, result.status != .skipped else { return }
      windowStart = min(windowStart, result.sentOffsetMs)
      windowEnd = max(windowEnd, result.sentOffsetMs + result.durationMs)
      guard result.status == .success, let timing = result.timing else { return }
      measuredCompleted += 1
      measuredOutputTokens += result.usage?.outputTokens ?? 0
      if let value = result.timeToFirstTokenMs { ttft.append(value) }
      if let value = result.endToEndMs { e2e.append(value) }
      if let value = result.timePerOutputTokenMs { tpot.append(value) }
      for gap in timing.interTokenLatencies { itl.add(gap.milliseconds) }
      if let value = result.scheduleLagMs { lag.append(value) }
      if let value = timing.latencyFromSchedule?.milliseconds { fromSchedule.append(value) }
      if slo.isMet(by: result) { meetingSLO += 1 }
      if let server = result.serverTimings {
        if let value = server.promptMilliseconds { serverPrompt.add(value) }
        if let value = server.generationMilliseconds { serverGeneration.add(value) }
        if let value = server.generatedTokensPerSecond { serverRate.add(value) }
      }
    }

    mutating func summary(key: GroupKey, slo: ServiceLevelObjectives) -> GroupSummary {
      let window = windowEnd > windowStart ? (windowEnd - windowStart) / 1_000 : 0
      // One column sorted at a time, each released before the next.
      let timeToFirstToken = Distribution(sorted: ttft.takeSorted())
      let endToEnd = Distribution(sorted: e2e.takeSorted())
      let timePerOutputToken = Distribution(sorted: tpot.takeSorted())
      let scheduleLag = Distribution(sorted: lag.takeSorted())
      let latencyFromSchedule = Distribution(sorted: fromSchedule.takeSorted())
      return GroupSummary(
        provider: key.provider, model: key.model, phase: key.phase, parameters: key.parameters,
        requests: requests, succeeded: succeeded,
        failed: failed,
        timedOut: timedOut, skipped: skipped, warmup: warmup, cacheHits: cacheHits, errorsByCode: errors,
        successRate: requests == 0 ? 0 : Double(succeeded) / Double(requests),
        timeToFirstToken: timeToFirstToken,
        endToEnd: endToEnd, timePerOutputToken: timePerOutputToken,
        interTokenLatency: itl.distribution,
        scheduleLag: scheduleLag, latencyFromSchedule: latencyFromSchedule,
        windowSeconds: window,
        requestThroughput: window > 0 ? Double(measuredCompleted) / window : 0,
        outputTokenThroughput: window > 0 ? Double(measuredOutputTokens) / window : 0,
        goodput: slo.isEmpty || window == 0 ? nil : Double(meetingSLO) / window,
        sloAttainment: slo.isEmpty || measuredCompleted == 0
          ? nil : Double(meetingSLO) / Double(measuredCompleted),
        inputTokens: inputTokens, outputTokens: outputTokens, estimatedUsage: estimated,
        costUSD: unpriced ? nil : cost, imageCostUSD: imageCost, audioCostUSD: audioCost,
        serverPromptMs: serverPrompt.value, serverGenerationMs: serverGeneration.value,
        serverTokensPerSecond: serverRate.value)
    }
  }

  /// A mean kept as a sum and a count, added in the order the values come.
  private struct RunningMean {
    var sum = 0.0
    var count = 0

    mutating func add(_ value: Double) {
      sum += value
      count += 1
    }

    var value: Double? { count == 0 ? nil : sum / Double(count) }
  }
}
