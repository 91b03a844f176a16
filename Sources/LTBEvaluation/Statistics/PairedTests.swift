import Foundation

/// Tests for two systems scored on the same cases: a paired bootstrap interval of the mean
/// difference, the Wilcoxon signed-rank test for scores (as `scipy.stats.wilcoxon` computes it
/// by default), McNemar's exact test for pass/fail, and Cohen's d_z.
public enum PairedTests {
  /// The Wilcoxon signed-rank test of differences `d` (two-sided; zeros dropped; exact null
  /// distribution for up to 50 pairs without ties or zeros, an exact sign-flip permutation for up
  /// to 13 pairs with them, the normal approximation with tie correction otherwise).
  public static func wilcoxon(_ differences: [Double]) -> (statistic: Double, pValue: Double) {
    let size = differences.count
    let nonzero = differences.filter { $0 != 0 }
    let zeros = size - nonzero.count
    guard !nonzero.isEmpty else { return (0, 1) }
    let ranks = averageRanks(nonzero.map(abs))
    let positive = zip(nonzero, ranks).filter { $0.0 > 0 }.reduce(0.0) { $0 + $1.1 }
    let negative = zip(nonzero, ranks).filter { $0.0 < 0 }.reduce(0.0) { $0 + $1.1 }
    let statistic = min(positive, negative)
    let tieGroups = Dictionary(grouping: nonzero.map(abs), by: { $0 }).values.map(\.count)
    let hasTies = tieGroups.contains { $0 > 1 }
    if size <= 50, !hasTies, zeros == 0 {
      let distribution = signedRankDistribution(nonzero.count)
      let total = distribution.reduce(0, +)
      let observed = Int(positive.rounded())
      let lower = distribution[0...min(observed, distribution.count - 1)].reduce(0, +) / total
      let upper = distribution[max(0, observed)...].reduce(0, +) / total
      return (statistic, min(1, 2 * min(lower, upper)))
    }
    if size <= 13 {
      // Every sign assignment of the differences (zeros included, as scipy's permutation test).
      var allRanks = [Double](repeating: 0, count: size)
      var index = 0
      for (position, value) in differences.enumerated() where value != 0 {
        allRanks[position] = ranks[index]
        index += 1
      }
      let assignments = 1 << size
      var less = 0
      var greater = 0
      let tolerance = positive * 1e-14 + 1e-12
      for mask in 0..<assignments {
        var sum = 0.0
        for position in 0..<size where differences[position] != 0 && mask & (1 << position) != 0 {
          sum += allRanks[position]
        }
        if sum <= positive + tolerance { less += 1 }
        if sum >= positive - tolerance { greater += 1 }
      }
      return (statistic, min(1, 2 * Double(min(less, greater)) / Double(assignments)))
    }
    let count = Double(nonzero.count)
    let mean = count * (count + 1) / 4
    let tieCorrection = tieGroups.reduce(0.0) { $0 + Double($1 * $1 * $1 - $1) }
    let standardError = ((count * (count + 1) * (2 * count + 1) - tieCorrection / 2) / 24).squareRoot()
    guard standardError > 0 else { return (statistic, 1) }
    let z = (positive - mean) / standardError
    return (statistic, min(1, 2 * Statistics.normalSurvival(abs(z))))
  }

  /// McNemar's exact test: the two-sided binomial test of the discordant pairs (A passed and B
  /// failed: `onlyA`; the reverse: `onlyB`) against an even split.
  public static func mcnemar(onlyA: Int, onlyB: Int) -> Double {
    let n = onlyA + onlyB
    guard n > 0 else { return 1 }
    let k = min(onlyA, onlyB)
    // P(X ≤ k) for X ~ Binomial(n, 1/2), in log space for large n.
    var tail = 0.0
    for i in 0...k { tail += exp(logChoose(n, i) - Double(n) * log(2)) }
    return min(1, 2 * tail)
  }

  /// Cohen's d_z: the mean difference over the standard deviation of the differences (`nil`
  /// when the differences do not vary).
  public static func cohensDz(_ differences: [Double]) -> Double? {
    let deviation = Statistics.standardDeviation(differences)
    guard deviation > 0 else { return nil }
    return Statistics.mean(differences) / deviation
  }

  /// A paired bootstrap interval of the mean difference (resampling pairs).
  public static func bootstrapDifference(_ differences: [Double], seed: UInt64 = 0) -> (
    low: Double, high: Double
  ) {
    Statistics.bootstrapInterval(differences, seed: seed)
  }

  /// Ranks 1…n of the values, ties sharing their average rank.
  static func averageRanks(_ values: [Double]) -> [Double] {
    let order = values.indices.sorted { values[$0] < values[$1] }
    var ranks = [Double](repeating: 0, count: values.count)
    var start = 0
    while start < order.count {
      var end = start
      while end + 1 < order.count, values[order[end + 1]] == values[order[start]] { end += 1 }
      let average = Double(start + end + 2) / 2
      for position in start...end { ranks[order[position]] = average }
      start = end + 1
    }
    return ranks
  }

  /// The number of subsets of {1…n} with each sum 0…n(n+1)/2: the null distribution of the
  /// signed-rank statistic, as counts.
  static func signedRankDistribution(_ n: Int) -> [Double] {
    let maximum = n * (n + 1) / 2
    var counts = [Double](repeating: 0, count: maximum + 1)
    counts[0] = 1
    for rank in 1...max(1, n) where n > 0 {
      for sum in stride(from: maximum, through: rank, by: -1) { counts[sum] += counts[sum - rank] }
    }
    return counts
  }

  private static func logChoose(_ n: Int, _ k: Int) -> Double {
    lgamma(Double(n + 1)) - lgamma(Double(k + 1)) - lgamma(Double(n - k + 1))
  }
}
