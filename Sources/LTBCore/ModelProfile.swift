public import Foundation

/// What the stored data says about one provider/model: a row of `model_profiles`, updated after
/// each evaluated session.
public struct ModelProfile: Sendable, Hashable, Codable {
  /// Quality on one metric: the mean score with its 95% bootstrap interval.
  public struct Quality: Sendable, Hashable, Codable {
    /// Mean score in [0, 1].
    public var mean: Double
    /// Lower end of the 95% interval.
    public var low: Double
    /// Upper end of the 95% interval.
    public var high: Double
    /// Scored responses behind it.
    public var count: Int

    /// Creates a quality estimate.
    public init(mean: Double, low: Double, high: Double, count: Int) {
      self.mean = mean
      self.low = low
      self.high = high
      self.count = count
    }
  }

  /// The provider's configured name.
  public var provider: String
  /// The model.
  public var model: String
  /// Quality per metric (the case score is under `case`).
  public var quality: [String: Quality]
  /// End-to-end latency percentiles in ms (`p50`, `p95`, `p99`) and TTFT (`ttft_p50`).
  public var latency: [String: Double]
  /// USD per 1,000 tokens (input and output together), when priced.
  public var costPer1kTokens: Double?
  /// Successful responses behind the profile.
  public var sampleCount: Int
  /// When it was computed.
  public var updatedAt: Date

  /// Creates a profile.
  public init(
    provider: String, model: String, quality: [String: Quality], latency: [String: Double],
    costPer1kTokens: Double?,
    sampleCount: Int, updatedAt: Date = Date()
  ) {
    self.provider = provider
    self.model = model
    self.quality = quality
    self.latency = latency
    self.costPer1kTokens = costPer1kTokens
    self.sampleCount = sampleCount
    self.updatedAt = updatedAt
  }
}
