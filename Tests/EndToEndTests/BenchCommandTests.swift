import Foundation
import LTBCore
import Testing

/// `ltb bench` and the storage commands, run as a user would, against the real local model.
@Suite("ltb bench end to end", .serialized)
struct BenchCommandTests {
  static var repository: URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent()
  }
  static var quickstart: String { repository.appendingPathComponent("examples/quickstart.yaml").path }

  static func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("ltb-e2e-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }

  /// CSV rows (each starts with its result's id; quoted answers may span lines).
  static func csvRows(_ text: String) -> Int {
    text.split(separator: "\n").filter { line in
      line.count > 36 && UUID(uuidString: String(line.prefix(36))) != nil && line.dropFirst(36).first == ","
    }.count
  }

  static func sessionID(in stderr: String) -> String? {
    stderr.split(separator: "\n").first { $0.hasPrefix("session ") }.map {
      String($0.dropFirst(8).prefix(36))
    }
  }

  /// Runs the quickstart into `database` and checks that the rows, the summary and the server's timings agree.
  func quickstart(database: String) throws {
    let directory = try Self.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let output = directory.appendingPathComponent("out").path
    let run = try CommandLineTests.run(["bench", Self.quickstart, "--database", database, "--output", output])
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.stdout.contains("llamacpp/smollm2-135m-instruct"))
    #expect(run.stdout.contains("TTFT"))
    // The quickstart grades its answers: the cases' checks and the suite's judge metric.
    #expect(run.stdout.contains("22 responses evaluated"), "\(run.stdout)")
    #expect(run.stdout.contains("answer-relevance") && run.stdout.contains("icontains"))
    let session = try #require(Self.sessionID(in: run.stderr))
    let summary = try JSONValue.parse(try Data(contentsOf: URL(fileURLWithPath: output + "/summary.json")))
    let group = try #require(summary["groups"]?.arrayValue?.first)
    #expect(group["requests"] == 24)
    #expect(group["warmup"] == 2)
    #expect(group["succeeded"] == 24)
    let lines = try String(contentsOfFile: output + "/results.jsonl", encoding: .utf8).split(separator: "\n")
    #expect(lines.count == 24)
    let results = try lines.map { try JSONValue.parse(Data($0.utf8)) }
    // The stored rows and the summary agree: tokens add up, and the median TTFT is that of the measured rows.
    let outputTokens = results.compactMap { $0["usage"]?["outputTokens"]?.intValue }.reduce(0, +)
    #expect(group["outputTokens"]?.intValue == outputTokens)
    let measured = results.filter { $0["warmup"] == false }
    let ttfts = measured.compactMap { row -> Double? in
      guard let offsets = row["timing"]?["contentEventOffsetsNanos"]?.arrayValue,
        let first = offsets.first?.doubleValue
      else { return nil }
      return first / 1e6
    }.sorted()
    #expect(ttfts.count == 22)
    let median = (ttfts[10] + ttfts[11]) / 2
    #expect(abs((group["timeToFirstToken"]?["p50"]?.doubleValue ?? -1) - median) < 1e-6)
    // The server's own figures stand beside ours and are consistent with them.
    for row in results {
      guard let server = row["serverTimings"], let generated = server["generatedTokens"]?.intValue else {
        Issue.record("a result has no server timings")
        continue
      }
      #expect(generated == row["usage"]?["outputTokens"]?.intValue)
      let serverTotal =
        (server["promptMilliseconds"]?.doubleValue ?? 0)
        + (server["generationMilliseconds"]?.doubleValue ?? 0)
      let clientTotal = (row["timing"]?["endOffsetNanos"]?.doubleValue ?? 0) / 1e6
      #expect(serverTotal <= clientTotal + 1, "the server cannot take longer than the client saw")
    }
    let csv = try String(contentsOfFile: output + "/results.csv", encoding: .utf8)
    #expect(Self.csvRows(csv) == 24)
    let show = try CommandLineTests.run(["sessions", "show", session, "--database", database, "--json"])
    #expect(show.status == 0, "\(show.stderr)")
    let shown = try JSONValue.parse(Data(show.stdout.utf8))
    #expect(shown["groups"]?.arrayValue?.first?["timeToFirstToken"] == group["timeToFirstToken"])
    let list = try CommandLineTests.run(["sessions", "list", "--database", database])
    #expect(list.stdout.contains(session))
    #expect(list.stdout.contains("24/24"))
    let query = try CommandLineTests.run([
      "results", "query", "--session", session, "--text", "capital France", "--database", database, "--jsonl",
    ])
    #expect(query.status == 0, "\(query.stderr)")
    let found = query.stdout.split(separator: "\n").filter { line in line.hasPrefix("{") }
    #expect(found.count == 2, "the two repeats of the France case")
    let export = try CommandLineTests.run(["export", session, "--format", "csv", "--database", database])
    #expect(Self.csvRows(export.stdout) == 24)
  }

  @Test("the quickstart benchmark into SQLite: rows, summary and server timings agree")
  func quickstartSQLite() throws {
    let directory = try Self.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    try quickstart(database: "sqlite:" + directory.appendingPathComponent("bench.sqlite").path)
  }

  @Test("the quickstart benchmark into PostgreSQL")
  func quickstartPostgres() throws {
    let admin =
      ProcessInfo.processInfo.environment["LTB_TEST_POSTGRES_URL"]
      ?? "postgres://postgres@127.0.0.1:54329/postgres"
    let name = "ltb_e2e_\(UUID().uuidString.prefix(8).lowercased())"
    let create = try Shell.run("/usr/bin/psql", [admin, "-q", "-c", "CREATE DATABASE \(name)"])
    #expect(create.status == 0, "\(create.stderr)")
    defer {
      _ = try? Shell.run(
        "/usr/bin/psql", [admin, "-q", "-c", "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"])
    }
    var components = try #require(URLComponents(string: admin))
    components.path = "/" + name
    let url = try #require(components.string)
    try quickstart(database: url)
  }

  @Test("Ctrl-C stops a run cleanly; --resume finishes it without redoing what was stored")
  func interruptAndResume() async throws {
    let directory = try Self.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let database = "sqlite:" + directory.appendingPathComponent("bench.sqlite").path
    let process = try CommandLineTests.start([
      "bench", Self.quickstart, "--database", database, "--repeats", "6", "--concurrency", "1",
      "--max-tokens", "24", "--grace", "5",
    ])
    try await Task.sleep(for: .seconds(4))
    kill(process.process.processIdentifier, SIGINT)
    let interrupted = process.finish()
    #expect(interrupted.status == 130, "\(interrupted.stderr)")
    #expect(interrupted.stderr.contains("--resume"))
    let session = try #require(Self.sessionID(in: interrupted.stderr))
    let before = try CommandLineTests.run([
      "results", "query", "--session", session, "--limit", "1000", "--jsonl", "--database", database,
    ])
    let storedBefore = before.stdout.split(separator: "\n").filter { line in line.hasPrefix("{") }.count
    #expect(storedBefore > 0 && storedBefore < 72, "\(storedBefore) results stored before Ctrl-C")
    let resumed = try CommandLineTests.run(["bench", "--resume", session, "--database", database])
    #expect(resumed.status == 0, "\(resumed.stderr)")
    let after = try CommandLineTests.run([
      "results", "query", "--session", session, "--limit", "1000", "--jsonl", "--database", database,
    ])
    let rows = try after.stdout.split(separator: "\n").filter { line in line.hasPrefix("{") }.map { line in
      try JSONValue.parse(Data(line.utf8))
    }
    #expect(rows.count == 72)
    #expect(Set(rows.compactMap { $0["taskKey"]?.stringValue }).count == 72)
  }

  @Test(
    "SIGINT, SIGTERM and a second Ctrl-C end ltb bench with 130 and no crash; after kill -9, resume stores each task once",
    arguments: ["INT", "TERM", "INT INT", "KILL"])
  func signals(_ signals: String) async throws {
    let directory = try Self.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let (fake, environment, suite) = try APIServerTests.fakeTarget(in: directory, cases: 200)
    defer { fake.process.terminate() }
    let suiteFile = directory.appendingPathComponent("suite.yaml")
    try Data(suite.utf8).write(to: suiteFile)
    let path = directory.appendingPathComponent("signals.sqlite").path
    let database = "sqlite:" + path
    let bench = try CommandLineTests.start(
      ["bench", suiteFile.path, "--database", database, "--concurrency", "4", "--grace", "2"],
      environment: environment)
    // The first progress line is drawn when the run has started, with the handler in place:
    // the signal follows an event of the run, not a guessed delay.
    let before = bench.waitForError("progress ")
    #expect(before.contains("progress "), "\(before)")
    for name in signals.split(separator: " ") {
      kill(bench.process.processIdentifier, name == "INT" ? SIGINT : name == "TERM" ? SIGTERM : SIGKILL)
      try await Task.sleep(for: .milliseconds(100))
    }
    let ended = bench.finish()
    let crashed = ["Segmentation fault", "Fatal error", "Illegal instruction", "Current stack trace"]
    #expect(!crashed.contains { ended.stderr.contains($0) }, "\(ended.stderr.suffix(2_000))")
    if signals.split(separator: " ").count == 1, signals != "KILL" {
      #expect(
        ended.stderr.contains("cancelled; continue with: ltb bench --resume"), "\(ended.stderr.suffix(500))")
    }
    if signals == "KILL" {
      #expect(bench.process.terminationReason == .uncaughtSignal && ended.status == SIGKILL)
    } else {
      #expect(
        bench.process.terminationReason == .exit && ended.status == 130,
        "\(ended.status): \(ended.stderr.suffix(1_000))")
    }
    if signals.split(separator: " ").count == 1 {
      // One signal: the run stops cleanly and says how to resume; the rest is then run once.
      let listed = try CommandLineTests.run(["sessions", "list", "--database", database])
      #expect(listed.status == 0, "\(listed.stderr)")
      let session = try #require(listed.stdout.split(separator: " ").first.map(String.init))
      let resumed = try CommandLineTests.run(
        ["bench", "--resume", session, "--database", database], environment: environment)
      #expect(resumed.status == 0, "\(resumed.stderr.suffix(1_000))")
      let counts = try Shell.run(
        "/usr/bin/sqlite3",
        [path, "SELECT COUNT(*) || ',' || COUNT(DISTINCT task_key) FROM results WHERE status = 'success'"])
      #expect(
        counts.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "200,200", "each task stored once")
    }
  }

  @Test("concurrent `ltb migrate` processes on one new SQLite file apply each migration once")
  func concurrentMigrateProcesses() throws {
    let directory = try Self.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let database = "sqlite:" + directory.appendingPathComponent("m.sqlite").path
    let processes = try (0..<4).map { _ in try CommandLineTests.start(["migrate", "--database", database]) }
    let outcomes = processes.map { $0.finish() }
    #expect(outcomes.allSatisfy { $0.status == 0 }, "\(outcomes.map { $0.stderr })")
    let applied = outcomes.filter { $0.stdout.contains("applied") }
    #expect(applied.count == 1, "exactly one process applied the migrations")
    let count = try Shell.run(
      "/usr/bin/sqlite3",
      [directory.appendingPathComponent("m.sqlite").path, "SELECT COUNT(*) FROM schema_migrations"])
    let bundled = try FileManager.default.contentsOfDirectory(
      atPath: Self.repository.appendingPathComponent("Sources/LTBStorage/Migrations/sqlite").path
    ).filter { $0.hasSuffix(".sql") }
    #expect(bundled.count >= 2)
    #expect(count.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == String(bundled.count))
  }

  @Test("a suite with a mistake is refused with file, line and fix, and nothing runs")
  func badSuite() throws {
    let directory = try Self.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let suite = directory.appendingPathComponent("bad.yaml")
    try
      "datasets: [\(Self.repository.path)/examples/datasets/capitals.jsonl]\ntargets:\n  - provider: llamacpp\nconcurency: 4\n"
      .write(to: suite, atomically: true, encoding: .utf8)
    let run = try CommandLineTests.run([
      "bench", suite.path, "--database", "sqlite:" + directory.appendingPathComponent("x.sqlite").path,
    ])
    #expect(run.status == 78)
    #expect(run.stderr.contains("bad.yaml:4"))
    #expect(run.stderr.contains("did you mean 'concurrency'?"))
  }

  @Test("ltb dataset validate streams a 1,000,000-line JSONL file in bounded memory")
  func millionLines() throws {
    let directory = try Self.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let path = directory.appendingPathComponent("million.jsonl").path
    _ = FileManager.default.createFile(atPath: path, contents: nil)
    let handle = try #require(FileHandle(forWritingAtPath: path))
    var chunk = ""
    for index in 0..<1_000_000 {
      chunk +=
        #"{"id":"c\#(index)","prompt":"What is \#(index) plus \#(index)? Answer with a number.","expected":"\#(index * 2)"}"#
        + "\n"
      if index % 50_000 == 49_999 {
        handle.write(Data(chunk.utf8))
        chunk = ""
      }
    }
    try handle.close()
    let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0
    let run = try Shell.run(
      "/usr/bin/time", ["-f", "peak-kb %M", CommandLineTests.binary.path, "dataset", "validate", path])
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.stdout.contains("1000000 valid cases"))
    let reported = run.stderr.split(separator: "\n").last { $0.hasPrefix("peak-kb ") }.flatMap {
      Int($0.dropFirst(8))
    }
    let peak = try #require(reported) * 1_024
    #expect(
      peak < size, "peak resident \(peak / 1_048_576) MiB stays below the file's \(size / 1_048_576) MiB")
    #expect(peak < 200 * 1_048_576)
  }
}

/// Runs system tools.
enum Shell {
  /// Runs `tool` with `arguments`, `environment` added to this process's, killing it after
  /// `seconds` (a hang fails the test that waits).
  static func run(
    _ tool: String, _ arguments: [String], environment: [String: String] = [:], within seconds: Double = 300
  ) throws -> (
    status: Int32, stdout: String, stderr: String
  ) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: tool)
    process.arguments = arguments
    if !environment.isEmpty {
      process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    }
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    // Its own standard input: a tool that would prompt (psql for a password) reads an end instead.
    process.standardInput = FileHandle.nullDevice
    try process.run()
    return BoundedOutput.collect(process, output: out, errors: err, within: seconds)
  }
}
