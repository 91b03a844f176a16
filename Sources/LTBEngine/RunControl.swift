import Foundation
import LTBCore

/// The state of a run that every worker shares: the task source, the counters, the stop
/// conditions and the reason the run stopped, if it did.
actor RunControl {
  enum StopReason: Equatable {
    case cancelled
    case maxRequests(Int)
    case maxDuration(Double)
    case errorRate(Double, Double)
    case costBudget(Double, Double)
    case storage(String)
    case noWorkers(Double)

    var description: String {
      switch self {
      case .cancelled: "cancelled"
      case .maxRequests(let count): "reached max_requests (\(count))"
      case .maxDuration(let seconds): "reached max_duration (\(seconds) s)"
      case .errorRate(let rate, let limit):
        "error rate \(String(format: "%.1f", rate * 100))% exceeded max_error_rate \(String(format: "%.1f", limit * 100))%"
      case .costBudget(let cost, let budget):
        String(format: "cost $%.4f exceeded max_cost $%.4f", cost, budget)
      case .storage(let message): "storage failed: \(message)"
      case .noWorkers(let seconds):
        "no worker took the queued tasks for \(Int(seconds)) s (start `ltb worker`, then resume the session)"
      }
    }

    /// Whether the session ends as failed (not merely stopped early).
    var isFailure: Bool {
      switch self {
      case .errorRate, .storage, .noWorkers: true
      default: false
      }
    }
  }

  private let stop: StopConditions
  private let skipKeys: Set<String>
  private let start = ContinuousClock.now
  private var iterator: TaskIterator?
  private var phaseDispatched = 0
  private var phaseLimit = Int.max
  private var phaseDeadline: ContinuousClock.Instant?
  private var warmup = 0
  private(set) var dispatched = 0
  private(set) var completed = 0
  private(set) var failed = 0
  private(set) var cacheHits = 0
  private(set) var cost = 0.0
  private(set) var stopReason: StopReason?
  private var recentTimeToFirstToken: [Double] = []
  private var recentIndex = 0

  init(stop: StopConditions, skipKeys: Set<String>) {
    self.stop = stop
    self.skipKeys = skipKeys
  }

  /// Starts a phase with its tasks, its own limits and its warm-up count.
  func beginPhase(_ iterator: TaskIterator, limit: Int?, durationSeconds: Double?, warmup: Int) {
    self.iterator = iterator
    phaseDispatched = 0
    phaseLimit = limit ?? Int.max
    phaseDeadline = durationSeconds.map { ContinuousClock.now + .milliseconds(Int64($0 * 1_000)) }
    self.warmup = warmup
  }

  /// The next task to send and whether it is a warm-up request; `nil` when the phase is over or the run stopped.
  func next() -> (BenchmarkTask, warmup: Bool)? {
    guard stopReason == nil else { return nil }
    if let limit = stop.maxRequests, dispatched >= limit {
      stopReason = .maxRequests(limit)
      return nil
    }
    if let seconds = stop.maxDurationSeconds,
      ContinuousClock.now - start >= .milliseconds(Int64(seconds * 1_000))
    {
      stopReason = .maxDuration(seconds)
      return nil
    }
    guard phaseDispatched < phaseLimit else { return nil }
    if let deadline = phaseDeadline, ContinuousClock.now >= deadline { return nil }
    while let task = iterator?.next() {
      if skipKeys.contains(task.key) { continue }
      phaseDispatched += 1
      dispatched += 1
      return (task, phaseDispatched <= warmup)
    }
    return nil
  }

  /// Counts a finished request and checks the error-rate and cost stops.
  func record(_ result: BenchmarkResult) {
    completed += 1
    if result.status == .failure || result.status == .timeout { failed += 1 }
    if result.cacheHit { cacheHits += 1 }
    cost += result.cost?.total ?? 0
    if let ttft = result.timeToFirstTokenMs, !result.cacheHit {
      if recentTimeToFirstToken.count < 512 {
        recentTimeToFirstToken.append(ttft)
      } else {
        recentTimeToFirstToken[recentIndex] = ttft
        recentIndex = (recentIndex + 1) % 512
      }
    }
    guard stopReason == nil else { return }
    if let limit = stop.maxErrorRate, completed >= stop.minRequestsForErrorRate {
      let rate = Double(failed) / Double(completed)
      if rate > limit { stopReason = .errorRate(rate, limit) }
    }
    if let budget = stop.maxCostUSD, cost > budget { stopReason = .costBudget(cost, budget) }
  }

  /// Takes the counts of a distributed run (its workers send; the store counts) and checks the
  /// error-rate and cost stops as ``record(_:)`` does for a local one.
  func observe(completed: Int, failed: Int, cost: Double) {
    self.completed = completed
    self.failed = failed
    self.cost = cost
    guard stopReason == nil else { return }
    if let limit = stop.maxErrorRate, completed >= stop.minRequestsForErrorRate {
      let rate = Double(failed) / Double(completed)
      if rate > limit { stopReason = .errorRate(rate, limit) }
    }
    if let budget = stop.maxCostUSD, cost > budget { stopReason = .costBudget(cost, budget) }
  }

  /// Stops the run (a signal, or a storage failure).
  func requestStop(_ reason: StopReason) {
    if stopReason == nil || reason == .cancelled { stopReason = reason }
  }

  /// The median TTFT of the last 512 live requests, in milliseconds.
  func recentMedianTimeToFirstToken() -> Double? {
    guard !recentTimeToFirstToken.isEmpty else { return nil }
    return Percentiles.percentile(recentTimeToFirstToken.sorted(), 50)
  }

  /// Seconds since the run started.
  var elapsedSeconds: Double { (ContinuousClock.now - start).milliseconds / 1_000 }
}
