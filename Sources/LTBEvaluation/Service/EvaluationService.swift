public import Foundation
public import LTBCore
public import LTBStorage
import Tracing

/// Scores stored responses: picks the evaluator for each assertion, consults the evaluation
/// cache, combines outcomes into case verdicts, stores everything, and refreshes the model
/// profiles. The same service backs `ltb bench` (after a run), `ltb eval` and the API.
public actor EvaluationService {
  /// Rewrites an answer before it is graded (response transform plugins); the stored answer
  /// is unchanged. Given the answer and the prompt.
  public typealias ResponseNormalizer =
    @Sendable (_ response: String, _ prompt: String) async throws -> String

  private let store: (any BenchStore)?
  private let evaluators: [String: any Evaluator]
  /// The cache in front of every cacheable evaluator.
  public let cache: EvaluationCache
  private let concurrency: Int
  private let events: (any EventSink)?
  private var inFlight: [String: Task<(outcome: EvaluationOutcome, source: EvaluationCache.Source), Never>] =
    [:]
  /// The judge and embedder, as `provider/model`, recorded with each session's grading.
  private let graders: (judge: String?, embedder: String?)

  /// A service over `store` with the given evaluators (later ones win for a type they share);
  /// each metric's verdict is published to `events` (for the Prometheus collector); `judge` and
  /// `embedder` (`provider/model`) are recorded with each session's grading.
  public init(
    store: (any BenchStore)? = nil, evaluators: [any Evaluator], cache: EvaluationCache? = nil,
    concurrency: Int = 4, events: (any EventSink)? = nil, judge: String? = nil, embedder: String? = nil
  ) {
    self.events = events
    self.graders = (judge, embedder)
    self.store = store
    var byType: [String: any Evaluator] = [:]
    for evaluator in evaluators { for type in evaluator.types { byType[type] = evaluator } }
    self.evaluators = byType
    self.cache = cache ?? EvaluationCache(store: store)
    self.concurrency = max(1, concurrency)
  }

  /// The built-in evaluators, with an optional judge and embedding provider.
  public static func standardEvaluators(
    judge: JudgeSettings?, providers: [String: any Provider] = [:], embedding: (any Provider)? = nil,
    embeddingModel: String? = nil
  ) -> [any Evaluator] {
    [
      DeterministicEvaluator(), TextOverlapEvaluator(), SignalEvaluator(), VisionEvaluator(judge: judge),
      AudioEvaluator(),
      EmbeddingSimilarityEvaluator(provider: embedding, model: embeddingModel),
      JudgeEvaluator(settings: judge, providers: providers),
    ]
  }

  /// Scores one response against assertions; groups recurse.
  public func score(_ specs: [AssertionSpec], _ input: EvaluationInput) async -> [CaseScorer.Scored] {
    var scored: [CaseScorer.Scored] = []
    for spec in specs { scored.append(await score(spec, input)) }
    return scored
  }

  private func score(_ spec: AssertionSpec, _ input: EvaluationInput) async -> CaseScorer.Scored {
    guard spec.children.isEmpty else { return await scoreLeaf(spec, input) }
    return await withSpan("evaluate \(spec.type)") { span in
      let scored = await scoreLeaf(spec, input)
      if span.isRecording {
        span.updateAttributes { attributes in
          attributes["ltb.evaluation.metric"] = spec.type
          attributes["ltb.evaluation.name"] = spec.name
          attributes["ltb.evaluation.evaluator"] = scored.evaluator
          attributes["ltb.evaluation.state"] = scored.outcome.state.rawValue
          attributes["ltb.evaluation.score"] = scored.outcome.score
          attributes["ltb.evaluation.cache"] = scored.cacheSource.map { "\($0)" } ?? "none"
          attributes["ltb.session.id"] = input.sessionID?.uuidString.lowercased()
        }
        if scored.outcome.state == .error {
          span.setStatus(SpanStatus(code: .error, message: scored.outcome.explanation))
        }
      }
      return scored
    }
  }

  private func scoreLeaf(_ spec: AssertionSpec, _ input: EvaluationInput) async -> CaseScorer.Scored {
    if !spec.children.isEmpty {
      let members = await score(spec.children, input)
      return CaseScorer.Scored(
        spec: spec, outcome: CaseScorer.group(spec, members), evaluator: "group", version: 1,
        children: members)
    }
    // A type `PREFIX:NAME` (plugin:keyword-coverage) goes to the evaluator of `PREFIX:`.
    let prefix = spec.type.firstIndex(of: ":").map { String(spec.type[...$0]) }
    guard let evaluator = evaluators[spec.type] ?? prefix.flatMap({ evaluators[$0] }) else {
      return CaseScorer.Scored(
        spec: spec, outcome: .error("no evaluator handles '\(spec.type)'"), evaluator: "none", version: 0)
    }
    var source: EvaluationCache.Source?
    var outcome: EvaluationOutcome
    let started = ContinuousClock.now
    if evaluator.cacheable {
      // One evaluation per key at a time: a second request for the same key (a repeat with
      // the same answer, in flight concurrently) waits for the first and counts as a hit.
      let key = EvaluationCache.key(evaluator, spec, input)
      if let pending = inFlight[key] {
        outcome = await pending.value.outcome
        source = .shared
        await cache.countSharedHit()
      } else {
        let cache = self.cache
        let task = Task<(outcome: EvaluationOutcome, source: EvaluationCache.Source), Never> {
          if let hit = await cache.outcome(for: key) { return hit }
          let fresh = await evaluator.evaluate(spec, input)
          await cache.remember(fresh, for: key, evaluator: evaluator.id)
          return (fresh, .miss)
        }
        inFlight[key] = task
        (outcome, source) = await task.value
        inFlight[key] = nil
      }
      // A cached verdict cost nothing this time: keep who judged, not the spend.
      if source != .miss, let judge = outcome.judge {
        outcome.judge = JudgeUsage(provider: judge.provider, model: judge.model)
      }
    } else {
      outcome = await evaluator.evaluate(spec, input)
    }
    if spec.negated { outcome = outcome.negated }
    let cached = source.map { $0 != .miss } ?? false
    await events?.publish(
      .evaluationScored(
        metric: spec.type, state: outcome.state.rawValue, score: outcome.score,
        durationMs: cached ? 0 : (ContinuousClock.now - started).milliseconds, cached: cached,
        sessionID: input.sessionID, provider: input.provider, model: input.model))
    return CaseScorer.Scored(
      spec: spec, outcome: outcome, evaluator: outcome.producedBy ?? evaluator.id, version: evaluator.version,
      cacheSource: source)
  }

  /// The assertions of a stored result (its case's and its suite's, plus `extra`), parsed;
  /// a malformed one becomes an error naming the case.
  static func specs(for result: BenchmarkResult, extra: [AssertionSpec], onlyExtra: Bool) -> (
    [AssertionSpec], [String]
  ) {
    var specs: [AssertionSpec] = []
    var problems: [String] = []
    if !onlyExtra {
      for (index, json) in (result.expectations?.assertions ?? []).enumerated() {
        do {
          specs.append(
            try AssertionSpec(parsing: json, location: "case \(result.testID), assertion \(index + 1)"))
        } catch {
          problems.append("\(error.message) (\(error.fix ?? ""))")
        }
      }
    }
    return (specs + extra, problems)
  }

  /// Scores every measured result of a session (warm-ups excluded), stores the verdicts and a
  /// record of this grading (its cache hits and misses, its judge and embedder); `extra`
  /// assertions (from `--metrics`) apply to every case, and with `onlyExtra` replace the stored
  /// ones. `progress` is called with the number of results done and the number to do.
  public func evaluateSession(
    _ sessionID: UUID, extra: [AssertionSpec] = [], onlyExtra: Bool = false,
    normalize: ResponseNormalizer? = nil,
    progress: (@Sendable (_ done: Int, _ total: Int) async -> Void)? = nil
  ) async throws -> SessionEvaluation {
    try await withSpan("grade session") { span in
      if span.isRecording { span.attributes["ltb.session.id"] = sessionID.uuidString.lowercased() }
      let evaluation = try await gradeSession(
        sessionID, extra: extra, onlyExtra: onlyExtra, normalize: normalize, progress: progress)
      if span.isRecording, let graded = evaluation.run?.graded {
        span.updateAttributes { $0["ltb.evaluation.graded"] = graded }
      }
      return evaluation
    }
  }

  private func gradeSession(
    _ sessionID: UUID, extra: [AssertionSpec], onlyExtra: Bool, normalize: ResponseNormalizer?,
    progress: (@Sendable (_ done: Int, _ total: Int) async -> Void)?
  ) async throws -> SessionEvaluation {
    guard let store else {
      throw LTBError(.internal, "the evaluation service has no store", fix: "create it with a store")
    }
    guard try await store.session(sessionID) != nil else {
      throw LTBError(.notFound, "no session \(sessionID)", fix: "list sessions with `ltb sessions list`")
    }
    let total = try await store.resultCounts(session: sessionID).values.reduce(0, +)
    var done = 0
    var graded = 0
    var tally = EvaluationCache.Statistics()
    var cursor: String?
    repeat {
      let page = try await store.results(
        ResultQuery(sessionID: sessionID, descending: false, limit: 200, cursor: cursor))
      cursor = page.nextCursor
      let measured = page.items.filter { !$0.warmup }
      var records: [EvaluationRecord] = []
      var cases: [CaseEvaluation] = []
      await withTaskGroup(of: Graded.self) { group in
        var iterator = measured.makeIterator()
        for _ in 0..<concurrency {
          guard let result = iterator.next() else { break }
          group.addTask { await self.grade(result, extra: extra, onlyExtra: onlyExtra, normalize: normalize) }
        }
        while let one = await group.next() {
          records += one.records
          if let verdict = one.verdict { cases.append(verdict) }
          for scored in one.scored { scored.count(into: &tally) }
          if let result = iterator.next() {
            group.addTask {
              await self.grade(result, extra: extra, onlyExtra: onlyExtra, normalize: normalize)
            }
          }
        }
      }
      try await store.saveEvaluations(records, cases: cases)
      graded += cases.count
      done += page.items.count
      await progress?(done, total)
    } while cursor != nil
    let run = EvaluationRun(graded: graded, cache: tally, judge: graders.judge, embedder: graders.embedder)
    try await store.saveEvaluationRun(run, session: sessionID)
    let data = try await SessionRecords.load(session: sessionID, store: store)
    var summary = SessionEvaluation.summarize(data, session: sessionID, cache: tally)
    summary.run = run
    for profile in ModelProfiler.profiles(data) { try await store.saveModelProfile(profile) }
    return summary
  }

  /// A pairwise assertion with `against-model: PROVIDER/MODEL` compares the answer with that
  /// target's answer to the same case (same repeat when there is one) in the same session.
  private func resolvingPairwise(_ spec: AssertionSpec, for result: BenchmarkResult) async -> AssertionSpec {
    var spec = spec
    if !spec.children.isEmpty {
      var children: [AssertionSpec] = []
      for child in spec.children { children.append(await resolvingPairwise(child, for: result)) }
      spec.children = children
      return spec
    }
    guard spec.type == "pairwise", let label = spec.string("against-model"), let store else { return spec }
    let parts = label.split(separator: "/", maxSplits: 1).map(String.init)
    let query = ResultQuery(
      sessionID: result.sessionID, provider: parts.first, model: parts.count > 1 ? parts[1] : nil,
      statuses: [.success], testID: result.testID, limit: 100)
    let others = (try? await store.results(query).items) ?? []
    let other = others.first { $0.repeatIndex == result.repeatIndex } ?? others.first
    spec.options["against"] = other?.response.map(JSONValue.string) ?? .string("")
    return spec
  }

  /// Scores one stored result: its records and verdict (no verdict when nothing applies).
  public func evaluate(_ result: BenchmarkResult, extra: [AssertionSpec] = [], onlyExtra: Bool = false) async
    -> ([EvaluationRecord], CaseEvaluation?)
  {
    let graded = await grade(result, extra: extra, onlyExtra: onlyExtra)
    return (graded.records, graded.verdict)
  }

  /// One result's grading: what was scored (with its cache lookups), its records and verdict.
  private struct Graded: Sendable {
    var scored: [CaseScorer.Scored] = []
    var records: [EvaluationRecord] = []
    var verdict: CaseEvaluation?
  }

  private func grade(
    _ result: BenchmarkResult, extra: [AssertionSpec], onlyExtra: Bool, normalize: ResponseNormalizer? = nil
  ) async -> Graded {
    let (specs, problems) = Self.specs(for: result, extra: extra, onlyExtra: onlyExtra)
    guard !specs.isEmpty || !problems.isEmpty else { return Graded() }
    var scored: [CaseScorer.Scored] = []
    if result.status == .success {
      var input = EvaluationInput(result: result)
      var failure: String?
      if let normalize {
        do {
          input.response = try await normalize(input.response, input.prompt)
        } catch {
          failure = "the response transform failed: \((error as? LTBError)?.message ?? "\(error)")"
        }
      }
      if let failure {
        // Nothing is scored on an answer the suite's transforms could not prepare.
        scored = specs.map {
          CaseScorer.Scored(spec: $0, outcome: .error(failure), evaluator: "transform", version: 1)
        }
      } else {
        var resolved: [AssertionSpec] = []
        for spec in specs { resolved.append(await resolvingPairwise(spec, for: result)) }
        scored = await score(resolved, input)
      }
    }
    for problem in problems {
      scored.append(
        CaseScorer.Scored(
          spec: AssertionSpec(type: "invalid", name: "invalid-assertion"), outcome: .error(problem),
          evaluator: "parser", version: 1))
    }
    let (records, verdict) = CaseScorer.combine(scored, result: result)
    return Graded(scored: scored, records: records, verdict: verdict)
  }
}
