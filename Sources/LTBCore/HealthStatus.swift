/// The outcome of a provider health check.
public struct HealthStatus: Sendable, Hashable, Codable {
  /// Whether the provider answered as expected.
  public var healthy: Bool
  /// How long the check took, in milliseconds.
  public var latencyMilliseconds: Double
  /// What was found, or what went wrong and what to do.
  public var detail: String

  /// Creates a health record.
  public init(healthy: Bool, latencyMilliseconds: Double, detail: String) {
    self.healthy = healthy
    self.latencyMilliseconds = latencyMilliseconds
    self.detail = detail
  }
}

/// Which version of a vendor's API a provider speaks.
public struct VersionInfo: Sendable, Hashable, Codable {
  /// The vendor API version (for example `2023-06-01` for Anthropic, `v2` for Cohere).
  public var apiVersion: String
  /// The endpoint family used (for example `chat/completions`).
  public var endpoint: String

  /// Creates a version record.
  public init(apiVersion: String, endpoint: String) {
    self.apiVersion = apiVersion
    self.endpoint = endpoint
  }
}

/// A token count, exact or estimated; estimates say so.
public struct TokenCount: Sendable, Hashable, Codable {
  /// The number of tokens.
  public var count: Int
  /// Whether a real tokenizer produced the count.
  public var exact: Bool
  /// How the count was obtained (an endpoint, or the estimation rule).
  public var method: String

  /// Creates a count.
  public init(count: Int, exact: Bool, method: String) {
    self.count = count
    self.exact = exact
    self.method = method
  }

  /// The labelled estimate used where no tokenizer is available: one token per four UTF-8 bytes
  /// of text, rounded up (the vendors' published rule of thumb for English).
  public static func estimate(_ text: String) -> TokenCount {
    TokenCount(count: (text.utf8.count + 3) / 4, exact: false, method: "estimate: utf8 bytes / 4")
  }
}
