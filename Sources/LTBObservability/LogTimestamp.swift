import Foundation

/// A log line's time: ISO 8601 in UTC with milliseconds (`2026-12-04T18:40:01.123Z`), computed
/// from the seconds since 1970 with the proleptic Gregorian calendar (no formatter, no time zone
/// lookup).
enum LogTimestamp {
  /// Appends `date`'s text to `bytes`.
  static func append(_ date: Date, to bytes: inout [UInt8]) {
    let milliseconds = Int64((date.timeIntervalSince1970 * 1_000).rounded(.down))
    let seconds = milliseconds.floorDivided(by: 1_000)
    let days = seconds.floorDivided(by: 86_400)
    let secondOfDay = Int(seconds - days * 86_400)
    let (year, month, day) = civil(days: days)
    digits(Int(year), 4, &bytes)
    bytes.append(UInt8(ascii: "-"))
    digits(month, 2, &bytes)
    bytes.append(UInt8(ascii: "-"))
    digits(day, 2, &bytes)
    bytes.append(UInt8(ascii: "T"))
    digits(secondOfDay / 3_600, 2, &bytes)
    bytes.append(UInt8(ascii: ":"))
    digits(secondOfDay / 60 % 60, 2, &bytes)
    bytes.append(UInt8(ascii: ":"))
    digits(secondOfDay % 60, 2, &bytes)
    bytes.append(UInt8(ascii: "."))
    digits(Int(milliseconds - seconds * 1_000), 3, &bytes)
    bytes.append(UInt8(ascii: "Z"))
  }

  /// The year, month and day of the day `days` after 1970-01-01 (Howard Hinnant's
  /// days-to-civil algorithm).
  static func civil(days: Int64) -> (year: Int64, month: Int, day: Int) {
    let z = days + 719_468
    let era = z.floorDivided(by: 146_097)
    let dayOfEra = z - era * 146_097
    let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
    let monthIndex = (5 * dayOfYear + 2) / 153
    let day = Int(dayOfYear - (153 * monthIndex + 2) / 5 + 1)
    let month = Int(monthIndex < 10 ? monthIndex + 3 : monthIndex - 9)
    return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
  }

  private static func digits(_ value: Int, _ width: Int, _ bytes: inout [UInt8]) {
    var divisor = 1
    for _ in 1..<width { divisor *= 10 }
    var rest = max(0, value)
    while divisor > 0 {
      bytes.append(UInt8(ascii: "0") + UInt8(rest / divisor % 10))
      rest %= divisor
      divisor /= 10
    }
  }
}

extension Int64 {
  /// The quotient rounded toward negative infinity.
  fileprivate func floorDivided(by divisor: Int64) -> Int64 {
    let quotient = self / divisor
    return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
  }
}
