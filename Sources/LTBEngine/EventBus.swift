public import LTBCore

/// Routes run events to subscribers by topic (`session.<id>`, `metrics`, `alerts`, `health`).
///
/// Each subscriber gets a bounded buffer: when a slow subscriber's buffer is full the oldest
/// events are dropped, and the drops are counted (``droppedEvents``), so a stalled client never
/// makes the bus hold unbounded memory.
public actor EventBus: EventSink {
  private struct Subscriber {
    var topics: Set<String>?
    var continuation: AsyncStream<RunEvent>.Continuation
  }

  private var subscribers: [Int: Subscriber] = [:]
  private var nextID = 0
  /// Events dropped because a subscriber's buffer was full.
  public private(set) var droppedEvents = 0

  /// Creates a bus.
  public init() {}

  /// Subscribes to `topics` (all topics when `nil`); the stream ends when the subscriber stops iterating.
  public func subscribe(topics: Set<String>? = nil, bufferSize: Int = 1_024) -> AsyncStream<RunEvent> {
    let id = nextID
    nextID += 1
    let (stream, continuation) = AsyncStream<RunEvent>.makeStream(
      bufferingPolicy: .bufferingNewest(bufferSize))
    subscribers[id] = Subscriber(topics: topics, continuation: continuation)
    continuation.onTermination = { [weak self] _ in
      Task { await self?.remove(id) }
    }
    return stream
  }

  /// Publishes an event to every subscriber of its topic.
  public func publish(_ event: RunEvent) {
    let topic = event.topic
    for subscriber in subscribers.values where subscriber.topics?.contains(topic) ?? true {
      if case .dropped = subscriber.continuation.yield(event) { droppedEvents += 1 }
    }
  }

  /// The number of live subscribers.
  public var subscriberCount: Int { subscribers.count }

  private func remove(_ id: Int) {
    subscribers.removeValue(forKey: id)
  }
}
