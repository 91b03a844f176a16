/// A growing sample kept in ascending order: new values wait in a batch that is sorted and
/// merged in one linear pass when the sample is read, so reading exact percentiles once a
/// second costs O(n) rather than a full sort.
public struct SortedSample: Sendable {
  /// Every value merged so far, ascending.
  public private(set) var sorted: [Double] = []
  private var pending: [Double] = []

  /// An empty sample.
  public init() {}

  /// Adds a value (merged at the next ``flush()``).
  public mutating func append(_ value: Double) { pending.append(value) }

  /// The number of values, merged or not.
  public var count: Int { sorted.count + pending.count }

  /// Merges the waiting values into ``sorted``.
  public mutating func flush() {
    guard !pending.isEmpty else { return }
    pending.sort()
    if sorted.isEmpty || pending[0] >= sorted[sorted.count - 1] {
      sorted += pending
    } else {
      var merged: [Double] = []
      merged.reserveCapacity(sorted.count + pending.count)
      var left = 0
      var right = 0
      while left < sorted.count, right < pending.count {
        if pending[right] < sorted[left] {
          merged.append(pending[right])
          right += 1
        } else {
          merged.append(sorted[left])
          left += 1
        }
      }
      merged += sorted[left...]
      merged += pending[right...]
      sorted = merged
    }
    pending.removeAll(keepingCapacity: true)
  }

  /// The distribution of every value (merging first); `nil` when there are none.
  public mutating func distribution() -> Distribution? {
    flush()
    return Distribution(sorted: sorted)
  }
}
