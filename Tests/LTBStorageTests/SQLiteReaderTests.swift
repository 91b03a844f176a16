import Foundation
import LTBCore
import SQLiteNIO
import Testing
import VaporCSQLite

@testable import LTBStorage

/// The hot-read connections: kept statements see later writes, many statements and many
/// concurrent readers give right answers, and failures are errors that say what failed.
@Suite("SQLite hot reads", .serialized)
struct SQLiteReaderTests {
  @Test("a kept statement sees rows written after its last run; more than 64 statements still answer")
  func keptStatements() async throws {
    try await TestDatabase.withStore(.sqlite) { store in
      let session = Fixtures.session()
      try await store.createSession(session)
      let query = ResultQuery(sessionID: session.id, limit: 100)
      #expect(try await store.results(query).items.isEmpty)
      for batch in 0..<3 {
        try await store.insertResults(
          (0..<5).map { Fixtures.result(session: session.id, index: batch * 5 + $0) })
        // The same statement text each time: prepared once, reset after every run.
        #expect(try await store.results(query).items.count == (batch + 1) * 5)
      }
      let location = store.location
      guard case .sqlite(let path) = location else { throw LTBError(.internal, "not SQLite") }
      let reader = try SQLiteReader.open(path: path, count: 1)
      defer { reader.close() }
      // 80 distinct statements on one connection: the oldest are finalized, answers stay right.
      for limit in 1...80 {
        let rows = try await reader.rows(
          "SELECT test_id FROM results WHERE session_id = ? ORDER BY test_id LIMIT \(limit)",
          [.text(session.id.uppercasedText)]
        ) { try $0.string("test_id") }
        #expect(rows.count == min(limit, 15), "limit \(limit)")
      }
      let again = try await reader.rows(
        "SELECT test_id FROM results WHERE session_id = ? ORDER BY test_id LIMIT 1",
        [.text(session.id.uppercasedText)]
      ) { try $0.string("test_id") }
      #expect(again == ["case-0"])
      // Run again and again with new values, a kept statement is never prepared again.
      let sql = "SELECT test_id FROM results WHERE session_id = ?1 AND warmup = ?2 ORDER BY test_id LIMIT 3"
      _ = try await reader.rows(sql, [.text(session.id.uppercasedText), .integer(0)]) {
        try $0.string("test_id")
      }
      let before = reader.timesPreparedAgain(sql)
      for round in 0..<10 {
        let rows = try await reader.rows(sql, [.text(session.id.uppercasedText), .integer(round % 2)]) {
          try $0.string("test_id")
        }
        #expect(rows.count == (round % 2 == 0 ? 3 : 0))
      }
      #expect(reader.timesPreparedAgain(sql) == before, "prepared again \(before) times before")
    }
  }

  @Test("64 concurrent page reads over 3 connections all get the whole page")
  func concurrentReads() async throws {
    try await TestDatabase.withStore(.sqlite) { store in
      let session = Fixtures.session()
      try await store.createSession(session)
      try await store.insertResults((0..<30).map { Fixtures.result(session: session.id, index: $0) })
      let expected = try await store.results(ResultQuery(sessionID: session.id, limit: 30)).items.map(\.id)
      try await withThrowingTaskGroup(of: [UUID].self) { group in
        for _ in 0..<64 {
          group.addTask {
            try await store.results(ResultQuery(sessionID: session.id, limit: 30)).items.map(\.id)
          }
        }
        for try await ids in group { #expect(ids == expected) }
      }
    }
  }

  @Test(
    "bad SQL, a missing column, missing values, a write and a closed reader are errors that name the problem")
  func failures() async throws {
    try await TestDatabase.withStore(.sqlite) { store in
      guard case .sqlite(let path) = store.location else { throw LTBError(.internal, "not SQLite") }
      let reader = try SQLiteReader.open(path: path, count: 1)
      let bad = await #expect(throws: LTBError.self) {
        _ = try await reader.rows("SELEC nothing", []) { _ in 0 }
      }
      #expect(bad?.message.contains("cannot prepare a query") == true)
      #expect(bad?.message.contains("syntax error") == true)
      let missing = await #expect(throws: LTBError.self) {
        _ = try await reader.rows("SELECT 1 AS one", []) { try $0.string("two") }
      }
      #expect(missing?.message.contains("the row has no two column") == true)
      let count = await #expect(throws: LTBError.self) {
        _ = try await reader.rows("SELECT ?1 AS one, ?2 AS two", [.integer(1)]) { try $0.int("one") }
      }
      #expect(count?.message == "the query has 2 parameters but 1 values were given")
      // Read-only: the reader refuses to write.
      let write = await #expect(throws: LTBError.self) {
        _ = try await reader.rows("DELETE FROM sessions", []) { _ in 0 }
      }
      #expect(write?.message.contains("readonly") == true || write?.message.contains("query_only") == true)
      reader.close()
      reader.close()
      let closed = await #expect(throws: LTBError.self) {
        _ = try await reader.rows("SELECT 1 AS one", []) { try $0.int("one") }
      }
      #expect(closed?.message == "the store is closed")
    }
    #expect(throws: LTBError.self) { try SQLiteReader.open(path: "/nonexistent/dir/x.sqlite", count: 1) }
  }

  @Test("text is read where SQLite stores it: empty, multi-byte, read twice; a UTF-16 database is refused")
  func text() async throws {
    try await TestDatabase.withStore(.sqlite) { store in
      guard case .sqlite(let path) = store.location else { throw LTBError(.internal, "not SQLite") }
      let reader = try SQLiteReader.open(path: path, count: 1)
      defer { reader.close() }
      let rows = try await reader.rows("SELECT '' AS empty, 'İK€ 😀 é' AS wide, NULL AS none", []) { row in
        // The second read of a column finds it by name after the first marked it a blob.
        (
          try row.string("empty"), try row.string("wide"), try row.string("wide"),
          try row.optionalString("none")
        )
      }
      #expect(rows.count == 1)
      #expect(rows.first?.0 == "" && rows.first?.1 == "İK€ 😀 é" && rows.first?.2 == "İK€ 😀 é")
      #expect(rows.first?.3 == nil)
    }
    let path = FileManager.default.temporaryDirectory.appending(path: "ltb-utf16-\(UUID()).sqlite").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    var handle: OpaquePointer?
    #expect(sqlite_nio_sqlite3_open(path, &handle) == SQLITE_OK)
    #expect(
      sqlite_nio_sqlite3_exec(handle, "PRAGMA encoding = 'UTF-16le'; CREATE TABLE t (x TEXT)", nil, nil, nil)
        == SQLITE_OK)
    sqlite_nio_sqlite3_close(handle)
    let refused = #expect(throws: LTBError.self) { try SQLiteReader.open(path: path, count: 1) }
    #expect(refused?.message.contains("stores text as UTF-16le, not UTF-8") == true)
  }

  @Test("a page's verdicts are read from the covering index alone")
  func verdictsFromTheIndex() async throws {
    try await TestDatabase.withStore(.sqlite) { store in
      guard case .sqlite(let path) = store.location,
        let sqlite = store.connections as? SQLiteConnectionProvider
      else { throw LTBError(.internal, "not SQLite") }
      let (sql, binds) = try sqlite.serialize(
        SQLBenchStore.verdictsSQL([UUID(), UUID()], details: false))
      let reader = try SQLiteReader.open(path: path, count: 1)
      defer { reader.close() }
      let plan = try await reader.rows("EXPLAIN QUERY PLAN " + sql, binds) { try $0.string("detail") }
      #expect(plan.contains { $0.contains("USING COVERING INDEX evaluations_verdicts") }, "\(plan)")
    }
  }
}

extension SQLiteReader {
  /// One query in a trip of its own (the store's reads go through `read` with their sessions).
  fileprivate func rows<Row: Sendable>(
    _ sql: String, _ binds: [SQLiteData], _ decode: @escaping @Sendable (ColumnReader) throws -> Row
  ) async throws -> [Row] {
    try await read { try $0.rows(sql, binds, decode) }
  }
}
