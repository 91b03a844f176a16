public import Foundation
public import LTBCore

/// A result as a listing reads it: the columns every list shows, and the groups the listing
/// asked for (`nil` when not read). A ``BenchmarkResult`` is always read whole; a list that
/// shows a few fields of fifty results reads this instead, and says what it holds.
public struct ResultRow: Sendable, Hashable {
  /// The groups of columns a listing may read beyond the ones it always reads.
  public struct Parts: OptionSet, Sendable, Hashable {
    /// The bits.
    public let rawValue: Int
    /// Creates parts from their bits.
    public init(rawValue: Int) { self.rawValue = rawValue }
    /// The prompt, the response and the error message.
    public static let text = Parts(rawValue: 1)
    /// The session, dataset, category, tags, error code, finish reason, cache hit and attempts.
    public static let labels = Parts(rawValue: 2)
    /// What the request carried of images and audio.
    public static let media = Parts(rawValue: 4)
    /// Every group.
    public static let all: Parts = [.text, .labels, .media]
  }

  /// The prompt as sent, the answer and the error message.
  public struct Text: Sendable, Hashable {
    /// The prompt as sent.
    public var prompt: String
    /// The answer, if one arrived.
    public var response: String?
    /// The error message, with its fix.
    public var error: String?
  }

  /// Where the result belongs and how its request went beyond its status.
  public struct Labels: Sendable, Hashable {
    /// Its session.
    public var sessionID: UUID
    /// The dataset.
    public var dataset: String
    /// The case's category.
    public var category: String?
    /// The case's tags.
    public var tags: [String]
    /// The error's stable code.
    public var errorCode: String?
    /// Why generation stopped.
    public var finishReason: String?
    /// Whether the response cache answered.
    public var cacheHit: Bool
    /// How many attempts the request took.
    public var attempts: Int
    /// The OpenTelemetry trace the task ran in, when tracing sampled it.
    public var traceID: String? = nil
    /// The task's span in that trace.
    public var spanID: String? = nil
  }

  /// The result id.
  public var id: UUID
  /// The case id.
  public var testID: String
  /// The provider's configured name.
  public var provider: String
  /// The model asked.
  public var model: String
  /// How it ended.
  public var status: ResultStatus
  /// When it was sent.
  public var createdAt: Date
  /// Time to first token in milliseconds.
  public var timeToFirstTokenMs: Double?
  /// End-to-end latency in milliseconds.
  public var endToEndMs: Double?
  /// Time per output token in milliseconds.
  public var timePerOutputTokenMs: Double?
  /// The whole exchange in milliseconds.
  public var durationMs: Double
  /// Prompt and completion tokens, when known.
  public var usage: Usage?
  /// The cost, when priced, with its parts.
  public var cost: Cost?
  /// The cost in USD, when priced.
  public var costUSD: Double? { cost?.total }
  /// Scores by metric.
  public var scores: [String: Double]
  /// The prompt, answer and error; `nil` unless read.
  public var text: Text?
  /// The session, dataset and request labels; `nil` unless read.
  public var labels: Labels?
  /// Each image and piece of audio the request carried (empty without any); `nil` unless read.
  public var media: [MediaInput]?

  /// The listing's columns of `result`, with the groups in `parts`.
  public init(_ result: BenchmarkResult, parts: Parts = .all) {
    self.init(
      id: result.id, testID: result.testID, provider: result.provider, model: result.model,
      status: result.status, createdAt: result.createdAt, timing: result.timing, usage: result.usage,
      cost: result.cost, scores: result.evaluationScores)
    if parts.contains(.text) {
      text = Text(prompt: result.prompt, response: result.response, error: result.error)
    }
    if parts.contains(.labels) {
      labels = Labels(
        sessionID: result.sessionID, dataset: result.dataset, category: result.category, tags: result.tags,
        errorCode: result.errorCode, finishReason: result.finishReason, cacheHit: result.cacheHit,
        attempts: result.attempts, traceID: result.traceID, spanID: result.spanID)
    }
    if parts.contains(.media) { media = result.mediaInputs ?? [] }
  }

  /// The always-read columns; the latencies from `timing` (which needs only its first and last
  /// content events) as ``BenchmarkResult`` computes them.
  init(
    id: UUID, testID: String, provider: String, model: String, status: ResultStatus, createdAt: Date,
    timing: RequestTiming?, usage: Usage?, cost: Cost?, scores: [String: Double]
  ) {
    self.id = id
    self.testID = testID
    self.provider = provider
    self.model = model
    self.status = status
    self.createdAt = createdAt
    self.timeToFirstTokenMs = timing?.timeToFirstToken?.milliseconds
    self.endToEndMs = timing?.endToEndLatency?.milliseconds
    self.timePerOutputTokenMs = usage.flatMap {
      timing?.timePerOutputToken(outputTokens: $0.outputTokens)?.milliseconds
    }
    self.durationMs = timing?.totalDuration.milliseconds ?? 0
    self.usage = usage
    self.cost = cost
    self.scores = scores
  }
}
