public import Foundation

/// One finished request as the event bus carries it: enough for progress displays,
/// subscriptions and the Prometheus collector, without the prompt and answer.
public struct TestCompletion: Sendable, Hashable {
  /// The session.
  public var sessionID: UUID
  /// The case id.
  public var testID: String
  /// The provider's configured name.
  public var provider: String
  /// The model asked.
  public var model: String
  /// How it ended.
  public var status: ResultStatus
  /// The error's stable code, when it failed.
  public var errorCode: String?
  /// From sending to the last byte, ms.
  public var durationMs: Double
  /// Time to first token, ms, when content arrived.
  public var timeToFirstTokenMs: Double?
  /// End-to-end latency, ms, when the answer completed.
  public var endToEndMs: Double?
  /// Time per output token after the first (the mean inter-token latency), ms.
  public var timePerOutputTokenMs: Double?
  /// How late the request was sent against its schedule, ms (open-loop runs).
  public var scheduleLagMs: Double?
  /// Whether it succeeded and met the suite's service-level objectives (every success meets
  /// empty objectives).
  public var withinSLO: Bool
  /// Prompt tokens.
  public var inputTokens: Int
  /// Completion tokens.
  public var outputTokens: Int
  /// Cost, USD.
  public var costUsd: Double
  /// A warm-up request (not measured).
  public var warmup: Bool
  /// Answered from the response cache (nothing was sent).
  public var cacheHit: Bool

  /// The completion of a stored result, judged against `slo`.
  public init(_ result: BenchmarkResult, slo: ServiceLevelObjectives = ServiceLevelObjectives()) {
    sessionID = result.sessionID
    testID = result.testID
    provider = result.provider
    model = result.model
    status = result.status
    errorCode = result.errorCode
    durationMs = result.durationMs
    timeToFirstTokenMs = result.timeToFirstTokenMs
    endToEndMs = result.endToEndMs
    timePerOutputTokenMs = result.timePerOutputTokenMs
    scheduleLagMs = result.scheduleLagMs
    withinSLO = result.status == .success && slo.isMet(by: result)
    inputTokens = result.usage?.inputTokens ?? 0
    outputTokens = result.usage?.outputTokens ?? 0
    costUsd = result.cost?.total ?? 0
    warmup = result.warmup
    cacheHit = result.cacheHit
  }
}
