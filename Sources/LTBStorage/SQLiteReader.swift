import Foundation
import LTBCore
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import SQLiteNIO
import VaporCSQLite

/// Read connections of its own to an SQLite database, for the hot reads (pages of results and
/// their verdicts): statements are prepared once per connection and kept, rows are decoded on
/// SQLite's thread straight from the statement (no row object, no copy of every column), and
/// columns are found by position.
///
/// It calls the SQLite library SQLiteNIO itself links (its `sqlite_nio_` symbols): one copy of
/// SQLite in the process, so its file locks stay coherent with SQLiteNIO's connections.
final class SQLiteReader: Sendable {
  private let connections: [Connection]
  private let next = NIOLockedValueBox(0)
  private let pool: NIOThreadPool

  /// One `sqlite3` handle and its prepared statements, used by one thread at a time.
  fileprivate final class Connection: @unchecked Sendable {
    let lock = NIOLock()
    let handle: OpaquePointer
    var statements: [String: Statement] = [:]
    var closed = false

    init(handle: OpaquePointer) { self.handle = handle }

    /// The statement for `sql`, prepared on first use (at most 64 kept).
    func statement(_ sql: String) throws -> Statement {
      if let known = statements[sql] { return known }
      var pointer: OpaquePointer?
      let code = sqlite_nio_sqlite3_prepare_v3(
        handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &pointer, nil)
      guard code == SQLITE_OK, let pointer else {
        throw SQLiteReader.failure(handle, "cannot prepare a query")
      }
      if statements.count >= 64, let evicted = statements.first {
        sqlite_nio_sqlite3_finalize(evicted.value.pointer)
        statements.removeValue(forKey: evicted.key)
      }
      let statement = Statement(pointer: pointer)
      statements[sql] = statement
      return statement
    }
  }

  private init(connections: [Connection], pool: NIOThreadPool) {
    self.connections = connections
    self.pool = pool
  }

  /// Opens `count` read connections to the database at `path` (which must exist).
  static func open(path: String, count: Int = 3, pool: NIOThreadPool = .singleton) throws -> SQLiteReader {
    var opened: [Connection] = []
    do {
      for _ in 0..<count {
        var handle: OpaquePointer?
        let code = sqlite_nio_sqlite3_open_v2(path, &handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nil)
        guard code == SQLITE_OK, let handle else {
          if let handle { sqlite_nio_sqlite3_close(handle) }
          throw LTBError(.storage, "cannot open the SQLite database \(path) for reading (code \(code))")
        }
        opened.append(Connection(handle: handle))
        // A 2 MB page cache each (the writer's is 8 MB): these serve pages of results and
        // verdicts, whose working set is an index path and a page's rows, and the scan of a
        // summary, which reads a session's rows once; a larger cache only held more of a
        // finished scan (24 MB over three connections after a million-result summary).
        for pragma in ["PRAGMA busy_timeout = 10000", "PRAGMA cache_size = -2048", "PRAGMA query_only = 1"] {
          guard sqlite_nio_sqlite3_exec(handle, pragma, nil, nil, nil) == SQLITE_OK else {
            throw failure(handle, pragma)
          }
        }
        try requireUTF8(handle, path: path)
      }
    } catch {
      for connection in opened { sqlite_nio_sqlite3_close(connection.handle) }
      throw error
    }
    return SQLiteReader(connections: opened, pool: pool)
  }

  /// One connection held for the length of a ``read(_:)``: several queries in one trip to
  /// SQLite's thread.
  struct Session {
    fileprivate let connection: Connection

    /// Runs `sql` with `binds` and decodes every row with `decode`.
    func rows<Row>(_ sql: String, _ binds: [SQLiteData], _ decode: (ColumnReader) throws -> Row) throws
      -> [Row]
    {
      let statement = try connection.statement(sql)
      // Reset only: clearing the bindings would mark the statement expired, and SQLite would
      // prepare it again on its next run. Every parameter is bound again on every run.
      defer { sqlite_nio_sqlite3_reset(statement.pointer) }
      try statement.bind(binds, handle: connection.handle)
      var rows: [Row] = []
      while true {
        let code = sqlite_nio_sqlite3_step(statement.pointer)
        if code == SQLITE_DONE { break }
        guard code == SQLITE_ROW else { throw SQLiteReader.failure(connection.handle, "a query failed") }
        statement.rewind()
        rows.append(try decode(ColumnReader(statement)))
      }
      return rows
    }
  }

  /// Runs `body` on SQLite's thread pool with one of the connections.
  func read<Value: Sendable>(_ body: @escaping @Sendable (Session) throws -> Value) async throws -> Value {
    let index = next.withLockedValue { value in
      defer { value = (value + 1) % connections.count }
      return value
    }
    let connection = connections[index]
    return try await pool.runIfActive {
      try connection.lock.withLock {
        guard !connection.closed else {
          throw LTBError(.storage, "the store is closed", fix: "open the store again")
        }
        return try body(Session(connection: connection))
      }
    }
  }

  /// How often SQLite has prepared the kept statement for `sql` again, summed over the
  /// connections (a kept statement should not need it unless the schema changed).
  func timesPreparedAgain(_ sql: String) -> Int {
    connections.reduce(0) { total, connection in
      total
        + connection.lock.withLock {
          connection.statements[sql].map {
            Int(sqlite_nio_sqlite3_stmt_status($0.pointer, SQLITE_STMTSTATUS_REPREPARE, 0))
          } ?? 0
        }
    }
  }

  /// Closes every connection (their statements first).
  func close() {
    for connection in connections {
      connection.lock.withLock {
        guard !connection.closed else { return }
        connection.closed = true
        for statement in connection.statements.values { sqlite_nio_sqlite3_finalize(statement.pointer) }
        connection.statements.removeAll()
        sqlite_nio_sqlite3_close(connection.handle)
      }
    }
  }

  /// Text is read as the bytes stored (``Statement``), which are UTF-8 only in a UTF-8 database
  /// (the default, and what the migrations create).
  private static func requireUTF8(_ handle: OpaquePointer, path: String) throws {
    var statement: OpaquePointer?
    guard sqlite_nio_sqlite3_prepare_v2(handle, "PRAGMA encoding", -1, &statement, nil) == SQLITE_OK,
      let statement
    else { throw failure(handle, "PRAGMA encoding") }
    defer { sqlite_nio_sqlite3_finalize(statement) }
    guard sqlite_nio_sqlite3_step(statement) == SQLITE_ROW,
      let text = sqlite_nio_sqlite3_column_text(statement, 0)
    else { throw failure(handle, "PRAGMA encoding") }
    let encoding = String(cString: text)
    guard encoding == "UTF-8" else {
      throw LTBError(
        .storage, "the SQLite database \(path) stores text as \(encoding), not UTF-8",
        fix: "export it to a new database created by `ltb migrate` (SQLite's default encoding, UTF-8)")
    }
  }

  static func failure(_ handle: OpaquePointer, _ what: String) -> LTBError {
    let message = sqlite_nio_sqlite3_errmsg(handle).map { String(cString: $0) } ?? "unknown error"
    return LTBError(.storage, "\(what): \(message)", fix: "check the database file (ltb migrate)")
  }
}

/// A prepared statement and its result columns; a row's columns are read from it while it
/// stands on that row. Columns are looked up by name, and found at once when read in the order
/// the query selects them.
final class Statement: @unchecked Sendable {
  let pointer: OpaquePointer
  private let names: [String]
  private let positions: [String: Int32]
  private var expected: Int32 = 0

  init(pointer: OpaquePointer) {
    self.pointer = pointer
    let count = sqlite_nio_sqlite3_column_count(pointer)
    names = (0..<count).map { sqlite_nio_sqlite3_column_name(pointer, $0).map { String(cString: $0) } ?? "" }
    positions = Dictionary(zip(names, 0..<count), uniquingKeysWith: { first, _ in first })
  }

  /// Starts reading a new row.
  func rewind() { expected = 0 }

  /// The position of column `name`.
  func position(_ name: String) -> Int32? {
    if expected < names.count, names[Int(expected)] == name {
      defer { expected += 1 }
      return expected
    }
    guard let position = positions[name] else { return nil }
    expected = position + 1
    return position
  }

  /// The value of the column at `position`, as SQLiteNIO would give it.
  func data(at position: Int32) -> SQLiteData {
    switch sqlite_nio_sqlite3_column_type(pointer, position) {
    case SQLITE_INTEGER: return .integer(Int(sqlite_nio_sqlite3_column_int64(pointer, position)))
    case SQLITE_FLOAT: return .float(sqlite_nio_sqlite3_column_double(pointer, position))
    case SQLITE_TEXT:
      return .text(textBytes(at: position).map { String(decoding: $0, as: UTF8.self) } ?? "")
    case SQLITE_BLOB:
      let count = Int(sqlite_nio_sqlite3_column_bytes(pointer, position))
      var buffer = ByteBufferAllocator().buffer(capacity: count)
      if let bytes = sqlite_nio_sqlite3_column_blob(pointer, position) {
        buffer.writeBytes(UnsafeRawBufferPointer(start: bytes, count: count))
      }
      return .blob(buffer)
    default: return .null
    }
  }

  /// The bytes of a text column at `position`, read in place; `nil` when it is not text.
  func withText<Result>(at position: Int32, _ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows
    -> Result?
  {
    guard sqlite_nio_sqlite3_column_type(pointer, position) == SQLITE_TEXT else { return nil }
    return try body(textBytes(at: position) ?? UnsafeBufferPointer(start: nil, count: 0))
  }

  /// The UTF-8 bytes of the text column at `position`, where they lie in SQLite's page (`nil`
  /// when empty). Asked for as a blob: `sqlite3_column_text` would first copy the value to add
  /// the NUL terminator C strings need, and nothing here reads it as a C string.
  private func textBytes(at position: Int32) -> UnsafeBufferPointer<UInt8>? {
    guard let bytes = sqlite_nio_sqlite3_column_blob(pointer, position) else { return nil }
    let count = Int(sqlite_nio_sqlite3_column_bytes(pointer, position))
    return UnsafeBufferPointer(start: bytes.assumingMemoryBound(to: UInt8.self), count: count)
  }

  /// The integer column at `position`; `nil` when it holds another storage class.
  func integer(at position: Int32) -> Int? {
    guard sqlite_nio_sqlite3_column_type(pointer, position) == SQLITE_INTEGER else { return nil }
    return Int(sqlite_nio_sqlite3_column_int64(pointer, position))
  }

  /// The floating-point column at `position`; `nil` when it holds another storage class.
  func float(at position: Int32) -> Double? {
    guard sqlite_nio_sqlite3_column_type(pointer, position) == SQLITE_FLOAT else { return nil }
    return sqlite_nio_sqlite3_column_double(pointer, position)
  }

  /// Whether the column at `position` is NULL.
  func isNull(at position: Int32) -> Bool { sqlite_nio_sqlite3_column_type(pointer, position) == SQLITE_NULL }

  /// Binds `values` to the statement's parameters, in order.
  func bind(_ values: [SQLiteData], handle: OpaquePointer) throws {
    let parameters = Int(sqlite_nio_sqlite3_bind_parameter_count(pointer))
    guard values.count == parameters else {
      throw LTBError(
        .internal, "the query has \(parameters) parameters but \(values.count) values were given")
    }
    let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
    for (offset, value) in values.enumerated() {
      let index = Int32(offset + 1)
      let code: Int32
      switch value {
      case .integer(let number): code = sqlite_nio_sqlite3_bind_int64(pointer, index, Int64(number))
      case .float(let number): code = sqlite_nio_sqlite3_bind_double(pointer, index, number)
      case .text(let text):
        code = sqlite_nio_sqlite3_bind_text64(
          pointer, index, text, UInt64(text.utf8.count), transient, UInt8(SQLITE_UTF8))
      case .blob(let buffer):
        code = buffer.withUnsafeReadableBytes {
          sqlite_nio_sqlite3_bind_blob64(pointer, index, $0.baseAddress, UInt64($0.count), transient)
        }
      case .null: code = sqlite_nio_sqlite3_bind_null(pointer, index)
      }
      guard code == SQLITE_OK else { throw SQLiteReader.failure(handle, "cannot bind parameter \(index)") }
    }
  }
}
