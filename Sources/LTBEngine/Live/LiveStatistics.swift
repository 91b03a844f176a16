public import Foundation
public import LTBCore

/// The live figures of one session as the server aggregates them from its finished requests:
/// counts, cost, errors by code, per-target latency distributions computed exactly as the stored
/// summary computes them (warm-up, cache hits and failures left out), and the last two minutes
/// of throughput.
public struct LiveStatistics: Sendable {
  /// One target's latency figures.
  public struct Target: Sendable {
    /// Provider name.
    public var provider: String
    /// Model.
    public var model: String
    /// Requests finished, warm-up included.
    public var requests: Int
    /// Requests that succeeded.
    public var succeeded: Int
    /// Time to first token.
    public var timeToFirstToken: Distribution?
    /// End-to-end latency.
    public var endToEnd: Distribution?
    /// Time per output token after the first.
    public var timePerOutputToken: Distribution?
    /// Lateness against the schedule.
    public var scheduleLag: Distribution?
  }

  /// One second of throughput.
  public struct Point: Sendable, Hashable {
    /// The end of the second.
    public var at: Date
    /// Requests finished in it.
    public var requests: Int
    /// Output tokens of the requests finished in it.
    public var outputTokens: Int
    /// Failed requests finished in it.
    public var errors: Int
  }

  /// The session.
  public var sessionID: UUID
  /// Whether the session ended (the last figures it will get).
  public var finished: Bool
  /// Its end state, once finished.
  public var status: SessionStatus?
  /// Requests finished.
  public var completed: Int
  /// Requests that failed or timed out.
  public var failed: Int
  /// Requests planned (0 until the first progress event).
  public var total: Int
  /// Seconds since the first event seen.
  public var elapsedSeconds: Double
  /// Seconds to the end at the last five seconds' rate, when it can be told.
  public var etaSeconds: Double?
  /// Requests finished in the last full second.
  public var requestsPerSecond: Double
  /// Output tokens in the last full second.
  public var outputTokensPerSecond: Double
  /// Cost of the finished requests, US dollars.
  public var costUSD: Double
  /// Failures by error code.
  public var errorsByCode: [String: Int]
  /// Per target, in order of first appearance.
  public var targets: [Target]
  /// Throughput per second, oldest first (at most ``LiveStatisticsHub/historySeconds``).
  public var recent: [Point]
  /// When the figures were taken.
  public var at: Date
}
