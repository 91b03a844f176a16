/// The offset of the coordinator's clock from this worker's, measured over heartbeats the way
/// NTP does: each exchange gives `coordinator time - midpoint of send and receive`, and the
/// sample with the shortest round trip among the recent ones is the most trustworthy.
struct ClockOffset: Sendable {
  private var samples: [(roundTrip: Int64, offset: Int64)] = []
  private let keep: Int

  /// An estimator over the last `keep` exchanges.
  init(keep: Int = 8) { self.keep = max(1, keep) }

  /// Adds one exchange: sent and received on this clock, answered at `coordinator` on its own
  /// (all microseconds since 1970).
  mutating func add(sent: Int64, received: Int64, coordinator: Int64) {
    let roundTrip = max(0, received - sent)
    samples.append((roundTrip, coordinator - (sent + received) / 2))
    if samples.count > keep { samples.removeFirst() }
  }

  /// The best estimate: coordinator time minus this clock's time, in microseconds (0 before any
  /// exchange).
  var micros: Int64 { samples.min { $0.roundTrip < $1.roundTrip }?.offset ?? 0 }
}
