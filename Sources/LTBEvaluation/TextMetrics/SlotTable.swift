/// The index of an open-addressing hash table with linear probing: slot → entry number + 1
/// (0 is empty). The entries themselves live with the owner (`TokenInterner`, `NGramCounter`).
struct SlotTable: ~Copyable {
  private var slots: UnsafeMutablePointer<UInt32>
  private(set) var capacity: Int

  init(capacity: Int = 64) {
    self.capacity = capacity
    slots = .allocate(capacity: capacity)
    slots.initialize(repeating: 0, count: capacity)
  }

  deinit { slots.deallocate() }

  /// The entry number + 1 in `slot`, or 0.
  @inline(__always)
  subscript(slot: Int) -> UInt32 {
    get { slots[slot] }
    set { slots[slot] = newValue }
  }

  /// The first slot to probe for `hash`.
  @inline(__always)
  func start(_ hash: UInt64) -> Int { Int(truncatingIfNeeded: hash) & (capacity - 1) }

  /// The slot after `slot`, wrapping around.
  @inline(__always)
  func next(_ slot: Int) -> Int { (slot + 1) & (capacity - 1) }

  /// Empties every slot.
  mutating func clear() { slots.update(repeating: 0, count: capacity) }

  /// Whether `entries` entries need a larger table (kept at most half full).
  @inline(__always)
  func isCrowded(_ entries: Int) -> Bool { entries * 2 > capacity }

  /// Doubles the table and re-inserts `entries` entries, entry `i` at `hash(i)`.
  mutating func grow(entries: Int, hash: (Int) -> UInt64) {
    slots.deallocate()
    capacity *= 2
    slots = .allocate(capacity: capacity)
    slots.initialize(repeating: 0, count: capacity)
    for index in 0..<entries {
      var slot = start(hash(index))
      while slots[slot] != 0 { slot = next(slot) }
      slots[slot] = UInt32(index + 1)
    }
  }
}
