/// Percentiles as numpy computes them by default: linear interpolation between the closest ranks.
public enum Percentiles {
  /// The `percent`-th percentile (0–100) of already sorted values.
  public static func percentile<Value: BinaryFloatingPoint>(_ sorted: [Value], _ percent: Double) -> Double {
    guard !sorted.isEmpty else { return .nan }
    let rank = percent / 100 * Double(sorted.count - 1)
    let lower = Int(rank.rounded(.down))
    let upper = min(lower + 1, sorted.count - 1)
    let fraction = rank - Double(lower)
    return Double(sorted[lower]) + (Double(sorted[upper]) - Double(sorted[lower])) * fraction
  }
}

/// Summary statistics of a sample: n, mean, standard deviation, min, max and the percentiles
/// `docs/metrics.md` asks for (p99.9 only from 1,000 values up).
public struct Distribution: Sendable, Hashable, Codable {
  /// Sample size.
  public var count: Int
  /// Arithmetic mean.
  public var mean: Double
  /// Sample standard deviation (n − 1).
  public var standardDeviation: Double
  /// Smallest value.
  public var min: Double
  /// Largest value.
  public var max: Double
  /// Median.
  public var p50: Double
  /// 90th percentile.
  public var p90: Double
  /// 95th percentile.
  public var p95: Double
  /// 99th percentile.
  public var p99: Double
  /// 99.9th percentile, when n ≥ 1000.
  public var p999: Double?

  /// A distribution from figures computed elsewhere (``CountedSample``).
  init(
    count: Int, mean: Double, standardDeviation: Double, min: Double, max: Double, p50: Double, p90: Double,
    p95: Double, p99: Double, p999: Double?
  ) {
    self.count = count
    self.mean = mean
    self.standardDeviation = standardDeviation
    self.min = min
    self.max = max
    self.p50 = p50
    self.p90 = p90
    self.p95 = p95
    self.p99 = p99
    self.p999 = p999
  }

  /// The distribution of `values`; `nil` when there are none.
  public init?(_ values: [Double]) {
    self.init(sorted: values.sorted())
  }

  /// The distribution of values already in ascending order (no copy is made); single
  /// precision is accepted for very long samples such as pooled inter-token latencies.
  public init?<Value: BinaryFloatingPoint>(sorted: [Value]) {
    guard !sorted.isEmpty else { return nil }
    count = sorted.count
    let average = sorted.reduce(0.0) { $0 + Double($1) } / Double(count)
    mean = average
    let squares = sorted.reduce(0.0) { $0 + (Double($1) - average) * (Double($1) - average) }
    standardDeviation = count > 1 ? (squares / Double(count - 1)).squareRoot() : 0
    min = Double(sorted[0])
    max = Double(sorted[count - 1])
    p50 = Percentiles.percentile(sorted, 50)
    p90 = Percentiles.percentile(sorted, 90)
    p95 = Percentiles.percentile(sorted, 95)
    p99 = Percentiles.percentile(sorted, 99)
    p999 = count >= 1_000 ? Percentiles.percentile(sorted, 99.9) : nil
  }
}
