/// A run's per-request values (TTFT, end-to-end latency, ...) for exact percentiles, appended
/// in blocks that grow from 1,024 to 65,536 values and are never reallocated: a doubling array
/// of a million values leaves its discarded halves behind as heap fragments and briefly holds
/// two copies. Read back once, sorted, into one array of exactly the values' count, each block
/// freed as it is copied.
struct SampleColumn {
  private static let firstBlock = 1_024
  private static let largestBlock = 65_536

  private var blocks: [[Double]] = []
  /// Values appended.
  private(set) var count = 0

  /// Appends `value`.
  mutating func append(_ value: Double) {
    if blocks.isEmpty || blocks[blocks.count - 1].count == blocks[blocks.count - 1].capacity {
      let size =
        blocks.isEmpty ? Self.firstBlock : Swift.min(Self.largestBlock, 2 * blocks[blocks.count - 1].count)
      var block: [Double] = []
      block.reserveCapacity(size)
      blocks.append(block)
    }
    blocks[blocks.count - 1].append(value)
    count += 1
  }

  /// The values in ascending order, taken out: the column is left empty.
  mutating func takeSorted() -> [Double] {
    var taken: [[Double]] = []
    swap(&taken, &blocks)
    var values: [Double] = []
    values.reserveCapacity(count)
    count = 0
    for index in taken.indices {
      values.append(contentsOf: taken[index])
      taken[index] = []
    }
    values.sort()
    return values
  }
}
