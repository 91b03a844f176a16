public import Foundation
public import LTBCore

/// Everything LLM Test Bench keeps: sessions, results, providers, the response cache, evaluations
/// and model profiles. One
/// SQL implementation (``SQLBenchStore``) runs on SQLite and on PostgreSQL.
public protocol BenchStore: AuthStore, TaskQueueStore, WorkerRegistryStore, AlertStore, PluginStore,
  ExportStore
{
  /// Where the store lives.
  var location: DatabaseLocation { get }
  /// Applies pending migrations; returns their names.
  func migrate() async throws -> [String]
  /// Records a new session.
  func createSession(_ session: BenchmarkSession) async throws
  /// Saves a session's status, times, task count and stop reason.
  func updateSession(_ session: BenchmarkSession) async throws
  /// One session.
  func session(_ id: UUID) async throws -> BenchmarkSession?
  /// Sessions, newest first, filtered by `query`.
  func sessions(_ query: SessionQuery) async throws -> Page<BenchmarkSession>
  /// Registers (or refreshes) a provider so that results can refer to it.
  func registerProvider(name: String, kind: ProviderKind, baseURL: String) async throws
  /// Every provider added through the API.
  func managedProviders() async throws -> [ManagedProvider]
  /// Stores a provider added or changed through the API.
  func saveManagedProvider(_ provider: ManagedProvider) async throws
  /// Forgets a provider added through the API; whether there was one.
  func removeManagedProvider(name: String) async throws -> Bool
  /// Stores results; a result for a task key the session already has replaces it.
  func insertResults(_ results: [BenchmarkResult]) async throws
  /// One result.
  func result(_ id: UUID) async throws -> BenchmarkResult?
  /// A page of whole results.
  func results(_ query: ResultQuery) async throws -> Page<BenchmarkResult>
  /// A page of results as a listing reads them: the columns every list shows and the groups in
  /// `parts`.
  func resultRows(_ query: ResultQuery, reading parts: ResultRow.Parts) async throws -> Page<ResultRow>
  /// How many results a session holds, by status.
  func resultCounts(session: UUID) async throws -> [ResultStatus: Int]
  /// What a session's results cost in all, in US dollars.
  func resultCost(session: UUID) async throws -> Double
  /// The task keys of a session that succeeded (resume skips them).
  func succeededTaskKeys(session: UUID) async throws -> Set<String>
  /// A recorded response for a request key.
  func cachedResponse(key: String) async throws -> CompletionResponse?
  /// Records a response for a request key.
  func storeCachedResponse(
    key: String, provider: String, model: String, request: CompletionRequest, response: CompletionResponse)
    async throws
  /// Stores metric and case verdicts (replacing earlier ones) and each result's scores.
  func saveEvaluations(_ records: [EvaluationRecord], cases: [CaseEvaluation]) async throws
  /// Every metric verdict of a session.
  func evaluations(session: UUID) async throws -> [EvaluationRecord]
  /// Every metric verdict of these results, in one round trip.
  func evaluations(results: [UUID]) async throws -> [EvaluationRecord]
  /// The verdicts of these results, ordered by result and metric: their columns, and with
  /// `details` what only the stored records hold.
  func verdicts(results: [UUID], details: Bool) async throws -> [Verdict]
  /// A page of listed results (the groups in `parts`) with the verdicts of its results, in as
  /// few trips to the database as the store can make.
  func resultRowsWithVerdicts(_ query: ResultQuery, reading parts: ResultRow.Parts, verdictDetails: Bool)
    async throws -> (page: Page<ResultRow>, verdicts: [Verdict])
  /// Every case verdict of a session.
  func caseEvaluations(session: UUID) async throws -> [CaseEvaluation]
  /// Records the grading that produced a session's verdicts (replacing an earlier one).
  func saveEvaluationRun(_ run: EvaluationRun, session: UUID) async throws
  /// The grading that produced a session's verdicts, if it was graded.
  func evaluationRun(session: UUID) async throws -> EvaluationRun?
  /// A cached evaluation outcome (JSON text).
  func cachedEvaluation(key: String) async throws -> String?
  /// Records an evaluation outcome (JSON text).
  func storeCachedEvaluation(key: String, evaluator: String, outcome: String) async throws
  /// Saves a model profile.
  func saveModelProfile(_ profile: ModelProfile) async throws
  /// Every model profile.
  func modelProfiles() async throws -> [ModelProfile]
  /// Whether the database answers a trivial query (for health and readiness checks).
  func isReachable() async -> Bool
  /// Closes every connection.
  func close() async
  /// Database round trips since the store opened (for `/metrics` and for tests that bound them).
  var operationCount: Int { get }
}

extension BenchStore {
  /// Sessions, newest first, optionally of one status and of one owner.
  public func sessions(status: SessionStatus?, owner: UUID?, limit: Int, cursor: String?) async throws
    -> Page<BenchmarkSession>
  {
    try await sessions(SessionQuery(status: status, owner: owner, limit: limit, cursor: cursor))
  }

  /// Calls `body` with successive pages of a session's results (bounded memory), oldest first.
  public func forEachResultPage(
    session: UUID, pageSize: Int = 1_000, _ body: ([BenchmarkResult]) async throws -> Void
  ) async throws {
    var cursor: String?
    repeat {
      let page = try await results(
        ResultQuery(sessionID: session, descending: false, limit: pageSize, cursor: cursor))
      if !page.items.isEmpty { try await body(page.items) }
      cursor = page.nextCursor
    } while cursor != nil
  }
}
