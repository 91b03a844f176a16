import Foundation
import LTBCore
import LTBProviders
import Testing

/// The gateway and the command line are one application: the same suite run by `ltb bench` and
/// by `createBenchmark` is stored and graded alike; the API grades with the configured judge
/// (the real local model); `ltb serve` takes its settings from `[server]` and writes an access
/// log; hostile nesting never takes it down.
@Suite("One application core", .serialized)
struct GatewayCoreTests {
  /// A GraphQL POST to `ltb serve` on `port` with `key`; the answer's JSON.
  static func graphQL(_ port: Int, _ key: String, _ query: String, _ variables: JSONValue = [:]) throws
    -> JSONValue
  {
    let body = JSONValue.object(["query": .string(query), "variables": variables]).serialized()
    let run = try Shell.run(
      "/usr/bin/curl",
      [
        "-s", "-X", "POST", "-H", "Content-Type: application/json", "--data-binary", body,
        "http://127.0.0.1:\(port)/graphql",
      ] + ServedAPI.bearer(key))
    return try JSONValue.parse(run.stdout)
  }

  /// Polls `benchmark(id)` until the session has ended and been graded.
  static func graded(_ port: Int, _ key: String, _ id: String, seconds: Int = 120) async throws -> JSONValue {
    let query = """
      query($id: UUID!) { benchmark(id: $id) { status summary { requests succeeded }
        evaluation { gradedAt cacheHits cacheMisses judge targets { evaluated pass fail metrics { metric count passRate } } } } }
      """
    var last = JSONValue.null
    for _ in 0..<(seconds * 10) {
      last = try graphQL(port, key, query, ["id": .string(id)])["data"]?["benchmark"] ?? .null
      // Verdicts are stored page by page while the grading runs; the grading is over once its
      // record (gradedAt, the cache counts, the judge) is stored.
      if last["status"] == "COMPLETED", let graded = last["evaluation"]?["gradedAt"], graded != .null {
        return last
      }
      try await Task.sleep(for: .milliseconds(100))
    }
    Issue.record("session \(id) was not graded in \(seconds) s: \(last)")
    return last
  }

  @Test("ltb bench and createBenchmark go one way: the same suite is stored and graded alike")
  func oneCodePath() async throws {
    let directory = try BenchCommandTests.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let (fake, environment, base) = try APIServerTests.fakeTarget(in: directory, cases: 6)
    defer { fake.process.terminate() }
    let suite =
      base + "assertions: [{ type: latency, threshold: 60000 }, { type: regex, value: \"\\\\w\" }]\n"
    let suiteFile = directory.appendingPathComponent("suite.yaml")
    try Data(suite.utf8).write(to: suiteFile)
    let database = "sqlite:" + directory.appendingPathComponent("one.sqlite").path
    let cli = try CommandLineTests.run(
      ["bench", suiteFile.path, "--database", database], environment: environment)
    #expect(cli.status == 0, "\(cli.stderr.suffix(1_000))")
    let cliSession = try #require(BenchCommandTests.sessionID(in: cli.stderr))

    let key = try ServedAPI.key(database: database)
    let port = try FreePort.find()
    let server = try ServedAPI.start(port: port, database: database, environment: environment)
    defer { server.process.terminate() }
    try await APIServerTests.waitUntilReady(port, server)
    let created = try Self.graphQL(
      port, key, "mutation($s: String!) { createBenchmark(input: { suite: $s }) { id } }",
      ["s": .string(suite)])
    let apiSession = try #require(created["data"]?["createBenchmark"]?["id"]?.stringValue, "\(created)")

    let viaCLI = try await Self.graded(port, key, cliSession)
    let viaAPI = try await Self.graded(port, key, apiSession)
    #expect(viaCLI["summary"] == viaAPI["summary"], "\(viaCLI) vs \(viaAPI)")
    #expect(viaAPI["summary"]?.arrayValue?.first?["succeeded"] == 6)
    #expect(viaCLI["evaluation"]?["targets"] == viaAPI["evaluation"]?["targets"], "\(viaCLI) vs \(viaAPI)")
    let metrics = viaAPI["evaluation"]?["targets"]?.arrayValue?.first?["metrics"]?.arrayValue ?? []
    #expect(Set(metrics.compactMap { $0["metric"]?.stringValue }) == ["latency", "regex"], "\(viaAPI)")
    #expect(viaAPI["evaluation"]?["targets"]?.arrayValue?.first?["pass"] == 6)

    // Every stored verdict, case by case, is the same whichever door the run came through.
    func verdicts(_ session: String) throws -> [String] {
      let page = try Self.graphQL(
        port, key,
        "query($id: UUID!) { results(filter: { sessionId: $id }, first: 50) { edges { node { testId evaluations { metric state passed } } } } }",
        ["id": .string(session)])
      return (page["data"]?["results"]?["edges"]?.arrayValue ?? []).flatMap { edge -> [String] in
        let node = edge["node"]
        return (node?["evaluations"]?.arrayValue ?? []).map {
          "\(node?["testId"]?.stringValue ?? "") \($0["metric"]?.stringValue ?? "") \($0["state"]?.stringValue ?? "") \($0["passed"]?.boolValue ?? false)"
        }
      }.sorted()
    }
    // The vendor's request id and the cache statistics are stored with every result.
    let path = String(database.dropFirst("sqlite:".count))
    let stored = try Shell.run(
      "/usr/bin/sqlite3",
      [
        path,
        "SELECT provider_metadata, cache_stats FROM results WHERE session_id = '\(apiSession.uppercased())' LIMIT 1",
      ])
    #expect(stored.stdout.contains(#""requestID":"req_fake_"#), "\(stored.stdout)")
    #expect(stored.stdout.contains(#""responseCacheHit":false"#), "\(stored.stdout)")
    let cliVerdicts = try verdicts(cliSession)
    let apiVerdicts = try verdicts(apiSession)
    #expect(cliVerdicts.count == 12 && cliVerdicts == apiVerdicts)
  }

  @Test(
    "the API grades with the configured judge: a judge metric on the real local model, read back over GraphQL"
  )
  func judgeThroughTheAPI() async throws {
    let directory = try BenchCommandTests.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let dataset = directory.appendingPathComponent("cases.jsonl")
    try Data(
      #"""
      {"id": "france", "prompt": "What is the capital of France?", "expected": "Paris"}
      {"id": "sky", "prompt": "What colour is the sky on a clear day?", "expected": "blue"}
      """#.utf8
    ).write(to: dataset)
    let config = directory.appendingPathComponent("ltb.toml")
    try Data("[evaluation]\njudge = \"llamacpp/smollm2-135m-instruct\"\n".utf8).write(to: config)
    let database = "sqlite:" + directory.appendingPathComponent("judge.sqlite").path
    let key = try ServedAPI.key(database: database)
    let port = try FreePort.find()
    let server = try ServedAPI.start(port: port, database: database, ["--config", config.path])
    defer { server.process.terminate() }
    try await APIServerTests.waitUntilReady(port, server)
    let suite = """
      name: judged
      datasets: [\(dataset.path)]
      targets: [{ provider: llamacpp, model: smollm2-135m-instruct, parameters: { temperature: 0, max_tokens: 24 } }]
      assertions: [{ type: coherence }]

      """
    let created = try Self.graphQL(
      port, key, "mutation($s: String!) { createBenchmark(input: { suite: $s }) { id } }",
      ["s": .string(suite)])
    let id = try #require(created["data"]?["createBenchmark"]?["id"]?.stringValue, "\(created)")
    let session = try await Self.graded(port, key, id, seconds: 300)
    #expect(session["evaluation"]?["judge"] == "llamacpp/smollm2-135m-instruct", "\(session)")
    #expect(session["evaluation"]?["cacheMisses"] == 2, "each answer judged once: \(session)")
    let page = try Self.graphQL(
      port, key,
      "query($id: UUID!) { results(filter: { sessionId: $id }) { edges { node { testId evaluations { metric state score judgeModel explanation } } } } }",
      ["id": .string(id)])
    let verdicts = (page["data"]?["results"]?["edges"]?.arrayValue ?? []).compactMap {
      $0["node"]?["evaluations"]?.arrayValue?.first { $0["metric"] == "coherence" }
    }
    #expect(verdicts.count == 2, "\(page)")
    for verdict in verdicts {
      #expect(verdict["state"] == "SCORED", "\(verdict)")
      #expect([0, 0.25, 0.5, 0.75, 1].contains(verdict["score"]?.doubleValue ?? -1), "\(verdict)")
      #expect(verdict["judgeModel"] == "smollm2-135m-instruct")
    }
  }

  @Test("ltb serve takes every setting from [server], logs one access line per request, echoes X-Request-Id")
  func serverSettingsAndAccessLog() async throws {
    let directory = try BenchCommandTests.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let port = try FreePort.find()
    let config = directory.appendingPathComponent("ltb.toml")
    try Data(
      """
      [general]
      log_level = "info"

      [server]
      port = \(port)
      max_depth = 3
      introspection = false
      max_body_bytes = 2048
      rate_limit = 0.0

      """.utf8
    ).write(to: config)
    let database = "sqlite:" + directory.appendingPathComponent("s.sqlite").path
    let key = try ServedAPI.key(database: database)
    let server = try CommandLineTests.start(
      ["serve", "--config", config.path, "--database", database, "--grpc-port", "0"],
      environment: ServedAPI.environment(["LTB_GENERAL__LOG_LEVEL": "info"]))
    try await APIServerTests.waitUntilReady(port, server)
    let deep = try Self.graphQL(port, key, "{ benchmarks(first: 1) { edges { node { id } } } }")
    #expect(
      deep["errors"]?.arrayValue?.first?["extensions"]?["code"] == "QUERY_TOO_DEEP",
      "max_depth from [server]: \(deep)")
    let introspection = try Self.graphQL(port, key, "{ __schema { queryType { name } } }")
    #expect(introspection["errors"]?.arrayValue?.first?["extensions"]?["code"] == "INTROSPECTION_DISABLED")
    let big = try SecurityTests.request(
      "http://127.0.0.1:\(port)/graphql", method: "POST", key: key,
      body: #"{"query": "{ health { status } }", "pad": ""# + String(repeating: "x", count: 4_000) + #""}"#)
    #expect(big.status == 413, "max_body_bytes from [server]")
    let echoed = try SecurityTests.request(
      "http://127.0.0.1:\(port)/api/v1/health", headers: ["X-Request-Id: trace-me-42"])
    #expect(echoed.headers.lowercased().contains("x-request-id: trace-me-42"), "\(echoed.headers)")
    let made = try SecurityTests.request("http://127.0.0.1:\(port)/api/v1/me", key: key)
    let generated = made.headers.split(separator: "\r\n").first { $0.lowercased().hasPrefix("x-request-id:") }
    #expect(generated.map { $0.count > 20 } == true, "a request id is generated when none is sent")
    kill(server.process.processIdentifier, SIGTERM)
    let stopped = server.finish()
    #expect(stopped.status == 0, "\(stopped.stderr.suffix(500))")
    let lines = stopped.stderr.split(separator: "\n")
    let access = lines.first { $0.contains("request_id=trace-me-42") }
    #expect(access?.contains("GET /api/v1/health 200") == true, "\(stopped.stderr.suffix(2_000))")
    let me = lines.first { $0.contains("GET /api/v1/me 200") }
    #expect(me?.contains("principal=admin") == true, "\(me ?? "no line for /me")")
    #expect(!stopped.stderr.contains(key), "no credential in the log")
  }

  @Test("hostile nesting against a running server: 100,000 levels in variables and in a document get 400")
  func hostileNesting() async throws {
    let directory = try BenchCommandTests.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let database = "sqlite:" + directory.appendingPathComponent("n.sqlite").path
    let port = try FreePort.find()
    let server = try ServedAPI.start(port: port, database: database)
    defer { server.process.terminate() }
    try await APIServerTests.waitUntilReady(port, server)
    let url = "http://127.0.0.1:\(port)/graphql"
    let brackets = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
    let variables = directory.appendingPathComponent("variables.json")
    try Data(
      #"{"query": "{ health { status } }", "variables": {"x": "#.utf8 + Data(brackets.utf8) + Data("}}".utf8)
    )
    .write(to: variables)
    let nestedVariables = try SecurityTests.request(url, method: "POST", bodyFile: variables.path)
    #expect(nestedVariables.status == 400, "\(nestedVariables.body.prefix(300))")
    let document = directory.appendingPathComponent("document.json")
    let hostile = String(repeating: "{a", count: 100_000) + String(repeating: "}", count: 100_000)
    try Data(JSONValue.object(["query": .string(hostile)]).serialized().utf8).write(to: document)
    let nestedDocument = try SecurityTests.request(url, method: "POST", bodyFile: document.path)
    #expect(nestedDocument.status == 400 && nestedDocument.body.contains("QUERY_TOO_DEEP"))
    let suite =
      "{\"name\": \"x\", \"datasets\": " + String(repeating: "[", count: 50_000)
      + String(repeating: "]", count: 50_000) + "}"
    let suiteBody = directory.appendingPathComponent("suite.json")
    try Data(
      JSONValue.object([
        "query": "mutation($s: String!) { createBenchmark(input: { suite: $s }) { id } }",
        "variables": ["s": .string(suite)],
      ]).serialized().utf8
    ).write(to: suiteBody)
    let key = try ServedAPI.key(database: database)
    let nestedSuite = try SecurityTests.request(url, method: "POST", key: key, bodyFile: suiteBody.path)
    #expect(
      nestedSuite.body.contains("INVALID_INPUT"),
      "a suite nesting 50,000 levels: \(nestedSuite.body.prefix(300))")
    #expect(try SecurityTests.request("http://127.0.0.1:\(port)/health").status == 200, "still up")
    #expect(server.process.isRunning)
  }
}
