import Foundation
public import LTBCore

/// Estimates with their uncertainty: mean, standard error, a seeded percentile bootstrap
/// interval, and Wilson intervals for pass rates.
public enum Statistics {
  /// The default number of bootstrap resamples.
  public static let resamples = 10_000
  /// z for a two-sided 95% interval.
  public static let z95 = 1.959_963_984_540_054

  /// The arithmetic mean (0 for no values).
  public static func mean(_ values: [Double]) -> Double {
    values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count)
  }

  /// The sample standard deviation (n − 1 in the denominator; 0 below two values).
  public static func standardDeviation(_ values: [Double]) -> Double {
    guard values.count > 1 else { return 0 }
    let center = mean(values)
    return (values.reduce(0) { $0 + ($1 - center) * ($1 - center) } / Double(values.count - 1)).squareRoot()
  }

  /// The standard error of the mean.
  public static func standardError(_ values: [Double]) -> Double {
    values.count > 1 ? standardDeviation(values) / Double(values.count).squareRoot() : 0
  }

  /// A percentile bootstrap interval of `statistic` (the mean by default): `resamples` samples
  /// with replacement drawn from a generator seeded with `seed`, then the 2.5th and 97.5th
  /// percentiles, interpolated linearly as numpy does.
  public static func bootstrapInterval(
    _ values: [Double], resamples: Int = resamples, confidence: Double = 0.95, seed: UInt64 = 0,
    statistic: ([Double]) -> Double = mean
  ) -> (low: Double, high: Double) {
    guard values.count > 1 else { return (values.first ?? 0, values.first ?? 0) }
    var generator = SeededGenerator(seed: seed)
    var estimates: [Double] = []
    estimates.reserveCapacity(resamples)
    var sample = [Double](repeating: 0, count: values.count)
    for _ in 0..<resamples {
      for index in sample.indices {
        sample[index] = values[Int.random(in: 0..<values.count, using: &generator)]
      }
      estimates.append(statistic(sample))
    }
    estimates.sort()
    let tail = (1 - confidence) / 2
    return (quantile(sorted: estimates, tail), quantile(sorted: estimates, 1 - tail))
  }

  /// The `q` quantile of sorted values, linear between closest ranks (numpy's default).
  public static func quantile(sorted values: [Double], _ q: Double) -> Double {
    guard !values.isEmpty else { return 0 }
    let position = q * Double(values.count - 1)
    let lower = Int(position.rounded(.down))
    let upper = min(lower + 1, values.count - 1)
    return values[lower] + (values[upper] - values[lower]) * (position - Double(lower))
  }

  /// The Wilson score interval of a proportion.
  public static func wilson(successes: Int, trials: Int, z: Double = z95) -> (low: Double, high: Double) {
    guard trials > 0 else { return (0, 1) }
    let n = Double(trials)
    let p = Double(successes) / n
    let denominator = 1 + z * z / n
    let center = (p + z * z / (2 * n)) / denominator
    let margin = z * (p * (1 - p) / n + z * z / (4 * n * n)).squareRoot() / denominator
    return (max(0, center - margin), min(1, center + margin))
  }

  /// The standard normal survival function P(Z > z).
  public static func normalSurvival(_ z: Double) -> Double { 0.5 * erfc(z / 2.0.squareRoot()) }
}

/// One metric over many responses: the mean score with its uncertainty and the pass rate with
/// its Wilson interval.
public struct MetricSummary: Sendable, Hashable, Codable {
  /// Scored responses.
  public var count: Int
  /// Mean score.
  public var mean: Double
  /// Standard error of the mean.
  public var standardError: Double
  /// 95% bootstrap interval of the mean.
  public var low: Double
  /// Upper end.
  public var high: Double
  /// Responses that passed.
  public var passed: Int
  /// Pass rate.
  public var passRate: Double
  /// 95% Wilson interval of the pass rate.
  public var passLow: Double
  /// Upper end.
  public var passHigh: Double
  /// Responses the metric could not evaluate (errors).
  public var errors: Int
  /// Responses it did not apply to (unavailable).
  public var unavailable: Int

  /// Summarizes scores and verdicts (seeded: the same data give the same interval).
  public init(scores: [Double], passes: [Bool], errors: Int = 0, unavailable: Int = 0, seed: UInt64 = 0) {
    count = scores.count
    mean = Statistics.mean(scores)
    standardError = Statistics.standardError(scores)
    (low, high) = Statistics.bootstrapInterval(scores, seed: seed)
    passed = passes.filter { $0 }.count
    passRate = passes.isEmpty ? 0 : Double(passed) / Double(passes.count)
    (passLow, passHigh) = Statistics.wilson(successes: passed, trials: passes.count)
    self.errors = errors
    self.unavailable = unavailable
  }
}
