import Foundation

/// Numbers tokens (byte strings) so that n-grams compare as integers. Ids start at 1; 0 marks an
/// unused slot in an `NGramKey`. An open-addressing table over an arena of bytes, in manually
/// managed memory: interning a token neither allocates nor retains, which is what makes scoring
/// 100,000 pairs fast. `reset()` forgets every token but keeps the memory, so one interner
/// serves many pairs. Non-copyable: it owns its memory.
struct TokenInterner: ~Copyable {
  private var arena = GrowableBuffer<UInt8>()
  private var starts = GrowableBuffer<Int>()
  private var lengths = GrowableBuffer<Int>()
  private var hashes = GrowableBuffer<UInt64>()
  private var table = SlotTable()

  init() {}

  deinit {
    arena.free()
    starts.free()
    lengths.free()
    hashes.free()
  }

  /// How many distinct tokens it holds.
  var count: Int { starts.count }

  /// Forgets every token.
  mutating func reset() {
    guard starts.count > 0 else { return }
    arena.count = 0
    starts.count = 0
    lengths.count = 0
    hashes.count = 0
    table.clear()
  }

  /// The id of the bytes `buffer[range]`, assigned on first sight.
  @inline(__always)
  mutating func id(_ buffer: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> UInt32 {
    guard let base = buffer.baseAddress else { return id(UnsafePointer(arena.pointer), 0) }
    return id(base + range.lowerBound, range.count)
  }

  /// The id of the `length` bytes at `start`.
  @inline(__always)
  mutating func id(_ start: UnsafePointer<UInt8>, _ length: Int) -> UInt32 {
    let hash = Self.hash(start, length)
    var slot = table.start(hash)
    while true {
      let existing = table[slot]
      if existing == 0 { break }
      let index = Int(existing) - 1
      if hashes[index] == hash, lengths[index] == length,
        length == 0 || memcmp(arena.pointer + starts[index], start, length) == 0
      {
        return existing
      }
      slot = table.next(slot)
    }
    starts.append(arena.count)
    lengths.append(length)
    hashes.append(hash)
    arena.append(start, count: length)
    let id = UInt32(starts.count)
    table[slot] = id
    if table.isCrowded(starts.count) {
      let hashes = hashes
      table.grow(entries: hashes.count) { hashes[$0] }
    }
    return id
  }

  /// A 64-bit hash of the bytes, eight at a time (tokens are short; this is the hot loop).
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
    let index = Int(id) - 1
    return String(
      decoding: UnsafeBufferPointer(start: arena.pointer + starts[index], count: lengths[index]),
      as: UTF8.self)
  }

}
