public import LTBEngine

/// A snapshot of what a worker is doing: what its probes answer and its `/metrics` report.
public struct WorkerStatus: Sendable, Equatable {
  /// Whether it is draining (taking nothing more).
  public var draining: Bool
  /// When the coordinator last answered a heartbeat (wall clock, µs; 0: never).
  public var lastHeartbeatMicros: Int64
  /// The heartbeat cadence the coordinator asked for, µs.
  public var heartbeatIntervalMicros: Int64
  /// Tasks being sent now.
  public var running: Int
  /// Leases held and not started yet.
  public var waiting: Int
  /// Tasks finished since it started.
  public var completed: Int
  /// The most tasks it sends at once.
  public var maxConcurrency: Int

  /// Creates a snapshot.
  public init(
    draining: Bool, lastHeartbeatMicros: Int64, heartbeatIntervalMicros: Int64, running: Int,
    waiting: Int, completed: Int, maxConcurrency: Int
  ) {
    self.draining = draining
    self.lastHeartbeatMicros = lastHeartbeatMicros
    self.heartbeatIntervalMicros = heartbeatIntervalMicros
    self.running = running
    self.waiting = waiting
    self.completed = completed
    self.maxConcurrency = maxConcurrency
  }

  /// Seconds since the coordinator last answered a heartbeat (nil before the first).
  public func heartbeatAge(now: Int64 = WallClock.nowMicros) -> Double? {
    lastHeartbeatMicros == 0 ? nil : Double(max(0, now - lastHeartbeatMicros)) / 1_000_000
  }

  /// Why the worker should get no traffic, or nil when it is ready: it has not joined the
  /// coordinator yet, its last heartbeat is older than three intervals (the coordinator is
  /// unreachable), or it is draining.
  public func unreadiness(now: Int64 = WallClock.nowMicros) -> String? {
    if draining { return "draining" }
    guard let age = heartbeatAge(now: now) else { return "not registered with the coordinator yet" }
    let limit = 3 * Double(heartbeatIntervalMicros) / 1_000_000
    if age > limit {
      return "no heartbeat answered for \(Int(age.rounded())) s (the coordinator is unreachable)"
    }
    return nil
  }
}
