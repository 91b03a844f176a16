public import Foundation

extension UUID {
  /// A version-7 UUID (RFC 9562): 48 bits of Unix milliseconds, then random bits. Ids made later
  /// sort later (as text too), so new rows append to the end of a primary-key index instead of
  /// landing on random pages, and making one costs one `getrandom` call rather than opening
  /// `/dev/urandom`.
  public static func timeOrdered(at date: Date = Date()) -> UUID {
    var generator = SystemRandomNumberGenerator()
    let milliseconds = UInt64(max(0, date.timeIntervalSince1970 * 1_000))
    let high = generator.next() as UInt64
    let low = generator.next() as UInt64
    var bytes = [UInt8](repeating: 0, count: 16)
    for index in 0..<6 { bytes[index] = UInt8(truncatingIfNeeded: milliseconds >> (8 * (5 - index))) }
    for index in 6..<8 { bytes[index] = UInt8(truncatingIfNeeded: high >> (8 * index)) }
    for index in 8..<16 { bytes[index] = UInt8(truncatingIfNeeded: low >> (8 * (index - 8))) }
    return UUID(bits: bytes, version: 7)
  }

  /// A UUID of RFC 9562 `version` made of the first 16 of `bits`, with its version and variant
  /// bits set.
  public init(bits: [UInt8], version: UInt8) {
    precondition(bits.count >= 16, "a UUID needs 16 bytes")
    var bytes = Array(bits.prefix(16))
    bytes[6] = (bytes[6] & 0x0F) | (version << 4)
    bytes[8] = (bytes[8] & 0x3F) | 0x80
    self.init(
      uuid: (
        bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8], bytes[9],
        bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
      ))
  }
}
