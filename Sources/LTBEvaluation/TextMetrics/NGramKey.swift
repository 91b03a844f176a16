/// Up to four 32-bit token ids (or six 21-bit Unicode scalars) packed into 128 bits: an n-gram
/// compared and hashed as two integers, exactly (no hashing of text).
struct NGramKey: Hashable {
  var low: UInt64
  var high: UInt64

  /// The word n-gram `ids[start..<start + order]` (order ≤ 4).
  @inline(__always)
  init(ids: UnsafeBufferPointer<UInt32>, start: Int, order: Int) {
    var low: UInt64 = 0
    var high: UInt64 = 0
    for offset in 0..<order {
      let id = UInt64(ids[start + offset])
      if offset < 2 { low |= id << (32 * UInt64(offset)) } else { high |= id << (32 * UInt64(offset - 2)) }
    }
    self.low = low
    self.high = high
  }

  /// The character n-gram `scalars[start..<start + order]` (order ≤ 6), each scalar + 1.
  @inline(__always)
  init(scalars: UnsafeBufferPointer<UInt32>, start: Int, order: Int) {
    var low: UInt64 = 0
    var high: UInt64 = 0
    for offset in 0..<order {
      let value = UInt64(scalars[start + offset] + 1)
      if offset < 3 {
        low |= value << (21 * UInt64(offset))
      } else {
        high |= value << (21 * UInt64(offset - 3))
      }
    }
    self.low = low
    self.high = high
  }

  /// A well-mixed 64-bit hash for open addressing.
  @inline(__always)
  var mixed: UInt64 {
    var value = (low &* 0x9E37_79B9_7F4A_7C15) ^ (high &* 0xC2B2_AE3D_27D4_EB4F)
    value ^= value >> 31
    return value
  }
}
