public import Foundation
public import LTBCore

/// What an evaluator sees of one response: the answer, what the case expected, and the
/// request's measurements.
public struct EvaluationInput: Sendable, Hashable {
  /// The case id.
  public var testID: String
  /// The prompt as sent.
  public var prompt: String
  /// The answer.
  public var response: String
  /// The expected answer.
  public var expected: String?
  /// Reference answers (the expected answer when there are none).
  public var references: [String]
  /// Context passages.
  public var context: [String]
  /// End-to-end latency in ms.
  public var latencyMs: Double?
  /// Time to first token in ms.
  public var timeToFirstTokenMs: Double?
  /// Cost of the request in USD.
  public var costUSD: Double?
  /// Output tokens.
  public var outputTokens: Int?
  /// Input plus output tokens.
  public var totalTokens: Int?
  /// The generated tokens' logprobs, when the provider returned them.
  public var logprobs: [TokenLogprob]?
  /// The model that answered (for pairwise labels).
  public var model: String
  /// The session of the stored result graded, if it is one (its scores reach the alert rules).
  public var sessionID: UUID?
  /// The provider that answered, for a stored result.
  public var provider: String = ""
  /// What the request carried of images and audio (their paths or URLs, for a judge that looks).
  public var media: [MediaInput] = []

  /// Creates an input.
  public init(
    testID: String, prompt: String, response: String, expected: String? = nil, references: [String] = [],
    context: [String] = [], latencyMs: Double? = nil, timeToFirstTokenMs: Double? = nil,
    costUSD: Double? = nil,
    outputTokens: Int? = nil, totalTokens: Int? = nil, logprobs: [TokenLogprob]? = nil, model: String = ""
  ) {
    self.testID = testID
    self.prompt = prompt
    self.response = response
    self.expected = expected
    self.references = references
    self.context = context
    self.latencyMs = latencyMs
    self.timeToFirstTokenMs = timeToFirstTokenMs
    self.costUSD = costUSD
    self.outputTokens = outputTokens
    self.totalTokens = totalTokens
    self.logprobs = logprobs
    self.model = model
  }

  /// The input for a stored result.
  public init(result: BenchmarkResult) {
    let expectations = result.expectations
    self.init(
      testID: result.testID, prompt: result.prompt, response: result.response ?? "",
      expected: expectations?.expected,
      references: (expectations?.references.isEmpty ?? true)
        ? (expectations?.expected.map { [$0] } ?? []) : expectations?.references ?? [],
      context: expectations?.context ?? [],
      latencyMs: result.endToEndMs ?? result.timing.map { _ in result.durationMs },
      timeToFirstTokenMs: result.timeToFirstTokenMs, costUSD: result.cost?.total,
      outputTokens: result.usage?.outputTokens,
      totalTokens: result.usage?.totalTokens, logprobs: result.logprobs, model: result.model)
    sessionID = result.sessionID
    provider = result.provider
    media = result.mediaInputs ?? []
  }
}
