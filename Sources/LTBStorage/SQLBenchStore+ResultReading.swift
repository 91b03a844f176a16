public import Foundation
public import LTBCore
import NIOConcurrencyHelpers
import SQLKit
import SQLiteKit

/// Results read: one by id, pages by ResultQuery (filters, full-text search, keyset cursors), counts.
extension SQLBenchStore {
  /// One result.
  public func result(_ id: UUID) async throws -> BenchmarkResult? {
    try await connections.read { database in
      try await database.raw("SELECT * FROM results WHERE id = \(bind: id)").first().map(decodeResult)
    }
  }

  /// A page of whole results matching `query`.
  public func results(_ query: ResultQuery) async throws -> Page<BenchmarkResult> {
    let (sql, limit) = try await resultsQuery(query, columns: nil)
    var decoded: [BenchmarkResult]
    if let sqlite = connections as? SQLiteConnectionProvider {
      decoded = try await sqlite.rows(sql) { try Self.decodeResult($0) }
    } else {
      decoded = try await connections.read { database in try await database.raw(sql).all() }.map {
        try Self.decodeResult(ColumnReader($0))
      }
    }
    let more = Self.dropExtraRow(&decoded, limit: limit)
    return Self.page(decoded, more: more, query: query)
  }

  /// A page of `query`'s results as a listing reads them: the columns every list shows and
  /// the groups in `parts`.
  public func resultRows(_ query: ResultQuery, reading parts: ResultRow.Parts) async throws -> Page<ResultRow>
  {
    let (sql, limit) = try await resultsQuery(query, columns: parts)
    var decoded: [ResultRow]
    if let sqlite = connections as? SQLiteConnectionProvider {
      decoded = try await sqlite.rows(sql) { try Self.decodeRow($0, parts: parts) }
    } else {
      decoded = try await connections.read { database in try await database.raw(sql).all() }.map {
        try Self.decodeRow(ColumnReader($0), parts: parts)
      }
    }
    let more = Self.dropExtraRow(&decoded, limit: limit)
    return Self.page(decoded, more: more, query: query)
  }

  /// The query for a page of `query`'s results (one row more than the page, to know whether
  /// another follows) and the page's size: every column, or a listing's with `columns`.
  func resultsQuery(_ query: ResultQuery, columns: ResultRow.Parts?) async throws -> (
    sql: SQLQueryString, limit: Int
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
    if let traceID = query.traceID { conditions.append("trace_id = \(bind: traceID)") }
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
    let selected = columns.map(Self.rowColumns) ?? Self.wholeResultColumns
    let sql: SQLQueryString =
      "SELECT \(unsafeRaw: selected) FROM \(table)\(whereClause) ORDER BY \(sortColumn) \(unsafeRaw: direction), id \(unsafeRaw: direction) LIMIT \(literal: limit + 1)"
    return (sql, limit)
  }

  /// Drops the row read beyond `limit` to learn whether another page follows; whether it did.
  /// In place, where the rows are held once (a copy of the others would retain every string of
  /// every result).
  static func dropExtraRow<Row>(_ rows: inout [Row], limit: Int) -> Bool {
    guard rows.count > limit else { return false }
    rows.removeLast(rows.count - limit)
    return true
  }

  /// The page of `items`, with cursors made of each item's id and `sortValue`; `more` when
  /// another page follows.
  static func page<Item>(
    _ items: [Item], more: Bool, query: ResultQuery, id: (Item) -> UUID, sortValue: (Item) -> Double
  ) -> Page<Item> {
    let cursors = items.map { Cursor(value: sortValue($0), id: id($0)).text }
    return Page(items: items, nextCursor: more ? cursors.last : nil, cursors: cursors)
  }

  /// A page of whole results.
  static func page(_ items: [BenchmarkResult], more: Bool, query: ResultQuery) -> Page<BenchmarkResult> {
    page(items, more: more, query: query, id: \.id) { result in
      switch query.order {
      case .createdAt: Double(StoredTime.microseconds(result.createdAt))
      case .duration: result.durationMs
      case .timeToFirstToken: result.timeToFirstTokenMs ?? -1
      case .cost: result.cost?.total ?? -1
      }
    }
  }

  /// A page of listed results.
  static func page(_ items: [ResultRow], more: Bool, query: ResultQuery) -> Page<ResultRow> {
    page(items, more: more, query: query, id: \.id) { row in
      switch query.order {
      case .createdAt: Double(StoredTime.microseconds(row.createdAt))
      case .duration: row.durationMs
      case .timeToFirstToken: row.timeToFirstTokenMs ?? -1
      case .cost: row.costUSD ?? -1
      }
    }
  }

  /// The full-text condition. When the text matches at most `BenchStoreLimits.textLookup` rows (found
  /// through the text index), the condition names those rows, so the query reads only them; with
  /// more matches it filters the rows the ordered index walks, which soon finds a page. (Left to
  /// themselves both planners walk the ordered index for a rare word and test every row.)
  func textCondition(_ text: String) async throws -> (condition: SQLQueryString, byRows: Bool) {
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

  /// What a session's results cost in all, in US dollars.
  public func resultCost(session: UUID) async throws -> Double {
    try await connections.read { database in
      try await database.raw(
        "SELECT COALESCE(SUM(total_cost), 0) AS cost FROM results WHERE session_id = \(bind: session)"
      ).first()?.decode(column: "cost", as: Double.self) ?? 0
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

  func decodeResult(_ row: any SQLRow) throws -> BenchmarkResult {
    try Self.decodeResult(ColumnReader(row))
  }

  /// Every column ``decodeResult(_:)`` reads, in the order it reads them (a column found
  /// where the last one ended is not looked up by name).
  static let wholeResultColumns = [
    "prompt_tokens", "completion_tokens", "cached_tokens", "usage_source", "id", "session_id", "task_key",
    "test_id", "dataset", "provider", "model", "phase", "target_index", "repeat_index", "warmup", "status",
    "error_code", "error", "prompt", "response", "finish_reason", "created_at", "timing", "sent_offset_ms",
    "cost_details", "server_timings", "cache_hit", "attempts", "parameters", "tags", "category", "metadata",
    "evaluation_scores", "logprobs", "expectations", "provider_metadata", "trace_id", "span_id",
    "media_inputs",
  ].joined(separator: ", ")

  /// The columns ``decodeRow(_:parts:)`` reads for `parts`, in the order it reads them.
  static func rowColumns(_ parts: ResultRow.Parts) -> String {
    var columns = [
      "prompt_tokens", "completion_tokens", "cached_tokens", "usage_source", "id", "test_id", "provider",
      "model",
      "status", "created_at", "timing", "cost_details", "evaluation_scores",
    ]
    if parts.contains(.text) { columns += ["prompt", "response", "error"] }
    if parts.contains(.labels) {
      columns += [
        "session_id", "dataset", "category", "tags", "error_code", "finish_reason", "cache_hit", "attempts",
        "trace_id", "span_id",
      ]
    }
    if parts.contains(.media) { columns.append("media_inputs") }
    return columns.joined(separator: ", ")
  }

  private static func usage(_ row: ColumnReader) throws -> Usage? {
    guard let input = try row.optionalInt("prompt_tokens") else { return nil }
    return Usage(
      inputTokens: input, outputTokens: try row.optionalInt("completion_tokens") ?? 0,
      cachedInputTokens: try row.optionalInt("cached_tokens") ?? 0,
      source: Usage.Source(rawValue: try row.optionalString("usage_source") ?? "") ?? .reported)
  }

  private static func status(_ row: ColumnReader) throws -> ResultStatus {
    let text = try row.string("status")
    guard let status = ResultStatus(rawValue: text) else {
      throw LTBError(.storage, "the status column holds '\(text.prefix(40))', not a result status")
    }
    return status
  }

  private static func scores(_ row: ColumnReader) throws -> [String: Double] {
    try row.json("evaluation_scores", scan: StoredJSON.numbers(bytes:), StoredJSON.scores(from:)) ?? [:]
  }

  private static func cost(_ row: ColumnReader) throws -> Cost? {
    try row.json("cost_details", scan: StoredJSON.cost(bytes:), StoredJSON.cost(from:))
  }

  /// A listed result: the columns of ``rowColumns(_:)``.
  static func decodeRow(_ row: ColumnReader, parts: ResultRow.Parts) throws -> ResultRow {
    let usage = try usage(row)
    var decoded = ResultRow(
      id: try row.uuid("id"), testID: try row.string("test_id"), provider: try row.string("provider"),
      model: try row.string("model"), status: try status(row),
      createdAt: StoredTime.normalized(try row.date("created_at")), timing: try row.timing(everyEvent: false),
      usage: usage, cost: try cost(row), scores: try scores(row))
    if parts.contains(.text) {
      decoded.text = ResultRow.Text(
        prompt: try row.string("prompt"), response: try row.optionalString("response"),
        error: try row.optionalString("error"))
    }
    if parts.contains(.labels) {
      decoded.labels = ResultRow.Labels(
        sessionID: try row.uuid("session_id"), dataset: try row.string("dataset"),
        category: try row.optionalString("category"),
        tags: try row.json("tags", scan: StoredJSON.strings(bytes:), StoredJSON.strings(from:)) ?? [],
        errorCode: try row.optionalString("error_code"),
        finishReason: try row.optionalString("finish_reason"),
        cacheHit: try row.bool("cache_hit"), attempts: try row.int("attempts"),
        traceID: try row.optionalString("trace_id"), spanID: try row.optionalString("span_id"))
    }
    if parts.contains(.media) { decoded.media = try row.json("media_inputs") ?? [] }
    return decoded
  }

  /// A whole result: every column of ``wholeResultColumns``.
  static func decodeResult(_ row: ColumnReader) throws -> BenchmarkResult {
    let usage = try usage(row)
    var result = BenchmarkResult(
      id: try row.uuid("id"), sessionID: try row.uuid("session_id"), taskKey: try row.string("task_key"),
      testID: try row.string("test_id"), dataset: try row.string("dataset"),
      provider: try row.string("provider"),
      model: try row.string("model"), phase: try row.int("phase"), targetIndex: try row.int("target_index"),
      repeatIndex: try row.int("repeat_index"), warmup: try row.bool("warmup"), status: try status(row),
      errorCode: try row.optionalString("error_code"), error: try row.optionalString("error"),
      prompt: try row.string("prompt"), response: try row.optionalString("response"),
      finishReason: try row.optionalString("finish_reason"),
      createdAt: StoredTime.normalized(try row.date("created_at")), timing: try row.timing(),
      sentOffsetMs: try row.double("sent_offset_ms"), usage: usage, cost: try cost(row),
      serverTimings: try row.json("server_timings"), cacheHit: try row.bool("cache_hit"),
      attempts: try row.int("attempts"),
      parameters: try row.json("parameters", StoredJSON.parameters(from:)) ?? SamplingParameters(),
      tags: try row.json("tags", scan: StoredJSON.strings(bytes:), StoredJSON.strings(from:)) ?? [],
      category: try row.optionalString("category"),
      metadata: try row.json("metadata") { json -> [String: JSONValue]? in
        if case .object(let members) = json { return members }
        return nil
      } ?? [:],
      evaluationScores: try scores(row), logprobs: try row.json("logprobs"),
      expectations: try row.json("expectations"))
    result.providerMetadata = try row.json("provider_metadata")
    result.traceID = try row.optionalString("trace_id")
    result.spanID = try row.optionalString("span_id")
    result.mediaInputs = try row.json("media_inputs")
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
}
