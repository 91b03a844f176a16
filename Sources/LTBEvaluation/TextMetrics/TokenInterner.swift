import Foundation

/// Numbers tokens (byte strings) so that n-grams compare as integers. Ids start at 1; 0 marks an
/// unused slot in an `NGramKey`. An open-addressing table in manually managed memory: interning
/// a token neither allocates nor retains, which is what makes scoring 100,000 pairs fast. A
/// token of at most eight bytes is its own exact 64-bit key (compared without `memcmp`, not
/// copied); longer ones are copied into an arena. `reset()` forgets every token but keeps the
/// memory, so one interner serves many pairs. Non-copyable: it owns its memory.
struct TokenInterner: ~Copyable {
  /// One distinct token.
  private struct Entry {
    var hash: UInt64
    /// The bytes of a short token; 0 for a long one.
    var key: UInt64
    /// Where a long token's bytes start in the arena.
    var start: Int
    var length: Int
  }

  private var entries = GrowableBuffer<Entry>()
  private var arena = GrowableBuffer<UInt8>()
  private var table = SlotTable()

  init() {}

  deinit {
    entries.free()
    arena.free()
  }

  /// How many distinct tokens it holds.
  var count: Int { entries.count }

  /// Forgets every token.
  mutating func reset() {
    guard entries.count > 0 else { return }
    entries.count = 0
    arena.count = 0
    table.clear()
  }

  /// The id of the bytes `buffer[range]`, assigned on first sight.
  @inline(__always)
  mutating func id(_ buffer: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> UInt32 {
    guard let base = buffer.baseAddress else { return id(UnsafePointer(arena.pointer), 0) }
    return id(base + range.lowerBound, range.count)
  }

  /// The id of the `length` bytes at `start`. When the caller knows that memory up to `limit`
  /// is readable, a short token is read in one load.
  @inline(__always)
  mutating func id(
    _ start: UnsafePointer<UInt8>, _ length: Int, readableUpTo limit: UnsafePointer<UInt8>? = nil
  )
    -> UInt32
  {
    let small = length <= 8
    let key = small ? Self.smallKey(start, length, limit: limit) : 0
    let hash = small ? Self.mix(key, length) : Self.hash(start, length)
    var slot = table.start(hash)
    while true {
      let existing = table[slot]
      if existing == 0 { break }
      let entry = entries[Int(existing) - 1]
      if entry.hash == hash, entry.length == length,
        small ? entry.key == key : memcmp(arena.pointer + entry.start, start, length) == 0
      {
        return existing
      }
      slot = table.next(slot)
    }
    entries.append(Entry(hash: hash, key: key, start: small ? 0 : arena.count, length: length))
    if !small { arena.append(start, count: length) }
    let id = UInt32(entries.count)
    table[slot] = id
    if table.isCrowded(entries.count) {
      let entries = entries
      table.grow(entries: entries.count) { entries[$0].hash }
    }
    return id
  }

  /// The bytes of a token of at most eight bytes as one little-endian integer.
  @inline(__always)
  static func smallKey(_ start: UnsafePointer<UInt8>, _ length: Int, limit: UnsafePointer<UInt8>?) -> UInt64 {
    guard length > 0 else { return 0 }
    if let limit, start + 8 <= limit {
      let word = UInt64(littleEndian: UnsafeRawPointer(start).loadUnaligned(as: UInt64.self))
      return length == 8 ? word : word & ((1 << (8 * UInt64(length))) - 1)
    }
    var key: UInt64 = 0
    for offset in 0..<length { key |= UInt64(start[offset]) << (8 * UInt64(offset)) }
    return key
  }

  /// The hash of a short token's key.
  @inline(__always)
  static func mix(_ key: UInt64, _ length: Int) -> UInt64 {
    var hash = (key ^ (UInt64(length) << 59)) &* 0x9E37_79B9_7F4A_7C15
    hash ^= hash >> 32
    hash = hash &* 0xD6E8_FEB8_6659_FD93
    return hash ^ (hash >> 29)
  }

  /// A 64-bit hash of a long token's bytes, eight at a time.
  @inline(__always)
  static func hash(_ start: UnsafePointer<UInt8>, _ length: Int) -> UInt64 {
    let raw = UnsafeRawPointer(start)
    var hash = UInt64(truncatingIfNeeded: length) &* 0x9E37_79B9_7F4A_7C15
    var offset = 0
    while offset + 8 <= length {
      hash = (hash ^ raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) &* 0xFF51_AFD7_ED55_8CCD
      hash ^= hash >> 32
      offset += 8
    }
    var tail: UInt64 = 0
    var shift: UInt64 = 0
    while offset < length {
      tail |= UInt64(start[offset]) << shift
      shift += 8
      offset += 1
    }
    hash = (hash ^ tail) &* 0xC4CE_B9FE_1A85_EC53
    return hash ^ (hash >> 29)
  }

  /// The id of a token given as bytes.
  mutating func id(_ bytes: [UInt8]) -> UInt32 {
    bytes.withUnsafeBufferPointer { id($0, 0..<$0.count) }
  }

  /// The text of token `id` (invalid UTF-8 repaired), for explanations and tests.
  func text(_ id: UInt32) -> String {
    let entry = entries[Int(id) - 1]
    if entry.length <= 8 {
      let bytes = (0..<entry.length).map { UInt8(truncatingIfNeeded: entry.key >> (8 * UInt64($0))) }
      return String(decoding: bytes, as: UTF8.self)
    }
    return String(
      decoding: UnsafeBufferPointer(start: arena.pointer + entry.start, count: entry.length), as: UTF8.self)
  }
}
