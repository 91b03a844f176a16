public import Foundation

extension Date {
  /// The instant in UTC as ISO 8601 with milliseconds (`2026-11-29T08:00:00.123Z`), the form
  /// `ISO8601DateFormatter` writes with `.withInternetDateTime` and `.withFractionalSeconds`,
  /// computed from the number itself (the formatter costs microseconds per date).
  public var iso8601Text: String {
    // Microseconds first, then milliseconds half up: the formatter's rounding.
    let microseconds = (timeIntervalSince1970 * 1_000_000).rounded()
    let totalMilliseconds = Int64(((microseconds + 500) / 1_000).rounded(.down))
    let (days, millisecondOfDay) = totalMilliseconds.floorDivided(by: 86_400_000)
    // Days since 1970-01-01 to a civil date (H. Hinnant's algorithm).
    let shifted = days + 719_468
    let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
    let dayOfEra = shifted - era * 146_097
    let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
    let monthIndex = (5 * dayOfYear + 2) / 153
    let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
    let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
    let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    let hour = millisecondOfDay / 3_600_000
    let minute = millisecondOfDay / 60_000 % 60
    let second = millisecondOfDay / 1_000 % 60
    let millisecond = millisecondOfDay % 1_000
    func padded(_ value: Int64, _ width: Int) -> String {
      let text = String(value)
      return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }
    return padded(year, 4) + "-" + padded(month, 2) + "-" + padded(day, 2) + "T" + padded(hour, 2) + ":"
      + padded(minute, 2) + ":" + padded(second, 2) + "." + padded(millisecond, 3) + "Z"
  }
}

extension Int64 {
  /// Quotient and remainder rounded toward negative infinity (the remainder is never negative).
  fileprivate func floorDivided(by divisor: Int64) -> (Int64, Int64) {
    let quotient = self / divisor
    let remainder = self % divisor
    return remainder < 0 ? (quotient - 1, remainder + divisor) : (quotient, remainder)
  }
}
