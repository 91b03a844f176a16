/// Timing of one request, taken from the monotonic clock, as `docs/metrics.md` defines it.
///
/// Every offset is measured from `sentAt`, in nanoseconds; the schedule offset is negative or
/// zero (the load pattern wanted the request at or before the moment it was sent).
public struct RequestTiming: Sendable, Hashable, Codable {
  /// `scheduledAt − sentAt` in nanoseconds (≤ 0), when a load pattern scheduled the request.
  public var scheduledOffsetNanos: Int64?
  /// Arrival of every content-bearing event, in nanoseconds after `sentAt`, in order.
  public var contentEventOffsetsNanos: [Int64]
  /// End of the response (stream end or full body), in nanoseconds after `sentAt`.
  public var endOffsetNanos: Int64

  /// Creates a timing record from offsets.
  public init(scheduledOffsetNanos: Int64? = nil, contentEventOffsetsNanos: [Int64], endOffsetNanos: Int64) {
    self.scheduledOffsetNanos = scheduledOffsetNanos
    self.contentEventOffsetsNanos = contentEventOffsetsNanos
    self.endOffsetNanos = endOffsetNanos
  }

  /// Time to first token: first content event − `sentAt`.
  public var timeToFirstToken: Duration? {
    contentEventOffsetsNanos.first.map { .nanoseconds($0) }
  }

  /// End-to-end latency: last content event − `sentAt`.
  public var endToEndLatency: Duration? {
    contentEventOffsetsNanos.last.map { .nanoseconds($0) }
  }

  /// `endAt − sentAt`: the whole exchange, including trailing usage chunks.
  public var totalDuration: Duration { .nanoseconds(endOffsetNanos) }

  /// Time per output token: (last content − first content) / (output tokens − 1); undefined
  /// unless the tokens arrived in at least two events (a non-streamed answer has one).
  public func timePerOutputToken(outputTokens: Int) -> Duration? {
    guard outputTokens > 1, contentEventOffsetsNanos.count > 1, let first = contentEventOffsetsNanos.first,
      let last = contentEventOffsetsNanos.last
    else { return nil }
    return .nanoseconds((last - first) / Int64(outputTokens - 1))
  }

  /// Every gap between consecutive content events.
  public var interTokenLatencies: [Duration] {
    zip(contentEventOffsetsNanos.dropFirst(), contentEventOffsetsNanos).map { .nanoseconds($0 - $1) }
  }

  /// Schedule lag: `sentAt − scheduledAt`, the client's own overhead.
  public var scheduleLag: Duration? {
    scheduledOffsetNanos.map { .nanoseconds(-$0) }
  }

  /// Last content event − `scheduledAt`: latency free of coordinated omission.
  public var latencyFromSchedule: Duration? {
    guard let scheduled = scheduledOffsetNanos, let last = contentEventOffsetsNanos.last else { return nil }
    return .nanoseconds(last - scheduled)
  }
}

extension Duration {
  /// The duration in milliseconds, as a `Double`.
  public var milliseconds: Double {
    let parts = components
    return Double(parts.seconds) * 1_000 + Double(parts.attoseconds) / 1e15
  }

  /// The duration in whole nanoseconds.
  public var nanoseconds: Int64 {
    let parts = components
    return parts.seconds * 1_000_000_000 + parts.attoseconds / 1_000_000_000
  }
}
