public import Foundation

/// The outcome of one request of a benchmark: one row of the results table.
public struct BenchmarkResult: Sendable, Hashable, Codable {
  /// The row's id.
  public var id: UUID
  /// The session it belongs to.
  public var sessionID: UUID
  /// Unique within the session: phase, target, case and repeat; resuming skips finished keys.
  public var taskKey: String
  /// The case's id.
  public var testID: String
  /// The dataset's name.
  public var dataset: String
  /// The provider's configured name.
  public var provider: String
  /// The model asked.
  public var model: String
  /// The load phase (0 unless sweeping).
  public var phase: Int
  /// Which target of the suite (provider, model and parameters) the request went to.
  public var targetIndex: Int
  /// Which repeat of the case this is (0-based).
  public var repeatIndex: Int
  /// Whether it was a warm-up request, outside the measurement window.
  public var warmup: Bool
  /// Success, failure, timeout or skipped.
  public var status: ResultStatus
  /// The error's stable code, when it failed.
  public var errorCode: String?
  /// The error message (with its fix), when it failed.
  public var error: String?
  /// The prompt as sent (system and messages, rendered).
  public var prompt: String
  /// The answer's text.
  public var response: String?
  /// Why generation stopped.
  public var finishReason: String?
  /// Wall-clock time the request was sent (for display and date filters only).
  public var createdAt: Date
  /// Our timing, from the monotonic clock; offsets from `sentAt`.
  public var timing: RequestTiming?
  /// `sentAt` in milliseconds after the session's start, on the monotonic clock.
  public var sentOffsetMs: Double
  /// Token counts.
  public var usage: Usage?
  /// Cost of the model under test; `nil` when the catalogue has no price.
  public var cost: Cost?
  /// The server's own timings.
  public var serverTimings: ServerTimings?
  /// Where the vendor served it (request id, region, model version), when it said.
  public var providerMetadata: ProviderMetadata? = nil
  /// Whether the answer came from the response cache (its latency is the recorded one).
  public var cacheHit: Bool
  /// How many attempts the request took.
  public var attempts: Int
  /// The parameters sent.
  public var parameters: SamplingParameters
  /// The case's tags.
  public var tags: [String]
  /// The case's category.
  public var category: String?
  /// The case's metadata.
  public var metadata: [String: JSONValue]
  /// Scores by metric name (filled by evaluation).
  public var evaluationScores: [String: Double]
  /// The generated tokens' log-probabilities, when the suite asked for them (perplexity).
  public var logprobs: [TokenLogprob]?
  /// What the case expects, for evaluation (absent when it expects nothing).
  public var expectations: CaseExpectations?
  /// The OpenTelemetry trace the task ran in (32 hex digits), when tracing sampled it.
  public var traceID: String? = nil
  /// The task's span in that trace (16 hex digits).
  public var spanID: String? = nil
  /// Each image and piece of audio the request carried (the spec's `multi_modal_inputs`):
  /// source, format, size, hash and dimensions or duration, never the bytes; nil without any.
  public var mediaInputs: [MediaInput]? = nil

  /// Creates a result. Inlinable: across modules the call built the result, copied it out
  /// (retaining each of its strings and collections) and destroyed the original, per row read.
  @inlinable
  public init(
    id: UUID = .timeOrdered(), sessionID: UUID, taskKey: String, testID: String, dataset: String,
    provider: String,
    model: String,
    phase: Int = 0, targetIndex: Int = 0, repeatIndex: Int = 0, warmup: Bool = false, status: ResultStatus,
    errorCode: String? = nil,
    error: String? = nil, prompt: String, response: String? = nil, finishReason: String? = nil,
    createdAt: Date = Date(),
    timing: RequestTiming? = nil, sentOffsetMs: Double = 0, usage: Usage? = nil, cost: Cost? = nil,
    serverTimings: ServerTimings? = nil, cacheHit: Bool = false, attempts: Int = 1,
    parameters: SamplingParameters = SamplingParameters(), tags: [String] = [], category: String? = nil,
    metadata: [String: JSONValue] = [:], evaluationScores: [String: Double] = [:],
    logprobs: [TokenLogprob]? = nil,
    expectations: CaseExpectations? = nil
  ) {
    self.id = id
    self.sessionID = sessionID
    self.taskKey = taskKey
    self.testID = testID
    self.dataset = dataset
    self.provider = provider
    self.model = model
    self.phase = phase
    self.targetIndex = targetIndex
    self.repeatIndex = repeatIndex
    self.warmup = warmup
    self.status = status
    self.errorCode = errorCode
    self.error = error
    self.prompt = prompt
    self.response = response
    self.finishReason = finishReason
    self.createdAt = createdAt
    self.timing = timing
    self.sentOffsetMs = sentOffsetMs
    self.usage = usage
    self.cost = cost
    self.serverTimings = serverTimings
    self.cacheHit = cacheHit
    self.attempts = attempts
    self.parameters = parameters
    self.tags = tags
    self.category = category
    self.metadata = metadata
    self.evaluationScores = evaluationScores
    self.logprobs = logprobs
    self.expectations = expectations
  }

  /// Time to first token in milliseconds.
  @inlinable public var timeToFirstTokenMs: Double? { timing?.timeToFirstToken?.milliseconds }
  /// End-to-end latency in milliseconds.
  @inlinable public var endToEndMs: Double? { timing?.endToEndLatency?.milliseconds }
  /// The whole exchange in milliseconds.
  @inlinable public var durationMs: Double { timing?.totalDuration.milliseconds ?? 0 }
  /// Time per output token in milliseconds.
  @inlinable public var timePerOutputTokenMs: Double? {
    usage.flatMap { timing?.timePerOutputToken(outputTokens: $0.outputTokens)?.milliseconds }
  }
  /// Schedule lag in milliseconds.
  @inlinable public var scheduleLagMs: Double? { timing?.scheduleLag?.milliseconds }
  /// When the last content arrived, in milliseconds after the session's start.
  @inlinable public var lastContentOffsetMs: Double { sentOffsetMs + (endToEndMs ?? durationMs) }
}

/// How a request ended.
public enum ResultStatus: String, Sendable, Hashable, Codable, CaseIterable {
  /// An answer arrived.
  case success
  /// The provider or the request failed.
  case failure
  /// A timeout fired.
  case timeout
  /// Not sent (a stop condition, or an unsupported feature).
  case skipped
}
