/// A sample too long to keep value by value (a run's pooled inter-token latencies: 64 million
/// for a million 64-token answers), kept as counts in fixed buckets: one per microsecond below
/// 16.384 ms, then 8,192 per power of two up to 2^32 µs (relative step under 0.013 %), so its
/// memory is at most 1.3 MB (163,840 counters, in 8 KB pages allocated as values reach them)
/// whatever the run's length. The count, mean, standard deviation, minimum and maximum are exact; percentiles interpolate between bucket midpoints as numpy does between
/// ranks, within one bucket of the value-by-value percentile.
public struct CountedSample: Sendable {
  private static let exactMicroseconds: UInt64 = 16_384
  private static let subBuckets: UInt64 = 8_192
  private static let firstOctave = 14
  private static let lastOctave = 31
  private static let bucketCount =
    Int(exactMicroseconds) + (lastOctave - firstOctave + 1) * Int(subBuckets)

  /// Counters come in pages of 1,024 buckets (8 KB), allocated when a value first falls in
  /// one: a sample spread over a few octaves (a run's TTFT, its schedule lag) holds a few pages.
  private static let pageSize = 1_024
  private var pages: [[Int]] = []
  private var pageTotals: [Int] = []
  /// Sample size.
  public private(set) var count = 0
  private var mean = 0.0
  private var squares = 0.0
  private var smallest = Double.infinity
  private var largest = -Double.infinity

  /// An empty sample.
  public init() {}

  /// Adds a value in milliseconds (negative values count as zero; NaN and infinities, which no
  /// clock produces, are not counted).
  public mutating func add(_ milliseconds: Double) {
    guard milliseconds.isFinite else { return }
    let value = Swift.max(0, milliseconds)
    let bucket = Self.bucket(of: value)
    let page = bucket / Self.pageSize
    if pages.isEmpty {
      pages = Array(repeating: [], count: Self.bucketCount / Self.pageSize)
      pageTotals = Array(repeating: 0, count: pages.count)
    }
    if pages[page].isEmpty { pages[page] = Array(repeating: 0, count: Self.pageSize) }
    pages[page][bucket % Self.pageSize] += 1
    pageTotals[page] += 1
    count += 1
    // Welford: exact mean and variance without keeping the values.
    let delta = value - mean
    mean += delta / Double(count)
    squares += delta * (value - mean)
    smallest = Swift.min(smallest, value)
    largest = Swift.max(largest, value)
  }

  /// The distribution; `nil` when the sample is empty.
  public var distribution: Distribution? {
    guard count > 0 else { return nil }
    // numpy's interpolation between the closest ranks, each rank's value its bucket's midpoint.
    func percentile(_ percent: Double) -> Double {
      let rank = percent / 100 * Double(count - 1)
      let lower = Int(rank.rounded(.down))
      let low = value(atRank: lower)
      return low + (value(atRank: Swift.min(lower + 1, count - 1)) - low) * (rank - Double(lower))
    }
    return Distribution(
      count: count, mean: mean,
      standardDeviation: count > 1 ? (squares / Double(count - 1)).squareRoot() : 0,
      min: smallest, max: largest, p50: percentile(50), p90: percentile(90), p95: percentile(95),
      p99: percentile(99), p999: count >= 1_000 ? percentile(99.9) : nil)
  }

  /// The value of the `rank`-th smallest sample (from 0): its bucket's midpoint, kept within the
  /// exact minimum and maximum.
  private func value(atRank rank: Int) -> Double {
    var seen = 0
    for (page, total) in pageTotals.enumerated() where total > 0 {
      guard rank < seen + total else {
        seen += total
        continue
      }
      for (offset, bucketCount) in pages[page].enumerated() where bucketCount > 0 {
        seen += bucketCount
        if rank < seen {
          let midpoint = Self.midpoint(of: page * Self.pageSize + offset)
          return Swift.min(largest, Swift.max(smallest, midpoint))
        }
      }
    }
    return largest
  }

  /// The bucket of a non-negative value in milliseconds.
  static func bucket(of milliseconds: Double) -> Int {
    let micros = UInt64(Swift.min((milliseconds * 1_000).rounded(), Double(UInt64(1) << 40)))
    if micros < exactMicroseconds { return Int(micros) }
    let octave = Swift.min(63 - micros.leadingZeroBitCount, lastOctave)
    let shift = UInt64(octave - 13)
    let sub = Swift.min((micros >> shift) - subBuckets, subBuckets - 1)
    return Int(exactMicroseconds) + (octave - firstOctave) * Int(subBuckets) + Int(sub)
  }

  /// The middle of a bucket, in milliseconds.
  static func midpoint(of bucket: Int) -> Double {
    if bucket < Int(exactMicroseconds) { return Double(bucket) / 1_000 }
    let offset = bucket - Int(exactMicroseconds)
    let octave = firstOctave + offset / Int(subBuckets)
    let shift = UInt64(octave - 13)
    let lower = (UInt64(offset % Int(subBuckets)) + subBuckets) << shift
    return (Double(lower) + Double(UInt64(1) << shift) / 2) / 1_000
  }
}
