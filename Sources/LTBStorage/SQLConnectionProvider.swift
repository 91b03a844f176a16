import Foundation
import LTBCore
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import PostgresKit
import SQLKit
import SQLiteKit
import Synchronization

/// Hands out database connections: reads may run side by side; for SQLite, writes go one at a
/// time through a single connection (SQLite allows one writer; queuing here avoids busy errors).
protocol SQLConnectionProvider: Sendable {
  var dialect: SQLDialectKind { get }
  /// Runs `body` on a read connection; `operation` names the store call (its span's name).
  func read<T: Sendable>(operation: String, _ body: @Sendable (any SQLDatabase) async throws -> T)
    async throws -> T
  /// Runs `body` on the write connection; `operation` names the store call (its span's name).
  func write<T: Sendable>(operation: String, _ body: @Sendable (any SQLDatabase) async throws -> T)
    async throws -> T
  func close() async
  /// Database round trips (reads and writes) since the store opened.
  var operationCount: Int { get }
}

extension SQLConnectionProvider {
  /// Runs `body` on a read connection, in a span named after the calling store function.
  func read<T: Sendable>(function: String = #function, _ body: @Sendable (any SQLDatabase) async throws -> T)
    async throws -> T
  {
    try await read(operation: function, body)
  }

  /// Runs `body` on the write connection, in a span named after the calling store function.
  func write<T: Sendable>(function: String = #function, _ body: @Sendable (any SQLDatabase) async throws -> T)
    async throws -> T
  {
    try await write(operation: function, body)
  }
}

/// SQLite in WAL mode: one writer connection behind a queue, a few reader connections.
final class SQLiteConnectionProvider: SQLConnectionProvider {
  let dialect = SQLDialectKind.sqlite
  private let writer: SQLiteConnection
  private let readers: [SQLiteConnection]
  private let writeQueue = AsyncMutex()
  private let nextReader = NIOLockedValueBox(0)
  private let operations = Atomic<Int>(0)
  var operationCount: Int { operations.load(ordering: .relaxed) }

  private let hotReader: SQLiteReader
  private let closing = OnceTask()

  private init(writer: SQLiteConnection, readers: [SQLiteConnection], hotReader: SQLiteReader) {
    self.writer = writer
    self.readers = readers
    self.hotReader = hotReader
  }

  static func open(path: String, readers: Int = 3) async throws -> SQLiteConnectionProvider {
    let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
    do {
      try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    } catch {
      throw LTBError(
        .storage, "cannot create the directory \(directory) for the database",
        fix: "choose a writable --database path")
    }
    var logger = Logger(label: "ltb.sqlite")
    logger.logLevel = .warning
    var opened: [SQLiteConnection] = []
    do {
      for index in 0...readers {
        let connection = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
        opened.append(connection)
        try await configureRetryingBusy(connection, writer: index == 0)
      }
      return SQLiteConnectionProvider(
        writer: opened[0], readers: Array(opened.dropFirst()), hotReader: try SQLiteReader.open(path: path))
    } catch {
      let connections = opened
      await Task { for connection in connections { try? await connection.close() } }.value
      throw LTBError(
        .storage, "cannot open the SQLite database \(path): \(error)",
        fix: "check the path and its permissions")
    }
  }

  /// ``configure(_:writer:)``, again every 50 ms for up to 10 s while the file is locked: the
  /// switch to WAL answers "database is locked" at once, without waiting for the busy timeout,
  /// when another process is migrating a new file (SQLite returns SQLITE_BUSY rather than risk a
  /// deadlock there).
  private static func configureRetryingBusy(_ connection: SQLiteConnection, writer: Bool) async throws {
    let deadline = ContinuousClock.now + .seconds(10)
    while true {
      do {
        return try await configure(connection, writer: writer)
      } catch {
        let text = "\(error)".lowercased()
        guard text.contains("locked") || text.contains("busy"), ContinuousClock.now < deadline else {
          throw error
        }
        try await Task.sleep(for: .milliseconds(50))
      }
    }
  }

  private static func configure(_ connection: SQLiteConnection, writer: Bool) async throws {
    let database = connection.sql()
    // The busy timeout first: switching a new file to WAL takes a lock, and a process that does
    // it while another holds that lock must wait rather than fail ("database is locked", seen
    // when several `ltb migrate` processes open one new file at once).
    try await database.raw("PRAGMA busy_timeout = 10000").run()
    if writer { try await database.raw("PRAGMA journal_mode = WAL").run() }
    try await database.raw("PRAGMA synchronous = NORMAL").run()
    try await database.raw("PRAGMA foreign_keys = ON").run()
    try await database.raw("PRAGMA cache_size = -8192").run()
  }

  func read<T: Sendable>(operation: String, _ body: @Sendable (any SQLDatabase) async throws -> T)
    async throws -> T
  {
    try refuseWhenClosed()
    operations.add(1, ordering: .relaxed)
    let index = nextReader.withLockedValue { value in
      defer { value = (value + 1) % readers.count }
      return value
    }
    return try await DatabaseSpan.run(dialect, operation, write: false) {
      try await body(readers[index].sql())
    }
  }

  func write<T: Sendable>(operation: String, _ body: @Sendable (any SQLDatabase) async throws -> T)
    async throws -> T
  {
    try refuseWhenClosed()
    operations.add(1, ordering: .relaxed)
    return try await DatabaseSpan.run(dialect, operation, write: true) {
      try await writeQueue.withLock { try await body(writer.sql()) }
    }
  }

  /// A closed connection's handle is gone; SQLite would be handed a null pointer.
  private func refuseWhenClosed() throws {
    if closing.hasStarted { throw LTBError(.storage, "the store is closed", fix: "open the store again") }
  }

  /// The rows of a query, each decoded by `decode` on SQLite's thread as it is stepped to
  /// (``SQLiteReader``: statements prepared once, columns read in place).
  func rows<Row: Sendable>(
    _ query: SQLQueryString, function: String = #function,
    _ decode: @escaping @Sendable (ColumnReader) throws -> Row
  ) async throws -> [Row] {
    let (sql, binds) = try serialize(query)
    return try await read(queries: 1, function: function) { try $0.rows(sql, binds, decode) }
  }

  /// Runs `body`, which makes `queries` queries, on one read connection in one trip to SQLite's thread.
  func read<Value: Sendable>(
    queries: Int, function: String = #function,
    _ body: @escaping @Sendable (SQLiteReader.Session) throws -> Value
  ) async throws -> Value {
    operations.add(queries, ordering: .relaxed)
    return try await DatabaseSpan.run(dialect, function, write: false) { try await hotReader.read(body) }
  }

  /// A query's SQL and binds as SQLKit would serialize them.
  func serialize(_ query: SQLQueryString) throws -> (sql: String, binds: [SQLiteData]) {
    var serializer = SQLSerializer(database: readers[0].sql())
    query.serialize(to: &serializer)
    let encoder = SQLiteDataEncoder()
    // UUIDs as `uuidString` writes them (SQLiteKit's encoder formats each with snprintf).
    let binds = try serializer.binds.map { bind in
      if let id = bind as? UUID { return SQLiteData.text(id.uppercasedText) }
      return try encoder.encode(bind)
    }
    return (serializer.sql, binds)
  }

  /// Runs `body` on the writer connection itself, for bulk inserts that bind `SQLiteData` directly.
  func writeNative<T: Sendable>(
    function: String = #function, _ body: @Sendable (SQLiteConnection) async throws -> T
  )
    async throws -> T
  {
    try refuseWhenClosed()
    operations.add(1, ordering: .relaxed)
    return try await DatabaseSpan.run(dialect, function, write: true) {
      try await writeQueue.withLock { try await body(writer) }
    }
  }

  /// Closes every connection once, even when the calling task is cancelled (a cancelled close
  /// would leave SQLite handles open). Later and concurrent calls wait for that one close:
  /// SQLiteNIO's `close()` touches the handle again when called twice (its hooks are cleared
  /// on a closed handle), which crashed `ltb bench` on Ctrl-C and `ltb sessions list`.
  func close() async {
    await closing.once { [hotReader, readers, writer] in
      hotReader.close()
      for connection in readers + [writer] { try? await connection.close() }
    }
  }
}

/// PostgreSQL through PostgresNIO's connection pool.
final class PostgresConnectionProvider: SQLConnectionProvider {
  let dialect = SQLDialectKind.postgres
  private let client: PostgresClient
  private let runner: Task<Void, Never>
  private let closing = OnceTask()
  private let operations = Atomic<Int>(0)
  var operationCount: Int { operations.load(ordering: .relaxed) }

  private init(client: PostgresClient) {
    self.client = client
    self.runner = Task { await client.run() }
  }

  static func open(_ location: DatabaseLocation, maximumConnections: Int = 16) async throws
    -> PostgresConnectionProvider
  {
    guard case .postgres(let host, let port, let username, let password, let database, let socket) = location
    else {
      throw LTBError(.internal, "not a PostgreSQL location")
    }
    var configuration: PostgresClient.Configuration
    if let socket {
      configuration = .init(
        unixSocketPath: socket, username: username, password: password, database: database)
    } else {
      configuration = .init(
        host: host, port: port, username: username, password: password, database: database, tls: .disable)
    }
    configuration.options.maximumConnections = maximumConnections
    var logger = Logger(label: "ltb.postgres")
    logger.logLevel = .critical
    let provider = PostgresConnectionProvider(
      client: PostgresClient(configuration: configuration, backgroundLogger: logger))
    do {
      _ = try await provider.read { database in try await database.raw("SELECT 1 AS ok").all() }
    } catch {
      await provider.close()
      throw LTBError(
        .storage, "cannot reach PostgreSQL at \(location): \(String(reflecting: error).prefix(300))",
        fix: "check that the server runs and the URL's user, password and database are right")
    }
    return provider
  }

  func read<T: Sendable>(operation: String, _ body: @Sendable (any SQLDatabase) async throws -> T)
    async throws -> T
  {
    try await pooled(operation, write: false, body)
  }

  func write<T: Sendable>(operation: String, _ body: @Sendable (any SQLDatabase) async throws -> T)
    async throws -> T
  {
    try await pooled(operation, write: true, body)
  }

  /// Runs `body` on a pooled connection: reads and writes go the same way, and differ only in
  /// their span's `ltb.db.access`.
  private func pooled<T: Sendable>(
    _ operation: String, write: Bool, _ body: @Sendable (any SQLDatabase) async throws -> T
  ) async throws -> T {
    operations.add(1, ordering: .relaxed)
    return try await DatabaseSpan.run(dialect, operation, write: write) {
      try await client.withConnection { connection in try await body(connection.sql(queryLogLevel: nil)) }
    }
  }

  func close() async {
    await closing.once { [runner] in
      runner.cancel()
      await runner.value
    }
  }
}

/// A mutual-exclusion lock for async code: callers run one at a time, in arrival order.
actor AsyncMutex {
  private var locked = false
  private var waiters: [CheckedContinuation<Void, Never>] = []

  func withLock<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
    await acquire()
    defer { release() }
    return try await body()
  }

  private func acquire() async {
    if !locked {
      locked = true
      return
    }
    await withCheckedContinuation { waiters.append($0) }
  }

  private func release() {
    if waiters.isEmpty {
      locked = false
    } else {
      waiters.removeFirst().resume()
    }
  }
}
