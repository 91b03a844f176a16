/// Order statistics without sorting: a percentile of a 60,000-request window is read on every
/// tick, and selection is linear where a sort is n log n.
enum Selection {
  /// The `k`-th smallest element of `values` (0-based), rearranging `values` (Hoare's
  /// quickselect with a median-of-three pivot). `k` must be a valid index.
  static func kthSmallest(_ values: inout [Double], _ k: Int) -> Double {
    var low = 0
    var high = values.count - 1
    while low < high {
      let middle = low + (high - low) / 2
      // Median of three as the pivot, so sorted or reversed windows stay linear.
      if values[middle] < values[low] { values.swapAt(middle, low) }
      if values[high] < values[low] { values.swapAt(high, low) }
      if values[high] < values[middle] { values.swapAt(high, middle) }
      let pivot = values[middle]
      var left = low
      var right = high
      while left <= right {
        while values[left] < pivot { left += 1 }
        while values[right] > pivot { right -= 1 }
        if left <= right {
          values.swapAt(left, right)
          left += 1
          right -= 1
        }
      }
      if k <= right {
        high = right
      } else if k >= left {
        low = left
      } else {
        return values[k]
      }
    }
    return values[k]
  }
}
