import Foundation

/// The clock of distributed runs' send times and leases: microseconds since 1970 on the
/// coordinator (workers correct their own by the offset their heartbeats measure).
public enum WallClock {
  /// Now, in microseconds since 1970.
  public static var nowMicros: Int64 { Int64((Date().timeIntervalSince1970 * 1_000_000).rounded()) }
}

extension Duration {
  /// The duration in whole microseconds.
  public var microseconds: Int64 {
    components.seconds * 1_000_000 + components.attoseconds / 1_000_000_000_000
  }
}
