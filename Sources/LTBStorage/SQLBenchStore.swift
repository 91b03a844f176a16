public import Foundation
public import LTBCore
import NIOConcurrencyHelpers
import SQLKit
import SQLiteKit

/// The one SQL implementation of ``BenchStore``, on SQLite (the embedded default) and
/// PostgreSQL; the few differences (tags, JSON paths, full-text search) switch on the dialect.
public final class SQLBenchStore: BenchStore {
  /// Where the store lives.
  public let location: DatabaseLocation
  let connections: any SQLConnectionProvider
  let providerIDs = NIOLockedValueBox<[String: UUID]>([:])

  private init(location: DatabaseLocation, connections: any SQLConnectionProvider) {
    self.location = location
    self.connections = connections
  }

  /// What opening a store does about migrations.
  public enum MigrationPolicy: Sendable {
    /// Apply pending migrations.
    case apply
    /// Refuse an outdated schema with a clear message.
    case require
    /// Neither (for `ltb migrate`, which applies them itself).
    case skip
  }

  /// Opens a store, applying pending migrations by default.
  public static func open(_ location: DatabaseLocation, migrations: MigrationPolicy = .apply) async throws
    -> SQLBenchStore
  {
    let connections: any SQLConnectionProvider =
      switch location {
      case .sqlite(let path): try await SQLiteConnectionProvider.open(path: path)
      case .postgres: try await PostgresConnectionProvider.open(location)
      }
    let store = SQLBenchStore(location: location, connections: connections)
    do {
      switch migrations {
      case .apply: _ = try await store.migrate()
      case .require: try await store.requireCurrentSchema()
      case .skip: break
      }
    } catch {
      await connections.close()
      throw error
    }
    return store
  }

  /// Whether the database answers `SELECT 1`.
  public func isReachable() async -> Bool {
    (try? await connections.read { database in try await database.raw("SELECT 1 AS ok").all() }) != nil
  }

  /// Database round trips since the store opened.
  public var operationCount: Int { connections.operationCount }

  /// Applies pending migrations.
  public func migrate() async throws -> [String] {
    try await MigrationRunner(provider: connections, migrations: Migration.bundled(for: connections.dialect))
      .migrate()
  }

  private func requireCurrentSchema() async throws {
    let runner = MigrationRunner(
      provider: connections, migrations: try Migration.bundled(for: connections.dialect))
    let applied = (try? await runner.appliedVersions()) ?? []
    let pending = runner.migrations.filter { !applied.contains($0.version) }
    if let first = pending.first {
      throw LTBError(
        .storage,
        "the database at \(location) lacks \(pending.count) migration\(pending.count == 1 ? "" : "s") (first: \(first.name))",
        fix: "run `ltb migrate --database \(location)`, or start without --no-migrate")
    }
  }

  /// Closes every connection.
  public func close() async {
    await connections.close()
  }

  // MARK: Sessions

  /// Records a new session.
  public func createSession(_ session: BenchmarkSession) async throws {
    try await connections.write { database in
      try await database.raw(
        """
        INSERT INTO sessions (id, name, description, status, config, tags, total_tasks, stop_reason, created_at, created_us,
                              started_at, completed_at, user_id)
        VALUES (\(bind: session.id), \(bind: session.name), \(bind: session.description), \(bind: session.status.rawValue),
                \(bind: session.suite), \(bind: session.tags), \(bind: session.totalTasks), \(bind: session.stopReason),
                \(bind: StoredTime.storable(session.createdAt)), \(bind: StoredTime.microseconds(session.createdAt)),
                \(bind: session.startedAt.map(StoredTime.storable)), \(bind: session.completedAt.map(StoredTime.storable)),
                \(bind: session.ownerID))
        """
      ).run()
    }
  }

  /// Saves a session's status, times, task count and stop reason.
  public func updateSession(_ session: BenchmarkSession) async throws {
    try await connections.write { database in
      try await database.raw(
        """
        UPDATE sessions SET status = \(bind: session.status.rawValue), total_tasks = \(bind: session.totalTasks),
          stop_reason = \(bind: session.stopReason), started_at = \(bind: session.startedAt.map(StoredTime.storable)),
          completed_at = \(bind: session.completedAt.map(StoredTime.storable)), config = \(bind: session.suite)
        WHERE id = \(bind: session.id)
        """
      ).run()
    }
  }

  /// One session.
  public func session(_ id: UUID) async throws -> BenchmarkSession? {
    try await connections.read { database in
      try await database.raw("SELECT * FROM sessions WHERE id = \(bind: id)").first().map(Self.decodeSession)
    }
  }

  /// Sessions, newest first, filtered by `query`.
  public func sessions(_ query: SessionQuery) async throws -> Page<BenchmarkSession> {
    let limit = max(1, min(query.limit, 1_000))
    var conditions: [SQLQueryString] = []
    if let status = query.status { conditions.append("status = \(bind: status.rawValue)") }
    if let owner = query.owner { conditions.append("user_id = \(bind: owner)") }
    if let name = query.name, !name.isEmpty {
      conditions.append(
        "LOWER(name) LIKE \(bind: "%" + Self.likeEscaped(name.lowercased()) + "%") ESCAPE '\\'")
    }
    if let from = query.createdFrom {
      conditions.append("created_us >= \(bind: Int64(StoredTime.microseconds(from)))")
    }
    if let to = query.createdTo {
      conditions.append("created_us < \(bind: Int64(StoredTime.microseconds(to)))")
    }
    if let provider = query.provider {
      conditions.append(
        "EXISTS (SELECT 1 FROM results r WHERE r.session_id = sessions.id AND r.provider = \(bind: provider))"
      )
    }
    if let model = query.model {
      conditions.append(
        "EXISTS (SELECT 1 FROM results r WHERE r.session_id = sessions.id AND r.model = \(bind: model))")
    }
    if let cursor = query.cursor {
      let position = try Cursor(cursor)
      conditions.append("(created_us, id) < (\(bind: Int64(position.value)), \(bind: position.id))")
    }
    let whereClause: SQLQueryString =
      conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
    let rows = try await connections.read { database in
      try await database.raw(
        "SELECT * FROM sessions\(whereClause) ORDER BY created_us DESC, id DESC LIMIT \(literal: limit + 1)"
      ).all()
    }
    let sessions = try rows.prefix(limit).map(Self.decodeSession)
    let cursors = sessions.map {
      Cursor(value: Double(StoredTime.microseconds($0.createdAt)), id: $0.id).text
    }
    return Page(items: sessions, nextCursor: rows.count > limit ? cursors.last : nil, cursors: cursors)
  }

  /// `text` for a LIKE pattern: `%`, `_` and the escape character itself matched literally.
  static func likeEscaped(_ text: String) -> String {
    var escaped = ""
    for character in text {
      if character == "%" || character == "_" || character == "\\" { escaped.append("\\") }
      escaped.append(character)
    }
    return escaped
  }

  private static func decodeSession(_ row: any SQLRow) throws -> BenchmarkSession {
    BenchmarkSession(
      id: try row.decode(column: "id", as: UUID.self),
      name: try row.decode(column: "name", as: String?.self) ?? "",
      description: try row.decode(column: "description", as: String?.self),
      status: SessionStatus(rawValue: try row.decode(column: "status", as: String.self)) ?? .failed,
      suite: try row.decode(column: "config", as: BenchmarkSuite.self),
      tags: try row.decode(column: "tags", as: [String]?.self) ?? [],
      createdAt: StoredTime.normalized(try row.decode(column: "created_at", as: Date.self)),
      startedAt: try row.decode(column: "started_at", as: Date?.self).map(StoredTime.normalized),
      completedAt: try row.decode(column: "completed_at", as: Date?.self).map(StoredTime.normalized),
      totalTasks: try row.decode(column: "total_tasks", as: Int.self),
      stopReason: try row.decode(column: "stop_reason", as: String?.self),
      ownerID: try row.decode(column: "user_id", as: UUID?.self))
  }

  // MARK: Results

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
    "cache_stats",
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
        for batch in batches {
          var insert = database.insert(into: "results").columns(Self.resultColumns)
          for row in batch { insert = insert.values(row.map(\.postgres)) }
          try await insert.onConflict(with: ["session_id", "task_key"]) { conflict in
            var conflict = conflict
            for column in updated { conflict = conflict.set(excludedValueOf: column) }
            return conflict
          }.run()
        }
        try await database.raw("COMMIT").run()
      } catch {
        try? await database.raw("ROLLBACK").run()
        throw error
      }
    }
  }

  /// Runs `body` between `BEGIN` and `COMMIT` on a SQLite connection, rolling back on failure.
  private static func inTransaction(
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
  private static func columnValues(_ result: BenchmarkResult, providerID: UUID?) -> [StoredValue] {
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
    ]
  }

  /// One result.
  public func result(_ id: UUID) async throws -> BenchmarkResult? {
    try await connections.read { database in
      try await database.raw("SELECT * FROM results WHERE id = \(bind: id)").first().map(decodeResult)
    }
  }

  /// A page of results matching `query`.
  public func results(_ query: ResultQuery) async throws -> Page<BenchmarkResult> {
    let (sql, limit, parts) = try await resultsQuery(query)
    var decoded: [BenchmarkResult]
    if let sqlite = connections as? SQLiteConnectionProvider {
      decoded = try await sqlite.rows(sql) { try Self.decodeResult($0, parts: parts) }
    } else {
      decoded = try await connections.read { database in try await database.raw(sql).all() }.map {
        try Self.decodeResult(ColumnReader($0), parts: parts)
      }
    }
    let more = Self.dropExtraRow(&decoded, limit: limit)
    return Self.page(decoded, more: more, query: query)
  }

  /// The query for a page of `query`'s results (one row more than the page, to know whether
  /// another follows), the page's size and the parts it reads.
  func resultsQuery(_ query: ResultQuery) async throws -> (
    sql: SQLQueryString, limit: Int, parts: ResultParts
  ) {
    let limit = max(1, min(query.limit, 1_000))
    let dialect = connections.dialect
    var conditions: [SQLQueryString] = []
    if let session = query.sessionID { conditions.append("session_id = \(bind: session)") }
    if let owner = query.owner {
      conditions.append("session_id IN (SELECT id FROM sessions WHERE user_id = \(bind: owner))")
    }
    if let provider = query.provider { conditions.append("provider = \(bind: provider)") }
    if let model = query.model { conditions.append("model = \(bind: model)") }
    if let testID = query.testID { conditions.append("test_id = \(bind: testID)") }
    if let from = query.from { conditions.append("created_us >= \(bind: StoredTime.microseconds(from))") }
    if let to = query.to { conditions.append("created_us < \(bind: StoredTime.microseconds(to))") }
    if !query.statuses.isEmpty { conditions.append("status IN (\(binds: query.statuses.map(\.rawValue)))") }
    if !query.includeWarmup { conditions.append("warmup = \(bind: false)") }
    if !query.tagsAny.isEmpty {
      conditions.append(
        dialect == .postgres
          ? "tags && \(bind: query.tagsAny)"
          : "EXISTS (SELECT 1 FROM json_each(results.tags) WHERE json_each.value IN (\(binds: query.tagsAny)))"
      )
    }
    if let threshold = query.minimumScore {
      conditions.append(
        dialect == .postgres
          ? "(evaluation_scores ->> \(bind: threshold.metric))::double precision >= \(bind: threshold.value)"
          : "json_extract(evaluation_scores, \(bind: Self.jsonPath(threshold.metric))) >= \(bind: threshold.value)"
      )
    }
    var table: SQLQueryString = "results"
    if let text = query.text, !text.trimmingCharacters(in: .whitespaces).isEmpty {
      let search = try await textCondition(text)
      conditions.append(search.condition)
      // Few matches: look them up by row and sort them, rather than walk an index past every row.
      if search.byRows, dialect == .sqlite { table = "results NOT INDEXED" }
    }
    let sortColumn: SQLQueryString =
      query.order == .createdAt ? "created_us" : "COALESCE(\(unsafeRaw: query.order.rawValue), -1)"
    let direction = query.descending ? "DESC" : "ASC"
    if let cursor = query.cursor {
      let position = try Cursor(cursor)
      let value: any Encodable & Sendable = query.order == .createdAt ? Int64(position.value) : position.value
      conditions.append(
        "(\(sortColumn), id) \(unsafeRaw: query.descending ? "<" : ">") (\(bind: value), \(bind: position.id))"
      )
    }
    let whereClause: SQLQueryString =
      conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
    let parts = query.parts
    let sql: SQLQueryString =
      "SELECT \(unsafeRaw: Self.resultColumns(parts)) FROM \(table)\(whereClause) ORDER BY \(sortColumn) \(unsafeRaw: direction), id \(unsafeRaw: direction) LIMIT \(literal: limit + 1)"
    return (sql, limit, parts)
  }

  /// Drops the row read beyond `limit` to learn whether another page follows; whether it did.
  /// In place, where the rows are held once (a copy of the others would retain every string of
  /// every result).
  static func dropExtraRow(_ rows: inout [BenchmarkResult], limit: Int) -> Bool {
    guard rows.count > limit else { return false }
    rows.removeLast(rows.count - limit)
    return true
  }

  /// The page of `items`, with cursors; `more` when another page follows.
  static func page(_ items: [BenchmarkResult], more: Bool, query: ResultQuery) -> Page<BenchmarkResult> {
    var cursors: [String] = []
    cursors.reserveCapacity(items.count)
    items.withUnsafeBufferPointer { items in
      guard let first = items.baseAddress else { return }
      for index in items.indices { cursors.append(cursor(of: first + index, order: query.order)) }
    }
    return Page(items: items, nextCursor: more ? cursors.last : nil, cursors: cursors)
  }

  /// The cursor of the result at `item` in a list sorted by `order` (read where it lies: a copy
  /// of a result, which even a `borrowing` parameter made here, retains every string in it).
  private static func cursor(of item: UnsafePointer<BenchmarkResult>, order: ResultOrder) -> String {
    let value: Double =
      switch order {
      case .createdAt: Double(StoredTime.microseconds(item.pointee.createdAt))
      case .duration: item.pointee.durationMs
      case .timeToFirstToken: item.pointee.timeToFirstTokenMs ?? -1
      case .cost: item.pointee.cost?.total ?? -1
      }
    return Cursor(value: value, id: item.pointee.id).text
  }

  /// The full-text condition. When the text matches at most `BenchStoreLimits.textLookup` rows (found
  /// through the text index), the condition names those rows, so the query reads only them; with
  /// more matches it filters the rows the ordered index walks, which soon finds a page. (Left to
  /// themselves both planners walk the ordered index for a rare word and test every row.)
  private func textCondition(_ text: String) async throws -> (condition: SQLQueryString, byRows: Bool) {
    let limit = BenchStoreLimits.textLookup
    switch connections.dialect {
    case .postgres:
      let match: SQLQueryString =
        "to_tsvector('simple', prompt || ' ' || COALESCE(response, '')) @@ plainto_tsquery('simple', \(bind: text))"
      let rows = try await connections.read { database in
        try await database.raw("SELECT id FROM results WHERE \(match) LIMIT \(literal: limit + 1)").all()
      }
      guard rows.count <= limit else { return (match, false) }
      let ids = try rows.map { try $0.decode(column: "id", as: UUID.self) }
      return ("id = ANY(\(bind: ids))", true)
    case .sqlite:
      let fts = Self.ftsQuery(text)
      let rows = try await connections.read { database in
        try await database.raw(
          "SELECT rowid FROM results_fts WHERE results_fts MATCH \(bind: fts) LIMIT \(literal: limit + 1)"
        ).all()
      }
      guard rows.count <= limit else {
        return (
          "results.rowid IN (SELECT rowid FROM results_fts WHERE results_fts MATCH \(bind: fts))", false
        )
      }
      let rowids = try rows.map { try $0.decode(column: "rowid", as: Int.self) }
      return rowids.isEmpty ? ("0 = 1", true) : ("results.rowid IN (\(binds: rowids))", true)
    }
  }

  /// How many results a session holds, by status.
  public func resultCounts(session: UUID) async throws -> [ResultStatus: Int] {
    try await connections.read { database in
      let rows = try await database.raw(
        "SELECT status, COUNT(*) AS n FROM results WHERE session_id = \(bind: session) GROUP BY status"
      ).all()
      var counts: [ResultStatus: Int] = [:]
      for row in rows {
        if let status = ResultStatus(rawValue: try row.decode(column: "status", as: String.self)) {
          counts[status] = try row.decode(column: "n", as: Int.self)
        }
      }
      return counts
    }
  }

  /// The task keys of a session that succeeded.
  public func succeededTaskKeys(session: UUID) async throws -> Set<String> {
    try await connections.read { database in
      let rows = try await database.raw(
        "SELECT task_key FROM results WHERE session_id = \(bind: session) AND status = 'success'"
      ).all()
      return Set(try rows.map { try $0.decode(column: "task_key", as: String.self) })
    }
  }

  private func decodeResult(_ row: any SQLRow) throws -> BenchmarkResult {
    try Self.decodeResult(ColumnReader(row))
  }

  /// The columns ``decodeResult(_:parts:)`` reads for `parts`, for a select list: a page
  /// of results builds only the columns it decodes, in the order it reads them (a column found
  /// where the last one ended is not looked up by name).
  static func resultColumns(_ parts: ResultParts) -> String {
    let (run, labels) = (parts.contains(.run), parts.contains(.labels))
    var columns = ["prompt_tokens", "completion_tokens", "cached_tokens", "usage_source", "id"]
    if labels { columns.append("session_id") }
    if run { columns.append("task_key") }
    columns.append("test_id")
    if labels { columns.append("dataset") }
    columns += ["provider", "model"]
    if run { columns += ["phase", "target_index", "repeat_index", "warmup"] }
    columns.append("status")
    if labels { columns += ["error_code", "finish_reason"] }
    columns += ["created_at", "timing"]
    if run { columns.append("sent_offset_ms") }
    columns.append("cost_details")
    if labels { columns += ["cache_hit", "attempts", "tags", "category"] }
    columns.append("evaluation_scores")
    if parts.contains(.text) { columns += ["prompt", "response", "error"] }
    if parts.contains(.details) {
      columns += [
        "server_timings", "parameters", "metadata", "logprobs", "expectations", "provider_metadata",
      ]
    }
    return columns.joined(separator: ", ")
  }

  /// The session id of a result read without ``ResultParts/labels`` (and of a verdict read
  /// from its columns).
  static let unreadID = UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))

  static func decodeResult(_ row: ColumnReader, parts: ResultParts = .all) throws -> BenchmarkResult {
    let (text, details) = (parts.contains(.text), parts.contains(.details))
    let (run, labels) = (parts.contains(.run), parts.contains(.labels))
    var usage: Usage?
    if let input = try row.optionalInt("prompt_tokens") {
      usage = Usage(
        inputTokens: input, outputTokens: try row.optionalInt("completion_tokens") ?? 0,
        cachedInputTokens: try row.optionalInt("cached_tokens") ?? 0,
        source: Usage.Source(rawValue: try row.optionalString("usage_source") ?? "") ?? .reported)
    }
    var result = BenchmarkResult(
      id: try row.uuid("id"), sessionID: labels ? try row.uuid("session_id") : Self.unreadID,
      taskKey: run ? try row.string("task_key") : "", testID: try row.string("test_id"),
      dataset: labels ? try row.string("dataset") : "", provider: try row.string("provider"),
      model: try row.string("model"), phase: run ? try row.int("phase") : 0,
      targetIndex: run ? try row.int("target_index") : 0, repeatIndex: run ? try row.int("repeat_index") : 0,
      warmup: run ? try row.bool("warmup") : false,
      status: ResultStatus(rawValue: try row.string("status")) ?? .failure,
      errorCode: labels ? try row.optionalString("error_code") : nil,
      error: text ? try row.optionalString("error") : nil,
      prompt: text ? try row.string("prompt") : "", response: text ? try row.optionalString("response") : nil,
      finishReason: labels ? try row.optionalString("finish_reason") : nil,
      createdAt: StoredTime.normalized(try row.date("created_at")),
      timing: try row.timing(everyEvent: parts.contains(.tokenTimes)),
      sentOffsetMs: run ? try row.double("sent_offset_ms") : 0, usage: usage,
      cost: try row.json("cost_details", scan: StoredJSON.cost(bytes:), StoredJSON.cost(from:)),
      serverTimings: details ? try row.json("server_timings") : nil,
      cacheHit: labels ? try row.bool("cache_hit") : false, attempts: labels ? try row.int("attempts") : 0,
      parameters: details
        ? try row.json("parameters", StoredJSON.parameters(from:)) ?? SamplingParameters()
        : SamplingParameters(),
      tags: labels
        ? try row.json("tags", scan: StoredJSON.strings(bytes:), StoredJSON.strings(from:)) ?? [] : [],
      category: labels ? try row.optionalString("category") : nil,
      metadata: details
        ? try row.json("metadata") { json -> [String: JSONValue]? in
          if case .object(let members) = json { return members }
          return nil
        } ?? [:] : [:],
      evaluationScores: try row.json(
        "evaluation_scores", scan: StoredJSON.numbers(bytes:), StoredJSON.scores(from:))
        ?? [:],
      logprobs: details ? try row.json("logprobs") : nil,
      expectations: details ? try row.json("expectations") : nil)
    if details { result.providerMetadata = try row.json("provider_metadata") }
    return result
  }

  /// `$."metric"` for SQLite's JSON functions, the name quoted so that any text is taken literally.
  static func jsonPath(_ key: String) -> String {
    "$.\"" + key.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
      + "\""
  }

  /// Every word as a quoted FTS5 phrase, so that user text is never FTS5 syntax.
  static func ftsQuery(_ text: String) -> String {
    text.split(whereSeparator: { $0.isWhitespace }).map {
      "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
    .joined(separator: " ")
  }

  // MARK: Response cache

  /// A recorded response for a request key.
  public func cachedResponse(key: String) async throws -> CompletionResponse? {
    try await connections.read { database in
      try await database.raw("SELECT response FROM response_cache WHERE cache_key = \(bind: key)").first()?
        .decode(column: "response", as: CompletionResponse.self)
    }
  }

  /// Records a response for a request key (replacing an older one).
  public func storeCachedResponse(
    key: String, provider: String, model: String, request: CompletionRequest, response: CompletionResponse
  ) async throws {
    try await connections.write { database in
      try await database.raw(
        """
        INSERT INTO response_cache (cache_key, provider, model, request, response, created_at)
        VALUES (\(bind: key), \(bind: provider), \(bind: model), \(bind: request), \(bind: response),
                \(bind: StoredTime.storable(Date())))
        ON CONFLICT (cache_key) DO UPDATE SET response = excluded.response, created_at = excluded.created_at
        """
      ).run()
    }
  }
}

/// A keyset pagination position: the sort value and the id of the last row of a page.
struct Cursor {
  var value: Double
  var id: UUID

  init(value: Double, id: UUID) {
    self.value = value
    self.id = id
  }

  init(_ text: String) throws {
    guard let data = Base64URL.decode(text), let decoded = String(data: data, encoding: .utf8) else {
      throw LTBError(
        .invalidInput, "the cursor '\(text.prefix(40))' is not valid",
        fix: "pass a cursor returned by a previous page")
    }
    let parts = decoded.split(separator: "|")
    guard parts.count == 2, let value = Double(parts[0]), let id = UUID(uuidString: String(parts[1])) else {
      throw LTBError(
        .invalidInput, "the cursor '\(text.prefix(40))' is not valid",
        fix: "pass a cursor returned by a previous page")
    }
    self.init(value: value, id: id)
  }

  /// URL-safe base64 without padding of `value|id`.
  var text: String {
    var bytes = Array(Self.number(value).utf8)
    bytes.append(UInt8(ascii: "|"))
    bytes.append(contentsOf: id.lowercasedText.utf8)
    return Base64URL.encode(bytes)
  }

  /// `value` as its `description` writes it; integral values below 2^53 (every created-at
  /// cursor) without the shortest-digits search.
  static func number(_ value: Double) -> String {
    guard value != 0, value.rounded() == value, value.magnitude < 9_007_199_254_740_992 else {
      return value.description
    }
    return String(Int64(value)) + ".0"
  }
}
