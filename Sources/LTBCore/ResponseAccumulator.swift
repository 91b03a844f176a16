/// Folds timed stream events into a ``CompletionResponse``, recording the timing of every
/// content-bearing event as `docs/metrics.md` defines it.
public struct ResponseAccumulator: Sendable {
  private let sentAt: ContinuousClock.Instant
  private let scheduledAt: ContinuousClock.Instant?
  private var textSoFar = ""
  private var reasoning = ""
  private var toolCalls: [Int: ToolCall] = [:]
  private var contentOffsets: [Int64] = []
  private var usage: Usage?
  private var finishReason: FinishReason?
  private var serverTimings: ServerTimings?
  private var logprobs: [TokenLogprob] = []
  private var responseID: String?
  private var reportedModel: String?
  private var lastEventAt: ContinuousClock.Instant

  /// Starts accumulating for a request sent at `sentAt` (and scheduled at `scheduledAt`).
  public init(sentAt: ContinuousClock.Instant, scheduledAt: ContinuousClock.Instant? = nil) {
    self.sentAt = sentAt
    self.scheduledAt = scheduledAt
    self.lastEventAt = sentAt
  }

  /// The number of content-bearing events seen so far.
  public var contentEventCount: Int { contentOffsets.count }

  /// Adds one event.
  public mutating func add(_ timed: TimedStreamEvent) {
    lastEventAt = max(lastEventAt, timed.receivedAt)
    if timed.event.isContentBearing {
      contentOffsets.append((timed.receivedAt - sentAt).nanoseconds)
    }
    switch timed.event {
    case .text(let delta): textSoFar += delta
    case .reasoning(let delta): reasoning += delta
    case .toolCall(let index, let id, let name, let argumentsDelta):
      var call = toolCalls[index] ?? ToolCall(id: "", name: "", arguments: "")
      if let id, !id.isEmpty { call.id = id }
      if let name, !name.isEmpty { call.name += name }
      call.arguments += argumentsDelta
      toolCalls[index] = call
    case .logprobs(let tokens): logprobs += tokens
    case .usage(let reported): usage = reported
    case .finish(let reason): finishReason = reason
    case .serverTimings(let timings): serverTimings = timings
    case .metadata(let id, let model):
      if let id { responseID = id }
      if let model { reportedModel = model }
    }
  }

  /// The token counts the vendor reported, if any.
  public var reportedUsage: Usage? { usage }

  /// The answer's text so far.
  public var text: String { textSoFar }

  /// The finished response. `endAt` is the end of the stream; usage falls back to `fallbackUsage`
  /// (a tokenizer count or a labelled estimate of the text, to which `media`'s tokens are added)
  /// when the vendor reported none. The cost prices `media` (the request's images and audio) apart.
  public func finish(
    provider: String, requestedModel: String, endAt: ContinuousClock.Instant, streamed: Bool, attempts: Int,
    fallbackUsage: Usage?, pricing: ModelPricing?, media: MediaUsage? = nil
  ) -> CompletionResponse {
    var finalUsage = usage ?? fallbackUsage ?? Usage(inputTokens: 0, outputTokens: 0, source: .estimated)
    if usage == nil, let media {
      finalUsage.inputTokens += media.imageTokens + media.audioTokens
    }
    let scheduledOffset = scheduledAt.map { ($0 - sentAt).nanoseconds }
    let timing = RequestTiming(
      scheduledOffsetNanos: scheduledOffset.map { min($0, 0) },
      contentEventOffsetsNanos: contentOffsets,
      endOffsetNanos: (max(endAt, lastEventAt) - sentAt).nanoseconds
    )
    return CompletionResponse(
      provider: provider,
      model: reportedModel ?? requestedModel,
      responseID: responseID,
      text: textSoFar,
      reasoning: reasoning.isEmpty ? nil : reasoning,
      toolCalls: toolCalls.sorted { $0.key < $1.key }.map(\.value),
      finishReason: finishReason,
      usage: finalUsage,
      cost: pricing?.cost(of: finalUsage, media: media),
      timing: timing,
      serverTimings: serverTimings,
      logprobs: logprobs.isEmpty ? nil : logprobs,
      streamed: streamed,
      attempts: attempts
    )
  }
}
