/// The log-probability of one generated token, with its top alternatives.
public struct TokenLogprob: Sendable, Hashable, Codable {
  /// The token's text.
  public var token: String
  /// Natural-log probability of the token.
  public var logprob: Double
  /// The most likely alternatives at this position, when asked for.
  public var topAlternatives: [Alternative]

  /// One alternative token.
  public struct Alternative: Sendable, Hashable, Codable {
    /// The token's text.
    public var token: String
    /// Natural-log probability.
    public var logprob: Double

    /// Creates an alternative.
    public init(token: String, logprob: Double) {
      self.token = token
      self.logprob = logprob
    }
  }

  /// Creates a record.
  public init(token: String, logprob: Double, topAlternatives: [Alternative] = []) {
    self.token = token
    self.logprob = logprob
    self.topAlternatives = topAlternatives
  }
}
