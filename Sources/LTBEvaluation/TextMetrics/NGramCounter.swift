/// A multiset of n-grams: an open-addressing table from `NGramKey` to a count, in manually
/// managed memory, cleared in place between segments so that counting allocates nothing once
/// warm. Non-copyable: it owns its memory.
struct NGramCounter: ~Copyable {
  private var keyStorage = GrowableBuffer<NGramKey>()
  private var countStorage = GrowableBuffer<Int>()
  private var table = SlotTable()

  init() {}

  deinit {
    keyStorage.free()
    countStorage.free()
  }

  /// The distinct n-grams, in first-seen order.
  var keys: UnsafeBufferPointer<NGramKey> { keyStorage.buffer }
  /// Their counts.
  var counts: UnsafeBufferPointer<Int> { countStorage.buffer }

  /// Forgets every n-gram.
  mutating func reset() {
    guard keyStorage.count > 0 else { return }
    keyStorage.count = 0
    countStorage.count = 0
    table.clear()
  }

  /// Adds `amount` occurrences of `key`.
  @inline(__always)
  mutating func add(_ key: NGramKey, _ amount: Int = 1) {
    let slot = find(key)
    let existing = table[slot]
    if existing != 0 {
      countStorage[Int(existing) - 1] += amount
    } else {
      insert(key, amount, at: slot)
    }
  }

  /// Raises the count of `key` to at least `amount` (the "max over references" merge).
  @inline(__always)
  mutating func raise(_ key: NGramKey, to amount: Int) {
    let slot = find(key)
    let existing = table[slot]
    if existing != 0 {
      let index = Int(existing) - 1
      countStorage[index] = max(countStorage[index], amount)
    } else {
      insert(key, amount, at: slot)
    }
  }

  /// The count of `key` (0 when absent).
  @inline(__always)
  func count(_ key: NGramKey) -> Int {
    let existing = table[find(key)]
    return existing == 0 ? 0 : countStorage[Int(existing) - 1]
  }

  /// The slot holding `key`, or the empty slot where it would go.
  @inline(__always)
  private func find(_ key: NGramKey) -> Int {
    var slot = table.start(key.mixed)
    while true {
      let existing = table[slot]
      if existing == 0 || keyStorage[Int(existing) - 1] == key { return slot }
      slot = table.next(slot)
    }
  }

  private mutating func insert(_ key: NGramKey, _ amount: Int, at slot: Int) {
    keyStorage.append(key)
    countStorage.append(amount)
    table[slot] = UInt32(keyStorage.count)
    if table.isCrowded(keyStorage.count) {
      let keys = keyStorage
      table.grow(entries: keys.count) { keys[$0].mixed }
    }
  }
}
