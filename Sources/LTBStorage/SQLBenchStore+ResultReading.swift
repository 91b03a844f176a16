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
  static func cursor(of item: UnsafePointer<BenchmarkResult>, order: ResultOrder) -> String {
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
}
