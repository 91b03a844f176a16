import Foundation

/// Slows password guessing: after 5 failures for one account or one address, each further
/// attempt must wait 1 s, then 2, 4, … up to 15 minutes; a success clears the account's count.
struct LoginThrottle: Sendable {
  private struct Record {
    var failures = 0
    var blockedUntil = Date.distantPast
  }
  private var records: [String: Record] = [:]
  /// Failures allowed before waiting starts.
  let freeAttempts = 5
  /// The longest wait.
  let maximumWait: TimeInterval = 900

  /// Seconds to wait before `keys` may try again, or `nil` when they may try now.
  func wait(for keys: [String], now: Date) -> Int? {
    let until = keys.compactMap { records[$0]?.blockedUntil }.max() ?? .distantPast
    return until > now ? Int(until.timeIntervalSince(now).rounded(.up)) : nil
  }

  /// Records a failure for each key.
  mutating func fail(_ keys: [String], now: Date) {
    for key in keys {
      var record = records[key] ?? Record()
      record.failures += 1
      if record.failures >= freeAttempts {
        let wait = min(maximumWait, pow(2, Double(record.failures - freeAttempts)))
        record.blockedUntil = now.addingTimeInterval(wait)
      }
      records[key] = record
    }
    if records.count > 100_000 { records = records.filter { $0.value.blockedUntil > now } }
  }

  /// Clears a key after a success.
  mutating func succeed(_ key: String) {
    records[key] = nil
  }
}
