/// How the coordinator leases work: lease lifetime, heartbeat cadence, batch sizes, polling.
public struct CoordinatorSettings: Sendable {
  /// How long a lease lasts without a heartbeat renewing it.
  public var lease: Duration
  /// How often workers are asked to send heartbeats (every second by default: they renew leases, measure clock offsets and carry the workers' figures).
  public var heartbeat: Duration
  /// The most leases sent in one batch.
  public var maxBatch: Int
  /// How far ahead of its scheduled send time a task may be leased (the worker waits for it).
  public var lookahead: Duration
  /// How often a worker with credit and nothing leased looks at the queue again.
  public var pollInterval: Duration
  /// How often lapsed leases are requeued.
  public var reapInterval: Duration
  /// How often a work stream looks for cancelled sessions among those it leased.
  public var cancelPoll: Duration

  /// Creates settings (10 s leases, heartbeats every second, batches of up to 256, tasks leased up
  /// to 1 s before their send time, cancellations looked for every 250 ms).
  public init(
    lease: Duration = .seconds(10), heartbeat: Duration = .seconds(1), maxBatch: Int = 256,
    lookahead: Duration = .seconds(1), pollInterval: Duration = .milliseconds(20),
    reapInterval: Duration = .seconds(1), cancelPoll: Duration = .milliseconds(250)
  ) {
    self.cancelPoll = cancelPoll
    self.lease = lease
    self.heartbeat = heartbeat
    self.maxBatch = maxBatch
    self.lookahead = lookahead
    self.pollInterval = pollInterval
    self.reapInterval = reapInterval
  }
}
