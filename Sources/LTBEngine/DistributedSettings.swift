/// How a distributed run uses the task queue: when a worker counts as connected, how far ahead
/// tasks are queued, and how long a queue nobody takes may wait.
public struct DistributedSettings: Sendable {
  /// A worker heard from (registration or heartbeat) within this is connected.
  public var freshness: Duration
  /// A run whose tasks no connected worker takes for this long stops (failed, resumable).
  public var orphanTimeout: Duration
  /// How long after queueing a phase's first task it is sent (time for workers to lease it).
  public var lead: Duration
  /// How far ahead of their send times open-loop tasks are queued.
  public var window: Duration
  /// Tasks queued per statement.
  public var enqueueBatch: Int
  /// How many times a task is leased before it is recorded as lost.
  public var maxAttempts: Int
  /// How often the run reads its progress from the store.
  public var pollInterval: Duration

  /// Creates settings (workers heard within 5 s; 30 s without one stops the run; 500 ms lead;
  /// a 2 s window; batches of 500; three attempts; progress read every 100 ms).
  public init(
    freshness: Duration = .seconds(5), orphanTimeout: Duration = .seconds(30),
    lead: Duration = .milliseconds(500),
    window: Duration = .seconds(2), enqueueBatch: Int = 500, maxAttempts: Int = 3,
    pollInterval: Duration = .milliseconds(100)
  ) {
    self.freshness = freshness
    self.orphanTimeout = orphanTimeout
    self.lead = lead
    self.window = window
    self.enqueueBatch = enqueueBatch
    self.maxAttempts = maxAttempts
    self.pollInterval = pollInterval
  }
}
