public import Foundation
public import LTBCore
import NIOConcurrencyHelpers
import SQLKit
import SQLiteKit

/// Results written: batches of rows in one transaction, every spec column filled.
extension SQLBenchStore {
  static let resultColumns = [
    "id", "session_id", "provider_id", "provider", "dataset", "test_id", "task_key", "phase", "target_index",
    "repeat_index",
    "warmup", "status",
    "error_code", "model", "prompt", "response", "error", "finish_reason", "created_at", "created_us",
    "duration_ms",
    "sent_offset_ms",
    "ttft_ms", "e2e_ms", "tpot_ms", "schedule_lag_ms", "timing", "prompt_tokens", "completion_tokens",
    "total_tokens",
    "cached_tokens", "usage_source", "evaluation_scores", "category", "tags", "metadata", "parameters",
    "server_timings",
    "total_cost", "cost_details", "cache_hit", "attempts", "logprobs", "expectations", "provider_metadata",
    "cache_stats", "trace_id", "span_id", "media_inputs",
  ]

  /// Stores results in batches, in one transaction; a task key the session already has is replaced.
  public func insertResults(_ results: [BenchmarkResult]) async throws {
    guard !results.isEmpty else { return }
    var providers: [String: UUID] = [:]
    for name in Set(results.map(\.provider)) { providers[name] = try await providerID(name) }
    let rows = results.map { Self.columnValues($0, providerID: providers[$0.provider]) }
    let size = BenchStoreLimits.insertBatch
    let batches = stride(from: 0, to: rows.count, by: size).map { rows[$0..<min($0 + size, rows.count)] }
    let updated = Self.resultColumns.filter { $0 != "id" && $0 != "session_id" && $0 != "task_key" }
    if let sqlite = connections as? SQLiteConnectionProvider {
      let columns = Self.resultColumns.joined(separator: ", ")
      let rowMarkers =
        "(" + Array(repeating: "?", count: Self.resultColumns.count).joined(separator: ", ") + ")"
      let upsert = updated.map { "\($0) = excluded.\($0)" }.joined(separator: ", ")
      try await sqlite.writeNative { connection in
        try await Self.inTransaction(connection) {
          for batch in batches {
            let values = Array(repeating: rowMarkers, count: batch.count).joined(separator: ", ")
            let sql =
              "INSERT INTO results (\(columns)) VALUES \(values) ON CONFLICT (session_id, task_key) DO UPDATE SET \(upsert)"
            _ = try await connection.query(sql, batch.flatMap { row in row.map(\.sqlite) })
          }
        }
      }
      return
    }
    try await connections.write { database in
      try await database.raw("BEGIN").run()
      do {
        try await Self.insertRows(rows, database: database, dialect: .postgres)
        try await database.raw("COMMIT").run()
      } catch {
        try? await database.raw("ROLLBACK").run()
        throw error
      }
    }
  }

  /// Inserts result rows through SQLKit on `database` (inside the caller's transaction), a task
  /// key the session already has replaced. SQLite's bulk path binds natively instead
  /// (``insertResults(_:)``); this one serves PostgreSQL and writes that share a transaction
  /// with other statements on either database.
  static func insertRows(_ rows: [[StoredValue]], database: any SQLDatabase, dialect: SQLDialectKind)
    async throws
  {
    let updated = resultColumns.filter { $0 != "id" && $0 != "session_id" && $0 != "task_key" }
    let size = BenchStoreLimits.insertBatch
    for start in stride(from: 0, to: rows.count, by: size) {
      var insert = database.insert(into: "results").columns(resultColumns)
      for row in rows[start..<min(start + size, rows.count)] {
        insert = insert.values(row.map { dialect == .postgres ? $0.postgres : $0.sqliteBind })
      }
      try await insert.onConflict(with: ["session_id", "task_key"]) { conflict in
        var conflict = conflict
        for column in updated { conflict = conflict.set(excludedValueOf: column) }
        return conflict
      }.run()
    }
  }

  /// Runs `body` between `BEGIN` and `COMMIT` on a SQLite connection, rolling back on failure.
  static func inTransaction(
    _ connection: SQLiteConnection, _ body: () async throws -> Void
  ) async throws {
    _ = try await connection.query("BEGIN")
    do {
      try await body()
      _ = try await connection.query("COMMIT")
    } catch {
      _ = try? await connection.query("ROLLBACK")
      throw error
    }
  }

  /// A result's values in `resultColumns` order.
  static func columnValues(_ result: BenchmarkResult, providerID: UUID?) -> [StoredValue] {
    let usage = result.usage
    return [
      .uuid(result.id), .uuid(result.sessionID), .optional(providerID, StoredValue.uuid),
      .text(result.provider),
      .text(result.dataset), .text(result.testID), .text(result.taskKey), .integer(result.phase),
      .integer(result.targetIndex), .integer(result.repeatIndex), .bool(result.warmup),
      .text(result.status.rawValue), .optional(result.errorCode, StoredValue.text), .text(result.model),
      .text(result.prompt), .optional(result.response, StoredValue.text),
      .optional(result.error, StoredValue.text),
      .optional(result.finishReason, StoredValue.text), .date(StoredTime.storable(result.createdAt)),
      .integer(Int(StoredTime.microseconds(result.createdAt))), .real(result.durationMs),
      .real(result.sentOffsetMs),
      .optional(result.timeToFirstTokenMs, StoredValue.real), .optional(result.endToEndMs, StoredValue.real),
      .optional(result.timePerOutputTokenMs, StoredValue.real),
      .optional(result.scheduleLagMs, StoredValue.real),
      .optional(result.timing.map(StoredJSON.timing), StoredValue.json),
      .optional(usage?.inputTokens, StoredValue.integer), .optional(usage?.outputTokens, StoredValue.integer),
      .optional(usage?.totalTokens, StoredValue.integer),
      .optional(usage?.cachedInputTokens, StoredValue.integer),
      .optional(usage?.source.rawValue, StoredValue.text),
      .optional(StoredJSON.scores(result.evaluationScores), StoredValue.json),
      .optional(result.category, StoredValue.text), .strings(result.tags),
      .optional(StoredJSON.metadata(result.metadata), StoredValue.json),
      .optional(StoredJSON.parameters(result.parameters), StoredValue.json),
      .optional(result.serverTimings.map(StoredJSON.serverTimings), StoredValue.json),
      .optional(result.cost?.total, StoredValue.real),
      .optional(result.cost.map(StoredJSON.cost), StoredValue.json),
      .bool(result.cacheHit), .integer(result.attempts),
      .optional(result.logprobs.map(StoredJSON.encoded), StoredValue.json),
      .optional(result.expectations.map(StoredJSON.encoded), StoredValue.json),
      .optional(result.providerMetadata.map(StoredJSON.encoded), StoredValue.json),
      .json(StoredJSON.encoded(CacheStatistics(result))),
      .optional(result.traceID, StoredValue.text), .optional(result.spanID, StoredValue.text),
      .optional(result.mediaInputs.map(StoredJSON.encoded), StoredValue.json),
    ]
  }
}
