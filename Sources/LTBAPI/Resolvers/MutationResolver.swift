import Foundation
import LTBConfig
import LTBCore
import LTBEngine
import LTBEvaluation
import LTBStorage

/// The `Mutation` root: benchmarks start in the background and report through subscriptions.
struct MutationResolver: MutationResolvers {
  let services: APIServices

  func createBenchmark(_ arguments: MutationCreateBenchmarkArguments, context: APIContext) async throws
    -> Session
  {
    let suite = try Self.suite(from: arguments.input.suite)
    let session = try await services.benchmarks.createSession(suite)
    if arguments.input.start ?? true { start(session.id) }
    return APIMapping.session(try await services.store.session(session.id) ?? session)
  }

  func cancelBenchmark(_ arguments: MutationCancelBenchmarkArguments, context: APIContext) async throws
    -> Session
  {
    guard let session = try await services.store.session(arguments.id) else {
      throw LTBError(.notFound, "no session \(arguments.id)", fix: "list sessions with the benchmarks query")
    }
    _ = await services.benchmarks.cancel(sessionID: arguments.id)
    return APIMapping.session(session)
  }

  func resumeBenchmark(_ arguments: MutationResumeBenchmarkArguments, context: APIContext) async throws
    -> Session
  {
    guard let session = try await services.store.session(arguments.id) else {
      throw LTBError(.notFound, "no session \(arguments.id)", fix: "list sessions with the benchmarks query")
    }
    guard session.status != .running else {
      throw LTBError(
        .invalidInput, "session \(arguments.id) is running", fix: "cancel it first, or wait for it")
    }
    start(arguments.id)
    return APIMapping.session(session)
  }

  func evaluate(_ arguments: MutationEvaluateArguments, context: APIContext) async throws -> EvaluateResult {
    let input = arguments.input
    guard case .array(let items) = input.assertions else {
      throw LTBError(
        .invalidInput, "assertions must be a JSON list",
        fix: "pass [{\"type\": \"contains\", \"value\": \"x\"}]")
    }
    let specs = try items.enumerated().map { index, item in
      try AssertionSpec(parsing: item, location: "assertions[\(index)]")
    }
    let evaluationInput = EvaluationInput(
      testID: "api", prompt: input.prompt, response: input.response, expected: input.expected,
      references: input.references ?? input.expected.map { [$0] } ?? [], context: input.context ?? [])
    let scored = await services.evaluation.score(specs, evaluationInput)
    let result = BenchmarkResult(
      sessionID: UUID(), taskKey: "api", testID: "api", dataset: "api", provider: "api", model: "api",
      status: .success, prompt: input.prompt, response: input.response)
    let (records, verdict) = CaseScorer.combine(scored, result: result)
    return EvaluateResult(
      verdict: CaseVerdict(rawValue: verdict.verdict.rawValue.uppercased()) ?? .error, score: verdict.score,
      evaluations: records.map(APIMapping.evaluation))
  }

  func evaluateSession(_ arguments: MutationEvaluateSessionArguments, context: APIContext) async throws
    -> SessionEvaluation
  {
    let extra = try (arguments.metrics ?? []).map { name in
      try AssertionSpec(parsing: ["type": .string(name)], location: "metrics '\(name)'")
    }
    return APIMapping.sessionEvaluation(
      try await services.evaluation.evaluateSession(arguments.id, extra: extra))
  }

  /// Runs a session in the background; its progress goes to the event bus.
  private func start(_ id: UUID) {
    let benchmarks = services.benchmarks
    Task { _ = try? await benchmarks.run(sessionID: id) }
  }

  /// A suite from YAML or JSON text; dataset paths resolve against the server's directory.
  static func suite(from text: String) throws -> BenchmarkSuite {
    try SuiteLoader.load(
      text: text, origin: "the suite",
      directory: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
  }
}
