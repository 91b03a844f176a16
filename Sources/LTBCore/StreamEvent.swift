/// One decoded event of a provider's response, streamed or not.
public enum StreamEvent: Sendable, Hashable {
  /// A piece of the answer's text (content-bearing).
  case text(String)
  /// A piece of visible reasoning (content-bearing).
  case reasoning(String)
  /// A piece of a tool call (content-bearing); `index` tells calls apart.
  case toolCall(index: Int, id: String?, name: String?, argumentsDelta: String)
  /// Token log-probabilities for the text just streamed.
  case logprobs([TokenLogprob])
  /// Token counts, usually at the end.
  case usage(Usage)
  /// Why generation stopped.
  case finish(FinishReason)
  /// The server's own timings.
  case serverTimings(ServerTimings)
  /// The vendor's response id and the model that actually answered.
  case metadata(responseID: String?, model: String?)

  /// Whether this event carries content and so counts for TTFT and ITL (`docs/metrics.md`).
  public var isContentBearing: Bool {
    switch self {
    case .text(let text), .reasoning(let text): !text.isEmpty
    case .toolCall: true
    default: false
    }
  }
}

/// A stream event with the moment its bytes arrived, from the monotonic clock.
public struct TimedStreamEvent: Sendable {
  /// The event.
  public var event: StreamEvent
  /// When the read that carried it arrived.
  public var receivedAt: ContinuousClock.Instant

  /// Pairs an event with its arrival time.
  public init(event: StreamEvent, receivedAt: ContinuousClock.Instant) {
    self.event = event
    self.receivedAt = receivedAt
  }
}
