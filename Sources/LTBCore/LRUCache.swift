/// A least-recently-used map of bounded size: lookups and inserts in O(1), the entry unused the
/// longest evicted first.
public struct LRUCache<Key: Hashable, Value> {
  private struct Node {
    var key: Key
    var value: Value
    var previous: Int
    var next: Int
  }

  /// The most entries it holds.
  public let capacity: Int
  private var index: [Key: Int] = [:]
  private var nodes: [Node] = []
  private var head = -1  // most recent
  private var tail = -1  // least recent

  /// An empty cache of `capacity` entries (at least one).
  public init(capacity: Int) { self.capacity = max(1, capacity) }

  /// How many entries it holds.
  public var count: Int { index.count }

  /// The value for `key`, marking it most recently used.
  public mutating func value(for key: Key) -> Value? {
    guard let slot = index[key] else { return nil }
    moveToFront(slot)
    return nodes[slot].value
  }

  /// Stores `value`, evicting the least recently used entry when full.
  public mutating func store(_ value: Value, for key: Key) {
    if let slot = index[key] {
      nodes[slot].value = value
      moveToFront(slot)
      return
    }
    let slot: Int
    if nodes.count < capacity {
      nodes.append(Node(key: key, value: value, previous: -1, next: -1))
      slot = nodes.count - 1
    } else {
      slot = tail
      unlink(slot)
      index.removeValue(forKey: nodes[slot].key)
      nodes[slot] = Node(key: key, value: value, previous: -1, next: -1)
    }
    index[key] = slot
    linkAtFront(slot)
  }

  private mutating func moveToFront(_ slot: Int) {
    guard head != slot else { return }
    unlink(slot)
    linkAtFront(slot)
  }

  private mutating func unlink(_ slot: Int) {
    let previous = nodes[slot].previous
    let next = nodes[slot].next
    if previous >= 0 { nodes[previous].next = next } else { head = next }
    if next >= 0 { nodes[next].previous = previous } else { tail = previous }
  }

  private mutating func linkAtFront(_ slot: Int) {
    nodes[slot].previous = -1
    nodes[slot].next = head
    if head >= 0 { nodes[head].previous = slot }
    head = slot
    if tail < 0 { tail = slot }
  }
}
