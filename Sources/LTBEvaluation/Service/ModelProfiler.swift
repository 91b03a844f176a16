import Foundation
public import LTBCore
import LTBStorage

/// Builds model profiles from a session's stored data (quality per metric with intervals,
/// latency percentiles, cost per 1,000 tokens, sample count) and answers "which model is the
/// cheapest (or fastest) that meets this bar on my data?".
public enum ModelProfiler {
  /// The profile of every provider/model in a session's records.
  public static func profiles(_ data: SessionRecords) -> [ModelProfile] {
    var byTarget: [String: [BenchmarkResult]] = [:]
    for result in data.results where result.status == .success {
      byTarget["\(result.provider)\u{1F}\(result.model)", default: []].append(result)
    }
    let records = Dictionary(grouping: data.records, by: \.resultID)
    let cases = Dictionary(data.cases.map { ($0.resultID, $0) }, uniquingKeysWith: { $1 })
    return byTarget.sorted { $0.key < $1.key }.map { key, results in
      let parts = key.split(separator: "\u{1F}", omittingEmptySubsequences: false).map(String.init)
      var scores: [String: [Double]] = [:]
      for result in results {
        for record in records[result.id] ?? [] where record.state == .scored {
          if let score = record.score { scores[record.metric, default: []].append(score) }
        }
        if let score = cases[result.id]?.score { scores["case", default: []].append(score) }
      }
      let quality = scores.mapValues { values in
        let interval = Statistics.bootstrapInterval(values, seed: 7)
        return ModelProfile.Quality(
          mean: Statistics.mean(values), low: interval.low, high: interval.high, count: values.count)
      }
      let latencies = results.compactMap(\.endToEndMs).sorted()
      let ttfts = results.compactMap(\.timeToFirstTokenMs).sorted()
      var latency: [String: Double] = [:]
      if !latencies.isEmpty {
        latency["p50"] = Statistics.quantile(sorted: latencies, 0.5)
        latency["p95"] = Statistics.quantile(sorted: latencies, 0.95)
        latency["p99"] = Statistics.quantile(sorted: latencies, 0.99)
      }
      if !ttfts.isEmpty { latency["ttft_p50"] = Statistics.quantile(sorted: ttfts, 0.5) }
      let priced = results.filter { $0.cost != nil && ($0.usage?.totalTokens ?? 0) > 0 }
      let tokens = priced.reduce(0) { $0 + ($1.usage?.totalTokens ?? 0) }
      let cost = priced.reduce(0.0) { $0 + ($1.cost?.total ?? 0) }
      return ModelProfile(
        provider: parts[0], model: parts.count > 1 ? parts[1] : "", quality: quality, latency: latency,
        costPer1kTokens: tokens > 0 ? cost / Double(tokens) * 1000 : nil, sampleCount: results.count)
    }
  }

  /// A recommendation with its evidence.
  public struct Recommendation: Sendable, Codable {
    /// The chosen profile, when one meets the bar.
    public var profile: ModelProfile?
    /// The metric judged.
    public var metric: String
    /// Every candidate that met the bar, best first.
    public var qualifying: [ModelProfile]
    /// Candidates that did not, with the reason.
    public var rejected: [String: String]
  }

  /// The cheapest (or, `byLatency`, the fastest) model whose quality on `metric` is at least
  /// `minimumQuality`: the lower end of the 95% interval must clear the bar, so a model that
  /// clears it only by luck on a few samples is not recommended.
  public static func recommend(
    _ profiles: [ModelProfile], minimumQuality: Double, metric: String = "case", byLatency: Bool = false
  ) -> Recommendation {
    var rejected: [String: String] = [:]
    var qualifying: [ModelProfile] = []
    for profile in profiles {
      let label = "\(profile.provider)/\(profile.model)"
      guard let quality = profile.quality[metric] else {
        rejected[label] = "no '\(metric)' scores"
        continue
      }
      guard quality.low >= minimumQuality else {
        rejected[label] = String(
          format: "%@ %.3f, 95%% interval %.3f–%.3f (n=%d): the lower end is below %.3f", metric,
          quality.mean,
          quality.low, quality.high, quality.count, minimumQuality)
        continue
      }
      if !byLatency, profile.costPer1kTokens == nil {
        rejected[label] = "meets the bar but has no price in the catalogue"
        continue
      }
      qualifying.append(profile)
    }
    qualifying.sort { lhs, rhs in
      byLatency
        ? (lhs.latency["p50"] ?? .infinity) < (rhs.latency["p50"] ?? .infinity)
        : (lhs.costPer1kTokens ?? .infinity) < (rhs.costPer1kTokens ?? .infinity)
    }
    return Recommendation(
      profile: qualifying.first, metric: metric, qualifying: qualifying, rejected: rejected)
  }
}
