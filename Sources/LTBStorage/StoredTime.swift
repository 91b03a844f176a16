import Foundation

/// Times as the store keeps them: whole microseconds since 1970, so that they compare, paginate
/// and round-trip exactly on both databases (PostgreSQL truncates to microseconds; SQLite keeps
/// a float).
enum StoredTime {
  /// Microseconds since 1970, rounded.
  static func microseconds(_ date: Date) -> Int64 {
    Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
  }

  /// The date to bind: the rounded microsecond plus a quarter, so that truncation keeps the microsecond.
  static func storable(_ date: Date) -> Date {
    Date(timeIntervalSince1970: (Double(microseconds(date)) + 0.25) / 1_000_000)
  }

  /// A date read back, normalized to its microsecond.
  static func normalized(_ date: Date) -> Date {
    Date(timeIntervalSince1970: Double(microseconds(date)) / 1_000_000)
  }
}
