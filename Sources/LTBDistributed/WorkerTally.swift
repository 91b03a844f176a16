import LTBEngine
import LTBStorage

/// What the coordinator counts of one worker between heartbeats: results stored and refused, and
/// the schedule lag of its last 1,024 stored results.
struct WorkerTally: Sendable {
  private(set) var stored = 0
  private(set) var refused = 0
  private var lags: [Double] = []
  private var next = 0
  private var lastReading: (micros: Int64, stored: Int)?
  static let window = 1_024

  /// Counts one batch's outcome.
  mutating func add(stored: Int, refused: Int, lags: [Double]) {
    self.stored += stored
    self.refused += refused
    for lag in lags {
      if self.lags.count < Self.window {
        self.lags.append(lag)
      } else {
        self.lags[next] = lag
        next = (next + 1) % Self.window
      }
    }
  }

  /// The reading at a heartbeat: totals, the rate since the previous reading, lag percentiles.
  mutating func reading(atMicros now: Int64) -> WorkerActivity {
    var rate = 0.0
    if let last = lastReading, now > last.micros {
      rate = Double(stored - last.stored) / (Double(now - last.micros) / 1_000_000)
    }
    lastReading = (now, stored)
    let sorted = lags.sorted()
    return WorkerActivity(
      tasksDone: stored, tasksRefused: refused, tasksPerSecond: rate,
      lagP50Ms: sorted.isEmpty ? nil : Percentiles.percentile(sorted, 50),
      lagP99Ms: sorted.isEmpty ? nil : Percentiles.percentile(sorted, 99))
  }
}
