/// A growable array of trivial values in manually managed memory, for the scorers' hot loops:
/// appending and indexing never retain, release or check uniqueness. Owned by one class
/// instance, which frees it.
struct GrowableBuffer<Element: BitwiseCopyable> {
  private(set) var pointer: UnsafeMutablePointer<Element>
  private(set) var capacity: Int
  /// The number of elements in use; setting it lower forgets the rest.
  var count = 0

  init(capacity: Int = 64) {
    self.capacity = capacity
    pointer = .allocate(capacity: capacity)
  }

  /// Frees the memory; the buffer must not be used afterwards.
  func free() { pointer.deallocate() }

  @inline(__always)
  subscript(index: Int) -> Element {
    get { pointer[index] }
    nonmutating set { pointer[index] = newValue }
  }

  /// Makes room for `total` elements.
  @inline(__always)
  mutating func reserve(_ total: Int) {
    guard total > capacity else { return }
    var larger = capacity * 2
    while larger < total { larger *= 2 }
    let fresh = UnsafeMutablePointer<Element>.allocate(capacity: larger)
    fresh.update(from: pointer, count: count)
    pointer.deallocate()
    pointer = fresh
    capacity = larger
  }

  @inline(__always)
  mutating func append(_ element: Element) {
    if count == capacity { reserve(count + 1) }
    pointer[count] = element
    count += 1
  }

  @inline(__always)
  mutating func append(_ source: UnsafePointer<Element>, count added: Int) {
    reserve(count + added)
    (pointer + count).update(from: source, count: added)
    count += added
  }

  /// The elements in use.
  var buffer: UnsafeBufferPointer<Element> { UnsafeBufferPointer(start: pointer, count: count) }
}
