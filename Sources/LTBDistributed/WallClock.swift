import Foundation

/// The coordinator's clock for leases and send times: microseconds since 1970.
enum WallClock {
  /// Now, in microseconds since 1970.
  static var nowMicros: Int64 { Int64((Date().timeIntervalSince1970 * 1_000_000).rounded()) }
}
