public import Foundation
public import LTBCore
import SQLKit

extension SQLBenchStore {
  /// Stores metric verdicts and case verdicts (replacing earlier ones for the same result and
  /// metric) and copies each result's scores into `results.evaluation_scores` for filtering, in
  /// one transaction.
  public func saveEvaluations(_ records: [EvaluationRecord], cases: [CaseEvaluation]) async throws {
    guard !records.isEmpty || !cases.isEmpty else { return }
    let scores = Dictionary(grouping: records.filter { $0.score != nil }, by: \.resultID)
      .mapValues { Dictionary($0.map { ($0.metric, $0.score ?? 0) }, uniquingKeysWith: { $1 }) }
    let namedScores = Dictionary(grouping: records, by: \.resultID).mapValues(NamedScores.init)
    // The plugin metrics of each result (spec column `plugin_metrics`): score, pass and the
    // plugin version that produced them.
    let pluginMetrics = Dictionary(
      grouping: records.filter { $0.evaluator.hasPrefix("plugin:") }, by: \.resultID
    )
    .mapValues { records in
      Dictionary(
        records.map { ($0.metric, PluginMetric(score: $0.score, passed: $0.passed, plugin: $0.evaluator)) },
        uniquingKeysWith: { $1 })
    }
    try await connections.write { database in
      try await database.raw("BEGIN").run()
      do {
        for record in records {
          try await database.raw(
            """
            INSERT INTO evaluations (result_id, session_id, test_id, metric, state, score, passed, judge_cost, record)
            VALUES (\(bind: record.resultID), \(bind: record.sessionID), \(bind: record.testID), \(bind: record.metric),
                    \(bind: record.state.rawValue), \(bind: record.score), \(bind: record.passed),
                    \(bind: record.judge?.cost), \(bind: record))
            ON CONFLICT (result_id, metric) DO UPDATE SET state = excluded.state, score = excluded.score,
              passed = excluded.passed, judge_cost = excluded.judge_cost, record = excluded.record
            """
          ).run()
        }
        for outcome in cases {
          try await database.raw(
            """
            INSERT INTO case_evaluations (result_id, session_id, test_id, verdict, score, record)
            VALUES (\(bind: outcome.resultID), \(bind: outcome.sessionID), \(bind: outcome.testID),
                    \(bind: outcome.verdict.rawValue), \(bind: outcome.score), \(bind: outcome))
            ON CONFLICT (result_id) DO UPDATE SET verdict = excluded.verdict, score = excluded.score,
              record = excluded.record
            """
          ).run()
        }
        for (resultID, values) in scores {
          let named = namedScores[resultID] ?? NamedScores()
          try await database.raw(
            """
            UPDATE results SET evaluation_scores = \(bind: values),
              faithfulness_score = COALESCE(\(bind: named.faithfulness), faithfulness_score),
              relevance_score = COALESCE(\(bind: named.relevance), relevance_score),
              coherence_score = COALESCE(\(bind: named.coherence), coherence_score),
              perplexity_score = COALESCE(\(bind: named.perplexity), perplexity_score),
              plugin_metrics = COALESCE(\(bind: pluginMetrics[resultID]), plugin_metrics)
            WHERE id = \(bind: resultID)
            """
          ).run()
        }
        try await database.raw("COMMIT").run()
      } catch {
        try? await database.raw("ROLLBACK").run()
        throw error
      }
    }
  }

  /// Records the grading that produced a session's verdicts (replacing an earlier one).
  public func saveEvaluationRun(_ run: EvaluationRun, session: UUID) async throws {
    try await connections.write { database in
      try await database.raw("UPDATE sessions SET evaluation_run = \(bind: run) WHERE id = \(bind: session)")
        .run()
    }
  }

  /// The grading that produced a session's verdicts, if it was graded.
  public func evaluationRun(session: UUID) async throws -> EvaluationRun? {
    try await connections.read { database in
      try await database.raw("SELECT evaluation_run FROM sessions WHERE id = \(bind: session)").first()?
        .decode(column: "evaluation_run", as: EvaluationRun?.self)
    }
  }

  /// Every metric verdict of a session.
  public func evaluations(session: UUID) async throws -> [EvaluationRecord] {
    try await records(
      "SELECT record FROM evaluations WHERE session_id = \(bind: session) ORDER BY result_id, metric")
  }

  /// Every metric verdict of these results, in one round trip (none for no results).
  public func evaluations(results: [UUID]) async throws -> [EvaluationRecord] {
    guard !results.isEmpty else { return [] }
    return try await records(
      "SELECT record FROM evaluations WHERE result_id IN (\(binds: results)) ORDER BY result_id, metric")
  }

  /// The verdicts of these results, ordered by result and metric: their columns, and with
  /// `details` what only the stored records hold (value, threshold, explanation, judge).
  public func verdicts(results: [UUID], details: Bool) async throws -> [Verdict] {
    guard !results.isEmpty else { return [] }
    let sql = Self.verdictsSQL(results, details: details)
    let decode = details ? Self.decodeRecordVerdict : Self.decodeVerdict
    if let sqlite = connections as? SQLiteConnectionProvider { return try await sqlite.rows(sql, decode) }
    return try await connections.read { database in try await database.raw(sql).all() }.map {
      try decode(ColumnReader($0))
    }
  }

  /// The query for the verdicts of `results`: their columns, or their whole records.
  static func verdictsSQL(_ results: [UUID], details: Bool) -> SQLQueryString {
    details
      ? "SELECT record FROM evaluations WHERE result_id IN (\(binds: results)) ORDER BY result_id, metric"
      : """
      SELECT result_id, metric, state, score, passed FROM evaluations
      WHERE result_id IN (\(binds: results)) ORDER BY result_id, metric
      """
  }

  /// A verdict from its columns.
  static func decodeVerdict(_ row: ColumnReader) throws -> Verdict {
    // Read in the select list's order: a column found where the last one ended is not looked up.
    let resultID = try row.uuid("result_id")
    let metric = try row.string("metric")
    let state = try row.string("state")
    guard let parsed = EvaluationState(rawValue: state) else {
      throw LTBError(.storage, "the state column holds '\(state.prefix(40))', not a verdict state")
    }
    return Verdict(
      resultID: resultID, metric: metric, state: parsed, score: try row.optionalDouble("score"),
      passed: try row.optionalBool("passed"))
  }

  /// A verdict from its stored record.
  static func decodeRecord(_ row: ColumnReader) throws -> EvaluationRecord {
    try StoredJSON.readEvaluation(row.string("record"))
  }

  /// A verdict, with its detail, from its stored record.
  static func decodeRecordVerdict(_ row: ColumnReader) throws -> Verdict {
    Verdict(try decodeRecord(row))
  }

  /// A page of listed results and the verdicts of its results (with `verdictDetails`, their
  /// records' detail too), in one trip to SQLite's thread (two queries on one connection);
  /// elsewhere the two queries one after the other.
  public func resultRowsWithVerdicts(
    _ query: ResultQuery, reading parts: ResultRow.Parts, verdictDetails: Bool
  )
    async throws -> (page: Page<ResultRow>, verdicts: [Verdict])
  {
    guard let sqlite = connections as? SQLiteConnectionProvider else {
      let page = try await resultRows(query, reading: parts)
      return (page, try await verdicts(results: page.items.map(\.id), details: verdictDetails))
    }
    let (sql, limit) = try await resultsQuery(query, columns: parts)
    let (pageSQL, pageBinds) = try sqlite.serialize(sql)
    let decode = verdictDetails ? Self.decodeRecordVerdict : Self.decodeVerdict
    let (decoded, more, verdicts) = try await sqlite.read(queries: 2) { session in
      var decoded = try session.rows(pageSQL, pageBinds) { try Self.decodeRow($0, parts: parts) }
      let more = Self.dropExtraRow(&decoded, limit: limit)
      let ids = decoded.map(\.id)
      guard !ids.isEmpty else { return (decoded, more, [Verdict]()) }
      let (verdictSQL, verdictBinds) = try sqlite.serialize(Self.verdictsSQL(ids, details: verdictDetails))
      return (decoded, more, try session.rows(verdictSQL, verdictBinds, decode))
    }
    return (Self.page(decoded, more: more, query: query), verdicts)
  }

  /// The verdicts a query selects (its `record` column), read natively on SQLite.
  private func records(_ sql: SQLQueryString) async throws -> [EvaluationRecord] {
    if let sqlite = connections as? SQLiteConnectionProvider {
      return try await sqlite.rows(sql, Self.decodeRecord)
    }
    return try await connections.read { database in try await database.raw(sql).all() }.map {
      try $0.decode(column: "record", as: EvaluationRecord.self)
    }
  }

  /// Every case verdict of a session.
  public func caseEvaluations(session: UUID) async throws -> [CaseEvaluation] {
    try await connections.read { database in
      try await database.raw(
        "SELECT record FROM case_evaluations WHERE session_id = \(bind: session) ORDER BY result_id"
      ).all().map { try $0.decode(column: "record", as: CaseEvaluation.self) }
    }
  }

  /// A cached evaluation outcome (JSON text).
  public func cachedEvaluation(key: String) async throws -> String? {
    try await connections.read { database in
      try await database.raw("SELECT outcome FROM evaluation_cache WHERE cache_key = \(bind: key)").first()?
        .decode(column: "outcome", as: String.self)
    }
  }

  /// Records an evaluation outcome (JSON text) under its key.
  public func storeCachedEvaluation(key: String, evaluator: String, outcome: String) async throws {
    try await connections.write { database in
      try await database.raw(
        """
        INSERT INTO evaluation_cache (cache_key, evaluator, outcome) VALUES (\(bind: key), \(bind: evaluator), \(bind: outcome))
        ON CONFLICT (cache_key) DO UPDATE SET outcome = excluded.outcome
        """
      ).run()
    }
  }

  /// Saves a model profile (one row per provider and model).
  public func saveModelProfile(_ profile: ModelProfile) async throws {
    let providerID = try await providerID(profile.provider)
    let typical = profile.quality["case"]?.mean
    let latency = profile.latency["p50"].map { Int($0.rounded()) }
    try await connections.write { database in
      try await database.raw(
        """
        INSERT INTO model_profiles (id, provider_id, model_name, typical_quality, avg_latency_ms, cost_per_1k_tokens,
                                    sample_count, last_updated, profile)
        VALUES (\(bind: UUID()), \(bind: providerID), \(bind: profile.model), \(bind: typical), \(bind: latency),
                \(bind: profile.costPer1kTokens), \(bind: profile.sampleCount),
                \(bind: StoredTime.storable(profile.updatedAt)), \(bind: profile))
        ON CONFLICT (provider_id, model_name) DO UPDATE SET typical_quality = excluded.typical_quality,
          avg_latency_ms = excluded.avg_latency_ms, cost_per_1k_tokens = excluded.cost_per_1k_tokens,
          sample_count = excluded.sample_count, last_updated = excluded.last_updated, profile = excluded.profile
        """
      ).run()
    }
  }

  /// Every model profile.
  public func modelProfiles() async throws -> [ModelProfile] {
    try await connections.read { database in
      try await database.raw(
        "SELECT profile FROM model_profiles WHERE profile IS NOT NULL ORDER BY model_name"
      )
      .all().map { try $0.decode(column: "profile", as: ModelProfile.self) }
    }
  }
}

/// The spec's named score columns of a result (`faithfulness_score`, `relevance_score`,
/// `coherence_score`, `perplexity_score`), from the metrics that fill them: the judge metrics'
/// scores in [0, 1], and perplexity's own value (lower is better).
struct NamedScores {
  var faithfulness: Double?
  var relevance: Double?
  var coherence: Double?
  var perplexity: Double?

  init() {}

  init(_ records: [EvaluationRecord]) {
    for record in records where record.state == .scored {
      switch record.metric {
      case "faithfulness": faithfulness = record.score
      case "answer-relevance": relevance = record.score
      case "coherence": coherence = record.score
      case "perplexity": perplexity = record.value
      default: continue
      }
    }
  }
}

/// One plugin metric of a result, as `results.plugin_metrics` keeps it.
struct PluginMetric: Codable, Sendable {
  /// The score.
  var score: Double?
  /// Whether it passed.
  var passed: Bool?
  /// The plugin (`plugin:NAME@VERSION`) that produced it.
  var plugin: String
}
