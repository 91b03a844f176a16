/// What one request cost, in US dollars, from the model catalogue's prices.
public struct Cost: Sendable, Hashable, Codable {
  /// Cost of the uncached input tokens.
  public var input: Double
  /// Cost of the cached input tokens.
  public var cachedInput: Double
  /// Cost of the output tokens.
  public var output: Double

  /// Creates a cost record.
  public init(input: Double, cachedInput: Double = 0, output: Double) {
    self.input = input
    self.cachedInput = cachedInput
    self.output = output
  }

  /// The whole cost.
  public var total: Double { input + cachedInput + output }

  /// No cost (local models).
  public static let zero = Cost(input: 0, output: 0)
}

/// Prices of one model, in US dollars per million tokens.
public struct ModelPricing: Sendable, Hashable, Codable {
  /// Price per million input tokens.
  public var inputPerMillion: Double
  /// Price per million output tokens.
  public var outputPerMillion: Double
  /// Price per million cached input tokens, where the vendor has one.
  public var cachedInputPerMillion: Double?

  /// Creates a price list.
  public init(inputPerMillion: Double, outputPerMillion: Double, cachedInputPerMillion: Double? = nil) {
    self.inputPerMillion = inputPerMillion
    self.outputPerMillion = outputPerMillion
    self.cachedInputPerMillion = cachedInputPerMillion
  }

  /// The cost of `usage` at these prices; cached input falls back to the input price.
  public func cost(of usage: Usage) -> Cost {
    let cached = min(usage.cachedInputTokens, usage.inputTokens)
    let uncached = usage.inputTokens - cached
    return Cost(
      input: Double(uncached) * inputPerMillion / 1_000_000,
      cachedInput: Double(cached) * (cachedInputPerMillion ?? inputPerMillion) / 1_000_000,
      output: Double(usage.outputTokens) * outputPerMillion / 1_000_000
    )
  }
}
