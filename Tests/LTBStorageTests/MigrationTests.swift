import Foundation
import LTBCore
import Testing

@testable import LTBStorage

@Suite("Migrations")
struct MigrationTests {
  @Test("both dialects ship the same numbered files")
  func sameNumbers() throws {
    let sqlite = try Migration.bundled(for: .sqlite)
    let postgres = try Migration.bundled(for: .postgres)
    #expect(!sqlite.isEmpty)
    #expect(sqlite.map(\.version) == postgres.map(\.version))
    #expect(sqlite.map(\.name) == postgres.map(\.name))
  }

  @Test(
    "a fresh database gets every migration once; a second run applies nothing",
    arguments: StoreConformanceTests.dialects)
  func applyOnce(dialect: SQLDialectKind) async throws {
    try await Self.withFreshDatabase(dialect) { location in
      let store = try await SQLBenchStore.open(location, migrations: .skip)
      let applied = try? await store.migrate()
      let again = try? await store.migrate()
      await store.close()
      #expect(applied == (try Migration.bundled(for: dialect)).map(\.name))
      #expect(again == [])
      let reopened = try await SQLBenchStore.open(location, migrations: .require)
      await reopened.close()
    }
  }

  @Test(
    "an outdated schema is refused with the command that fixes it", arguments: StoreConformanceTests.dialects)
  func requireCurrent(dialect: SQLDialectKind) async throws {
    try await Self.withFreshDatabase(dialect) { location in
      do {
        let store = try await SQLBenchStore.open(location, migrations: .require)
        await store.close()
        Issue.record("an unmigrated database was accepted")
      } catch let error as LTBError {
        #expect(error.code == .storage)
        #expect(error.fix?.contains("ltb migrate") == true)
      }
    }
  }

  @Test("an applied migration whose text changed is refused", arguments: StoreConformanceTests.dialects)
  func changedChecksum(dialect: SQLDialectKind) async throws {
    try await Self.withFreshDatabase(dialect) { location in
      let provider = try await Self.connections(location)
      let original = Migration(fileName: "0001_a.sql", sql: "CREATE TABLE t1 (x INTEGER);")!
      let edited = Migration(fileName: "0001_a.sql", sql: "CREATE TABLE t1 (x INTEGER, y INTEGER);")!
      let first = try? await MigrationRunner(provider: provider, migrations: [original]).migrate()
      var refusal: LTBError?
      do {
        _ = try await MigrationRunner(provider: provider, migrations: [edited]).migrate()
      } catch {
        refusal = error as? LTBError
      }
      await provider.close()
      #expect(first == ["0001_a.sql"])
      #expect(refusal?.message.contains("0001_a.sql") == true)
      #expect(refusal?.message.contains("different contents") == true)
    }
  }

  @Test(
    "a failing migration is rolled back whole and names its statement",
    arguments: StoreConformanceTests.dialects)
  func rollback(dialect: SQLDialectKind) async throws {
    try await Self.withFreshDatabase(dialect) { location in
      let provider = try await Self.connections(location)
      let broken = Migration(
        fileName: "0001_broken.sql", sql: "CREATE TABLE t2 (x INTEGER);\nCREATE TABLE t2 (x INTEGER);")!
      var failure: LTBError?
      do {
        _ = try await MigrationRunner(provider: provider, migrations: [broken]).migrate()
      } catch {
        failure = error as? LTBError
      }
      let fixed = Migration(fileName: "0001_broken.sql", sql: "CREATE TABLE t2 (x INTEGER);")!
      let applied = try? await MigrationRunner(provider: provider, migrations: [fixed]).migrate()
      await provider.close()
      #expect(failure?.message.contains("statement 2") == true)
      #expect(applied == ["0001_broken.sql"], "the first statement of the failed file was rolled back")
    }
  }

  @Test(
    "a failure in a later file keeps earlier files on PostgreSQL and rolls the run back on SQLite",
    arguments: StoreConformanceTests.dialects)
  func runBoundary(dialect: SQLDialectKind) async throws {
    try await Self.withFreshDatabase(dialect) { location in
      let provider = try await Self.connections(location)
      let good = Migration(fileName: "0001_good.sql", sql: "CREATE TABLE t3 (x INTEGER);")!
      let broken = Migration(fileName: "0002_broken.sql", sql: "CREATE TABLE t3 (x INTEGER);")!
      var failure: LTBError?
      do {
        _ = try await MigrationRunner(provider: provider, migrations: [good, broken]).migrate()
      } catch {
        failure = error as? LTBError
      }
      // On SQLite the rolled-back run takes `schema_migrations` itself with it.
      let kept =
        (try? await MigrationRunner(provider: provider, migrations: [good, broken]).appliedVersions()) ?? []
      await provider.close()
      #expect(failure?.message.contains("0002_broken.sql") == true)
      #expect(kept == (dialect == .postgres ? [1] : []))
    }
  }

  /// In one process, for PostgreSQL (its locks never block a thread); SQLite's concurrent
  /// migrators are separate `ltb migrate` processes in the end-to-end tests, as in real use:
  /// SQLite's busy wait blocks a thread of the shared pool, so in-process contention between
  /// stores is not a case the store supports (each process writes through one connection).
  @Test("concurrent migrators apply each file exactly once")
  func concurrentMigrators() async throws {
    let dialect = SQLDialectKind.postgres
    try await Self.withFreshDatabase(dialect) { location in
      let applied = try await withThrowingTaskGroup(of: [String].self) { group in
        for _ in 0..<4 {
          group.addTask {
            let store = try await SQLBenchStore.open(location, migrations: .skip)
            do {
              let names = try await store.migrate()
              await store.close()
              return names
            } catch {
              await store.close()
              throw error
            }
          }
        }
        var all: [String] = []
        for try await names in group { all += names }
        return all
      }
      #expect(applied.sorted() == (try Migration.bundled(for: dialect)).map(\.name).sorted())
    }
  }

  /// SQLiteNIO's `close()` touches its handle again when called twice: `ltb bench` closed its
  /// store twice after Ctrl-C and `ltb sessions list` from a deferred task and inline, and both
  /// crashed with a segmentation fault. Every close after the first waits for it and returns.
  @Test(
    "a store closes once however often and from however many tasks close is called",
    arguments: StoreConformanceTests.dialects)
  func closeTwice(dialect: SQLDialectKind) async throws {
    let (location, drop) = try await TestDatabase.make(dialect)
    for _ in 0..<20 {
      let store = try await SQLBenchStore.open(location)
      _ = try await store.sessions(status: nil, owner: nil, limit: 5, cursor: nil)
      await withTaskGroup(of: Void.self) { group in
        for _ in 0..<4 { group.addTask { await store.close() } }
      }
      await store.close()
      #expect(await store.isReachable() == false)
    }
    await drop()
  }

  @Test("the statement splitter keeps trigger bodies and dollar-quoted functions whole")
  func splitter() {
    let sql = """
      -- comment; with a semicolon
      CREATE TABLE a (x TEXT DEFAULT 'semi;colon');
      CREATE TRIGGER t AFTER INSERT ON a BEGIN
        INSERT INTO b VALUES (1);
        INSERT INTO b VALUES (2);
      END;
      CREATE FUNCTION f() RETURNS TRIGGER AS $$
      BEGIN
        NEW.x = 'y;z';
        RETURN NEW;
      END;
      $$ LANGUAGE plpgsql;
      /* block; comment */ SELECT 1
      """
    let statements = SQLStatementSplitter.split(sql)
    #expect(statements.count == 4)
    #expect(statements[0] == "CREATE TABLE a (x TEXT DEFAULT 'semi;colon')")
    #expect(statements[1].hasSuffix("END"))
    #expect(statements[2].hasSuffix("LANGUAGE plpgsql"))
    #expect(statements[3] == "SELECT 1")
  }

  static func withFreshDatabase(_ dialect: SQLDialectKind, _ body: (DatabaseLocation) async throws -> Void)
    async throws
  {
    let (location, drop) = try await TestDatabase.make(dialect)
    do {
      try await body(location)
      await drop()
    } catch {
      await drop()
      throw error
    }
  }

  static func connections(_ location: DatabaseLocation) async throws -> any SQLConnectionProvider {
    switch location {
    case .sqlite(let path): try await SQLiteConnectionProvider.open(path: path)
    case .postgres: try await PostgresConnectionProvider.open(location)
    }
  }
}
