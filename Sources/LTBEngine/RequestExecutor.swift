import Foundation
import LTBCore
import LTBStorage

/// Sends one task (or answers it from the response cache), turns the outcome into a result,
/// stores it, and publishes its events.
enum RequestExecutor {
  static func execute(
    _ task: BenchmarkTask, scheduledAt: ContinuousClock.Instant, warmup: Bool, context: ExecutionContext
  ) async {
    guard let result = await outcome(of: task, scheduledAt: scheduledAt, warmup: warmup, context: context)
    else { return }
    await context.writer.add(result)
    await context.control.record(result)
    if let failure = await context.writer.failure {
      await context.control.requestStop(.storage(failure.message))
    }
    let completed = await context.control.completed
    await context.bus.publish(.testCompleted(TestCompletion(result)))
    await context.bus.publish(
      .benchmarkProgress(
        sessionID: context.sessionID, completed: completed, total: context.total,
        currentTest: task.testCase.id,
        progressPercent: context.total == 0 ? 100 : min(100, Double(completed) * 100 / Double(context.total)))
    )
  }

  /// The result of a task; `nil` when it was cancelled in flight (resume sends it again).
  static func outcome(
    of task: BenchmarkTask, scheduledAt: ContinuousClock.Instant, warmup: Bool, context: ExecutionContext
  ) async -> BenchmarkResult? {
    let createdAt = Date(
      timeIntervalSince1970: (Date().timeIntervalSince1970 * 1_000_000).rounded() / 1_000_000)
    let sentOffset = (ContinuousClock.now - context.start).milliseconds
    var result = BenchmarkResult(
      sessionID: context.sessionID, taskKey: task.key, testID: task.testCase.id, dataset: task.dataset,
      provider: task.target.provider, model: task.target.model ?? "", phase: task.phase,
      targetIndex: task.targetIndex,
      repeatIndex: task.repeatIndex,
      warmup: warmup, status: .failure, prompt: "", createdAt: createdAt, sentOffsetMs: sentOffset,
      parameters: task.target.parameters, tags: task.testCase.tags, category: task.testCase.category,
      metadata: task.testCase.metadata,
      expectations: CaseExpectations(testCase: task.testCase, suiteAssertions: context.suite.assertions))
    guard let provider = context.providers[task.target.provider] else {
      result.status = .skipped
      result.errorCode = LTBError.Code.notFound.rawValue
      result.error = "provider '\(task.target.provider)' is not configured"
      return result
    }
    let request: CompletionRequest
    do {
      request = try RequestBuilder.request(for: task, suiteAssertions: context.suite.assertions)
    } catch {
      return failed(result, error)
    }
    let model = request.model ?? provider.defaultModel ?? ""
    result.model = model
    result.prompt = RequestBuilder.promptText(request)
    result.parameters = request.parameters
    let cacheMode = context.suite.cache
    let key =
      cacheMode == .off
      ? nil
      : ResponseCacheKey.key(
        provider: provider.name, model: model, request: request, stream: context.suite.stream)
    if let key {
      if let cached = try? await context.store.cachedResponse(key: key) {
        result.cacheHit = true
        return succeeded(result, cached)
      }
      if cacheMode == .replayOnly {
        return failed(
          result,
          LTBError(
            .notFound, "replay-only cache has no recorded response for this request",
            fix: "record one first with cache mode read-write"))
      }
    }
    do {
      let options = RequestOptions(stream: context.suite.stream, scheduledAt: scheduledAt)
      let response = try await provider.completeMultimodal(request, options: options)
      if cacheMode == .readWrite, let key {
        try? await context.store.storeCachedResponse(
          key: key, provider: provider.name, model: model, request: request, response: response)
      }
      return succeeded(result, response)
    } catch let error as LTBError where error.code == .cancelled {
      return nil
    } catch is CancellationError {
      return nil
    } catch {
      return failed(result, error)
    }
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
