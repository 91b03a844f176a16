public import Foundation
public import LTBCore
import LTBDatasets
public import LTBEvaluation
public import LTBPlugins
import LTBProviders
public import LTBStorage
import Tracing

/// The one place a benchmark's whole job lives: plan, run, grade, store and summarize. `ltb
/// bench`, the API's `createBenchmark` and `resumeBenchmark`, and `ltb eval` all call it, so a
/// suite behaves the same whichever door it comes through.
public actor BenchmarkService {
  /// How one run goes.
  public struct RunOptions: Sendable {
    /// How long requests in flight get to finish after a cancellation.
    public var cancellationGrace: Duration
    /// Whether to grade the answers after the run (when the suite or its cases assert anything).
    public var grade: Bool
    /// Judge and embedder chosen for this run; they win over the suite's and the configuration's.
    public var evaluation: EvaluationSettings
    /// Whether workers send the requests (through the store's task queue) instead of this process.
    public var distributed: Bool

    /// Creates options (10 s of grace, grading on, no override of the judge or embedder, sent
    /// from this process).
    public init(
      cancellationGrace: Duration = .seconds(10), grade: Bool = true,
      evaluation: EvaluationSettings = EvaluationSettings(), distributed: Bool = false
    ) {
      self.cancellationGrace = cancellationGrace
      self.grade = grade
      self.evaluation = evaluation
      self.distributed = distributed
    }
  }

  /// What a run ended with.
  public struct Outcome: Sendable {
    /// The session as stored at the end.
    public var session: BenchmarkSession
    /// The grading, when the answers were graded.
    public var evaluation: SessionEvaluation?
    /// Why grading failed, when it was attempted and failed (the run itself is kept).
    public var gradingFailure: LTBError?
  }

  private let store: any BenchStore
  /// The providers benchmarks, judges and embedders come from.
  public nonisolated let providers: ProviderService
  private let defaults: EvaluationSettings
  /// How distributed runs use the task queue.
  public nonisolated let distribution: DistributedSettings
  /// The bus run events are published on.
  public nonisolated let bus: EventBus
  /// The evaluation cache every grading shares.
  public nonisolated let evaluationCache: EvaluationCache
  /// The installed plugins (evaluators for `plugin:NAME`, the suites' transforms); `nil` runs
  /// without plugins.
  public nonisolated let plugins: PluginRegistry?
  /// The features on (`[features]`): a suite that needs one that is off is refused.
  public nonisolated let features: FeatureFlags
  /// The largest attachment a case may have (`[multimodal] max_attachment_bytes`).
  public nonisolated let maxAttachmentBytes: Int
  private var runners: [UUID: BenchmarkRunner] = [:]
  private var starting: Set<UUID> = []
  private var background: [UUID: Task<Void, Never>] = [:]
  private var shuttingDown = false

  /// Creates the service over a store and the providers; `evaluation` is the configuration's
  /// default judge and embedder (`[evaluation]`), which a suite's `judge:` and `embedding:`
  /// override.
  public init(
    store: any BenchStore, providers: ProviderService, evaluation: EvaluationSettings = EvaluationSettings(),
    bus: EventBus = EventBus(), distribution: DistributedSettings = DistributedSettings(),
    plugins: PluginRegistry? = nil, features: FeatureFlags = .all, maxAttachmentBytes: Int = 20 << 20
  ) {
    self.plugins = plugins
    self.features = features
    self.maxAttachmentBytes = maxAttachmentBytes
    self.store = store
    self.providers = providers
    self.defaults = evaluation
    self.distribution = distribution
    self.bus = bus
    self.evaluationCache = EvaluationCache(store: store)
  }

  // MARK: Sessions

  /// Validates a suite (datasets, targets, provider keys, judge and embedder) and records a
  /// pending session. A distributed one is checked against the connected workers instead of
  /// this process's providers: the workers send its requests.
  public func createSession(_ suite: BenchmarkSuite, owner: UUID? = nil, distributed: Bool = false)
    async throws -> BenchmarkSession
  {
    try checkFeatures(suite, distributed: distributed)
    try checkTransforms(suite.transforms, distributed: distributed)
    let targets = distributed ? [:] : try await makeProviders(for: suite)
    defer { Task { for provider in targets.values { await provider.shutdown() } } }
    try await checkGraders(
      EvaluationSettings.layered(suite.evaluation ?? EvaluationSettings(), over: defaults))
    return try await BenchmarkRunner(
      store: store, providers: targets, bus: bus, distributed: distributed ? distribution : nil
    ).createSession(suite, owner: owner) { [features, maxAttachmentBytes] testCase, path in
      try Self.checkCase(testCase, path: path, features: features, maxAttachmentBytes: maxAttachmentBytes)
    }
  }

  /// Starts (or resumes) a session in the background and returns once it is running: every
  /// reason it cannot run (unknown session, already running, a provider or judge that is not
  /// configured, a shutdown in progress) is thrown here, to the caller. What happens later is
  /// published on the bus and stored with the session.
  public func start(sessionID: UUID, options: RunOptions = RunOptions()) async throws {
    let prepared = try await prepare(sessionID: sessionID, options: options)
    background[sessionID] = Task { [weak self] in
      _ = try? await self?.execute(prepared, options: options)
      await self?.finishedInBackground(sessionID)
    }
  }

  /// Runs (or resumes) a session to its end, grades its answers and returns both.
  public func run(sessionID: UUID, options: RunOptions = RunOptions()) async throws -> Outcome {
    try await execute(try await prepare(sessionID: sessionID, options: options), options: options)
  }

  /// Grades a session's stored answers again (no model calls for the answers themselves):
  /// `extra` assertions apply to every case and with `onlyExtra` replace the stored ones.
  public func grade(
    sessionID: UUID, extra: [AssertionSpec] = [], onlyExtra: Bool = false,
    evaluation: EvaluationSettings = EvaluationSettings()
  ) async throws -> SessionEvaluation {
    guard let session = try await store.session(sessionID) else {
      throw LTBError(.notFound, "no session \(sessionID)", fix: "list sessions with `ltb sessions list`")
    }
    let settings = EvaluationSettings.layered(
      evaluation, over: .layered(session.suite.evaluation ?? EvaluationSettings(), over: defaults))
    return try await grade(sessionID, settings: settings, extra: extra, onlyExtra: onlyExtra)
  }

  /// An evaluation service with the configuration's judge and embedder (or `evaluation`'s), for
  /// scoring answers that belong to no session.
  public func evaluator(_ evaluation: EvaluationSettings = EvaluationSettings()) async throws
    -> EvaluationService
  {
    try await evaluationService(EvaluationSettings.layered(evaluation, over: defaults))
  }

  /// Refuses a configured default judge or embedder (`[evaluation]`) that names a provider this
  /// process does not have, so a server fails at start rather than at its first grading.
  public func checkDefaultGraders() async throws {
    try await checkGraders(defaults)
  }

  /// Cancels a running session; returns whether it was running here.
  @discardableResult
  public func cancel(sessionID: UUID) async -> Bool {
    guard let runner = runners[sessionID] else { return false }
    await runner.cancel()
    return true
  }

  /// Sessions running now.
  public var runningSessions: [UUID] { Array(runners.keys) }

  /// Refuses new runs, cancels every running session (each stays resumable: requests in flight
  /// get the cancellation grace, the rest are sent on resume) and returns once all have stopped.
  public func shutdown() async {
    shuttingDown = true
    for runner in runners.values { await runner.cancel() }
    for task in background.values { await task.value }
    while !runners.isEmpty { try? await Task.sleep(for: .milliseconds(20)) }
  }

  /// The summary of a session.
  public func summary(sessionID: UUID) async throws -> BenchmarkSummary {
    try await BenchmarkSummary.build(store: store, sessionID: sessionID)
  }

  // MARK: The job

  /// A session checked and ready to run: its runner holds the providers it will use.
  private struct Prepared: Sendable {
    var session: BenchmarkSession
    var runner: BenchmarkRunner
    var providers: [any Provider]
    var grading: EvaluationSettings
  }

  private func prepare(sessionID: UUID, options: RunOptions) async throws -> Prepared {
    guard let session = try await store.session(sessionID) else {
      throw LTBError(.notFound, "no session \(sessionID)", fix: "list sessions with `ltb sessions list`")
    }
    if shuttingDown {
      throw LTBError(
        .cancelled, "the server is shutting down", fix: "resume session \(sessionID) once it is back")
    }
    // The slot is taken before the first suspension: two starts of one session at once (the
    // actor runs another call while this one awaits) must not both pass the check.
    if runners[sessionID] != nil || starting.contains(sessionID) {
      throw LTBError(
        .invalidInput, "session \(sessionID) is already running", fix: "wait for it, or cancel it first")
    }
    starting.insert(sessionID)
    defer { starting.remove(sessionID) }
    let grading = EvaluationSettings.layered(
      options.evaluation, over: .layered(session.suite.evaluation ?? EvaluationSettings(), over: defaults))
    if options.grade { try await checkGraders(grading) }
    // A session that queued tasks before resumes through the queue too.
    let queued = try await store.queueCounts(session: sessionID)
    let distributed = options.distributed || !queued.isEmpty
    let targets = distributed ? [:] : try await makeProviders(for: session.suite)
    try checkTransforms(session.suite.transforms, distributed: distributed)
    let runner = BenchmarkRunner(
      store: store, providers: targets, bus: bus, cancellationGrace: options.cancellationGrace,
      distributed: distributed ? distribution : nil, rewrite: rewrite(session.suite.transforms.request))
    runners[sessionID] = runner
    return Prepared(session: session, runner: runner, providers: Array(targets.values), grading: grading)
  }

  /// A session's run and grading, in one span (its tasks' spans are its children).
  private func execute(_ prepared: Prepared, options: RunOptions) async throws -> Outcome {
    try await withSpan("benchmark session") { span in
      if span.isRecording {
        let session = prepared.session
        span.updateAttributes { attributes in
          attributes["ltb.session.id"] = session.id.uuidString.lowercased()
          attributes["ltb.session.name"] = session.name
          attributes["ltb.session.total_tasks"] = session.totalTasks
          attributes["ltb.session.targets"] = session.suite.targets.map(\.label)
          attributes["ltb.session.distributed"] = prepared.runner.isDistributed
        }
      }
      let outcome = try await runAndGrade(prepared, options: options)
      if span.isRecording {
        span.updateAttributes { attributes in
          attributes["ltb.session.status"] = outcome.session.status.rawValue
          if let reason = outcome.session.stopReason { attributes["ltb.session.stop_reason"] = reason }
        }
        if outcome.session.status == .failed {
          span.setStatus(SpanStatus(code: .error, message: outcome.session.stopReason))
        }
      }
      return outcome
    }
  }

  private func runAndGrade(_ prepared: Prepared, options: RunOptions) async throws -> Outcome {
    let id = prepared.session.id
    let ran: BenchmarkRunner.Finished
    do {
      ran = try await prepared.runner.run(sessionID: id)
    } catch {
      await end(prepared)
      let failure = LTBError.wrapping(error)
      try? await markFailed(id, reason: failure.message)
      throw failure
    }
    await end(prepared)
    var outcome = Outcome(session: ran.session)
    if options.grade, ran.session.status != .cancelled, try await hasAssertions(ran.session) {
      do {
        outcome.evaluation = try await grade(id, settings: prepared.grading, extra: [], onlyExtra: false)
      } catch {
        let failure = LTBError.wrapping(error)
        outcome.gradingFailure = failure
        await bus.publish(
          .alert(
            severity: .error, message: "grading session \(id.lowercasedText) failed: \(failure.message)",
            details: ["session": id.lowercasedText, "fix": failure.fix ?? ""]))
      }
    }
    await bus.publish(
      .benchmarkCompleted(
        sessionID: id, status: ran.session.status, completed: ran.completed, failed: ran.failed,
        durationSeconds: ran.durationSeconds))
    return outcome
  }

  private func end(_ prepared: Prepared) async {
    runners[prepared.session.id] = nil
    for provider in prepared.providers { await provider.shutdown() }
  }

  private func finishedInBackground(_ id: UUID) { background[id] = nil }

  /// A run that could not go on (storage gone, a plan that no longer loads) ends failed, with
  /// the reason, and says so on the bus.
  private func markFailed(_ id: UUID, reason: String) async throws {
    guard var session = try await store.session(id) else { return }
    session.status = .failed
    session.stopReason = reason
    session.completedAt = Date()
    try await store.updateSession(session)
    await bus.publish(
      .benchmarkCompleted(sessionID: id, status: .failed, completed: 0, failed: 0, durationSeconds: 0))
  }

  private func grade(_ id: UUID, settings: EvaluationSettings, extra: [AssertionSpec], onlyExtra: Bool)
    async throws -> SessionEvaluation
  {
    let service = try await evaluationService(settings)
    let bus = self.bus
    let session = try await store.session(id)
    let normalize = normalizer(session?.suite.transforms.response ?? [])
    return try await service.evaluateSession(id, extra: extra, onlyExtra: onlyExtra, normalize: normalize) {
      done, total in
      await bus.publish(.gradingProgress(sessionID: id, graded: done, total: total))
    }
  }

  /// Whether the session has anything to grade: suite assertions, or cases that carry some
  /// (read page by page, stopping at the first case that asserts).
  private func hasAssertions(_ session: BenchmarkSession) async throws -> Bool {
    if !session.suite.assertions.isEmpty { return true }
    var query = ResultQuery(sessionID: session.id, descending: false, limit: 200)
    repeat {
      let page = try await store.results(query)
      if page.items.contains(where: { !($0.expectations?.assertions.isEmpty ?? true) }) { return true }
      query.cursor = page.nextCursor
    } while query.cursor != nil
    return false
  }

  // MARK: Features

  /// Refuses a suite that needs a feature that is off: a distributed run, transform plugins or
  /// the suite's plugin assertions (its cases are checked by ``checkCase``).
  private func checkFeatures(_ suite: BenchmarkSuite, distributed: Bool) throws {
    if distributed { try features.require(.distributed, for: "a distributed run") }
    if !suite.transforms.isEmpty { try features.require(.plugins, for: "the suite's transforms") }
    if let type = suite.assertions.lazy.compactMap({ $0["type"]?.stringValue }).first(where: {
      $0.hasPrefix("plugin:")
    }) {
      try features.require(.plugins, for: "the assertion \(type)")
    }
  }

  /// Refuses a case that needs a feature that is off (a plugin assertion, attachments), or that
  /// attaches a file over `maxAttachmentBytes`; run while the suite's datasets are validated.
  private static func checkCase(
    _ testCase: TestCase, path: String, features: FeatureFlags, maxAttachmentBytes: Int
  )
    throws
  {
    if let type = testCase.assertions.lazy.compactMap({ $0["type"]?.stringValue }).first(where: {
      $0.hasPrefix("plugin:")
    }) {
      try features.require(.plugins, for: "case '\(testCase.id)' of \(path), whose assertion \(type)")
    }
    for attachment in testCase.attachments {
      try features.require(.multimodal, for: "case '\(testCase.id)' of \(path), which attaches files,")
      guard !attachment.location.contains("://"), !attachment.location.hasPrefix("data:") else { continue }
      let size = (try? FileManager.default.attributesOfItem(atPath: attachment.location)[.size] as? Int) ?? 0
      if size > maxAttachmentBytes {
        throw LTBError(
          .invalidInput,
          "case '\(testCase.id)' of \(path) attaches \(attachment.location), \(size) bytes, over the \(maxAttachmentBytes)-byte limit",
          fix: "shrink the file, or raise multimodal.max_attachment_bytes")
      }
    }
  }

  // MARK: Plugins

  /// Refuses transforms that are not installed and enabled as the right kind, and request
  /// transforms on a distributed run (workers do not load plugins).
  private func checkTransforms(_ transforms: PluginTransformNames, distributed: Bool) throws {
    guard !transforms.isEmpty else { return }
    guard let plugins else {
      throw LTBError(
        .configuration, "the suite names transform plugins, but this process has no plugin registry",
        fix: "run it with ltb bench or ltb serve, which load [plugins]")
    }
    if distributed, !transforms.request.isEmpty {
      throw LTBError(
        .unsupportedCapability,
        "request transforms cannot run on a distributed run: workers do not load plugins",
        fix: "run the suite without --distributed, or drop transforms.request")
    }
    for (names, kind) in [
      (transforms.request, PluginKind.requestTransform), (transforms.response, .responseTransform),
    ] {
      for name in names where plugins.plugin(name)?.manifest.kind != kind {
        let found =
          plugins.plugin(name).map { "a \($0.manifest.kind.rawValue)" } ?? "not installed or not enabled"
        throw LTBError(
          .configuration, "the suite's transforms name '\(name)' as a \(kind.rawValue), but it is \(found)",
          fix: "install it with `ltb plugins install`, enable it, or correct the suite")
      }
    }
  }

  private func rewrite(_ names: [String]) -> (
    @Sendable (CompletionRequest) async throws -> CompletionRequest
  )? {
    guard let plugins, !names.isEmpty else { return nil }
    let transforms = PluginTransforms(registry: plugins)
    return { request in try await transforms.request(request, through: names) }
  }

  private func normalizer(_ names: [String]) -> EvaluationService.ResponseNormalizer? {
    guard let plugins, !names.isEmpty else { return nil }
    let transforms = PluginTransforms(registry: plugins)
    return { response, prompt in try await transforms.response(response, prompt: prompt, through: names) }
  }

  // MARK: Providers

  private func makeProviders(for suite: BenchmarkSuite) async throws -> [String: any Provider] {
    var built: [String: any Provider] = [:]
    do {
      for name in Set(suite.targets.map(\.provider)) {
        var settings = try await providers.settings(named: name)
        if let timeout = suite.requestTimeoutMilliseconds {
          settings.totalTimeout = .milliseconds(timeout)
          settings.firstByteTimeout = min(settings.firstByteTimeout, .milliseconds(timeout))
        }
        let provider = try ProviderRegistry.makeProvider(settings, catalog: providers.catalog)
        built[name] = provider
        try provider.validateConfig()
      }
    } catch {
      for provider in built.values { await provider.shutdown() }
      throw error
    }
    return built
  }

  /// Refuses a judge or embedder that names a provider this process does not have, before any
  /// request is sent.
  private func checkGraders(_ settings: EvaluationSettings) async throws {
    for (role, name) in [("judge", settings.judgeProvider), ("embedder", settings.embeddingProvider)] {
      guard let name else { continue }
      do {
        _ = try await providers.require(name)
      } catch let error as LTBError {
        throw LTBError(
          error.code, "the \(role) names provider '\(name)', which is not configured",
          fix: error.fix ?? "configure it under [providers.\(name)]")
      }
    }
  }

  private func evaluationService(_ settings: EvaluationSettings) async throws -> EvaluationService {
    var judge: JudgeSettings?
    if let name = settings.judgeProvider {
      judge = JudgeSettings(
        provider: try await providers.require(name), model: settings.judgeModel,
        temperature: settings.judgeTemperature ?? 0)
    }
    var embedder: (any Provider)?
    if let name = settings.embeddingProvider { embedder = try await providers.require(name) }
    return EvaluationService(
      store: store,
      evaluators: EvaluationService.standardEvaluators(
        judge: judge, providers: await providers.all(), embedding: embedder,
        embeddingModel: settings.embeddingModel) + (plugins.map { [PluginEvaluator(registry: $0)] } ?? []),
      cache: evaluationCache, events: bus, judge: judge?.label,
      embedder: embedder.map { "\($0.name)/\(settings.embeddingModel ?? $0.defaultModel ?? "default")" })
  }
}
