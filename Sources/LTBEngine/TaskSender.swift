public import Foundation
public import LTBCore
public import LTBStorage
import Tracing

/// Sends one task of a session (or answers it from the response cache) and turns the outcome
/// into a result. A local run and a distributed worker send through the same sender, so a task's
/// result reads the same whichever process sent it.
public struct TaskSender: Sendable {
  /// The session the results belong to.
  public var sessionID: UUID
  /// The providers by configured name.
  public var providers: [String: any Provider]
  /// The suite's assertions, which every case's expectations carry.
  public var suiteAssertions: [JSONValue]
  /// Whether to stream responses.
  public var stream: Bool
  /// The response cache's mode.
  public var cacheMode: CacheMode
  /// Where cached responses live; `nil` sends every request (a worker has no store).
  public var cache: (any BenchStore)?
  /// When the run started, on this process's clock (results carry their send offset from it).
  public var runStart: ContinuousClock.Instant
  /// Rewrites each request before it is sent (the suite's request transform plugins).
  public var rewrite: (@Sendable (CompletionRequest) async throws -> CompletionRequest)?

  /// Creates a sender.
  public init(
    sessionID: UUID, providers: [String: any Provider], suiteAssertions: [JSONValue], stream: Bool,
    cacheMode: CacheMode, cache: (any BenchStore)?, runStart: ContinuousClock.Instant
  ) {
    self.sessionID = sessionID
    self.providers = providers
    self.suiteAssertions = suiteAssertions
    self.stream = stream
    self.cacheMode = cache == nil ? .off : cacheMode
    self.cache = cache
    self.runStart = runStart
  }

  /// The result of a task; `nil` when it was cancelled in flight (resume sends it again). The
  /// task runs in its own span, whose IDs the result carries when tracing sampled it.
  public func outcome(of task: BenchmarkTask, scheduledAt: ContinuousClock.Instant, warmup: Bool) async
    -> BenchmarkResult?
  {
    await withSpan("benchmark task", ofKind: .internal) { span in
      if span.isRecording {
        // The key names phase, target, dataset, case and repeat, and the session span names the
        // session: every attribute is paid for again in the export, thousands of times a second.
        span.updateAttributes { attributes in
          attributes["ltb.task.key"] = task.key
          if warmup { attributes["ltb.warmup"] = true }
        }
      }
      let result = await send(task, scheduledAt: scheduledAt, warmup: warmup)
      if span.isRecording {
        // In place: assigning `span.attributes[...]` copies the span's whole table first.
        span.updateAttributes { $0["ltb.result.status"] = result?.status.rawValue ?? "cancelled" }
        if let result, result.status != .success {
          span.setStatus(SpanStatus(code: .error, message: result.error))
        }
      }
      return result
    }
  }

  private func send(_ task: BenchmarkTask, scheduledAt: ContinuousClock.Instant, warmup: Bool) async
    -> BenchmarkResult?
  {
    var result = base(of: task, warmup: warmup)
    guard let provider = providers[task.target.provider] else {
      result.status = .skipped
      result.errorCode = LTBError.Code.notFound.rawValue
      result.error = "provider '\(task.target.provider)' is not configured"
      return result
    }
    var request: CompletionRequest
    do {
      let built = try await RequestBuilder.request(
        for: task, suiteAssertions: suiteAssertions, limits: MediaLimits.vendor(provider.kind),
        vendor: "provider '\(provider.name)' (\(provider.kind.rawValue))")
      request = built.request
      result.mediaInputs = built.media.isEmpty ? nil : built.media
      if let rewrite { request = try await rewrite(request) }
    } catch {
      return Self.failed(result, error)
    }
    let model = request.model ?? provider.defaultModel ?? ""
    result.model = model
    result.prompt = RequestBuilder.promptText(request)
    result.parameters = request.parameters
    let key =
      cacheMode == .off
      ? nil
      : ResponseCacheKey.key(provider: provider.name, model: model, request: request, stream: stream)
    if let key, let cache {
      if let cached = try? await cache.cachedResponse(key: key) {
        result.cacheHit = true
        return Self.succeeded(result, cached)
      }
      if cacheMode == .replayOnly {
        return Self.failed(
          result,
          LTBError(
            .notFound, "replay-only cache has no recorded response for this request",
            fix: "record one first with cache mode read-write"))
      }
    }
    do {
      let options = RequestOptions(stream: stream, scheduledAt: scheduledAt)
      let response = try await provider.completeMultimodal(request, options: options)
      if cacheMode == .readWrite, let key, let cache {
        try? await cache.storeCachedResponse(
          key: key, provider: provider.name, model: model, request: request, response: response)
      }
      return Self.succeeded(result, response)
    } catch let error as LTBError where error.code == .cancelled {
      return nil
    } catch is CancellationError {
      return nil
    } catch {
      return Self.failed(result, error)
    }
  }

  /// A failed result of a task that was never sent (`error` says why).
  public func failure(of task: BenchmarkTask, warmup: Bool, _ error: LTBError) -> BenchmarkResult {
    Self.failed(base(of: task, warmup: warmup), error)
  }

  private func base(of task: BenchmarkTask, warmup: Bool) -> BenchmarkResult {
    let createdAt = Date(
      timeIntervalSince1970: (Date().timeIntervalSince1970 * 1_000_000).rounded() / 1_000_000)
    let sentOffset = (ContinuousClock.now - runStart).milliseconds
    var result = BenchmarkResult(
      sessionID: sessionID, taskKey: task.key, testID: task.testCase.id, dataset: task.dataset,
      provider: task.target.provider, model: task.target.model ?? "", phase: task.phase,
      targetIndex: task.targetIndex,
      repeatIndex: task.repeatIndex,
      warmup: warmup, status: .failure, prompt: "", createdAt: createdAt, sentOffsetMs: sentOffset,
      parameters: task.target.parameters, tags: task.testCase.tags, category: task.testCase.category,
      metadata: task.testCase.metadata,
      expectations: CaseExpectations(testCase: task.testCase, suiteAssertions: suiteAssertions))
    if let ids = TraceContext.currentSampledIDs() {
      result.traceID = ids.traceID
      result.spanID = ids.spanID
    }
    return result
  }

  private static func succeeded(_ base: BenchmarkResult, _ response: CompletionResponse) -> BenchmarkResult {
    var result = base
    result.status = .success
    result.response = response.text
    result.finishReason = response.finishReason?.rawValue
    result.timing = response.timing
    result.usage = response.usage
    result.cost = response.cost
    result.serverTimings = response.serverTimings
    result.providerMetadata = response.providerMetadata
    result.attempts = response.attempts
    result.logprobs = response.logprobs
    if result.model.isEmpty { result.model = response.model }
    return result
  }

  private static func failed(_ base: BenchmarkResult, _ error: any Error) -> BenchmarkResult {
    var result = base
    let ltbError = (error as? LTBError) ?? LTBError(.internal, "\(error)")
    result.status =
      switch ltbError.code {
      case .timeout: .timeout
      case .unsupportedCapability: .skipped
      default: .failure
      }
    result.errorCode = ltbError.code.rawValue
    result.error = ltbError.description
    return result
  }
}
