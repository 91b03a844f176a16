import Foundation
import LTBCore
import LTBFakeServer
import LTBProviders
import Testing

/// OpenTelemetry traces end to end: `ltb bench` and `ltb serve` export over OTLP/HTTP to a real
/// receiver that decodes every export with the official opentelemetry-proto definitions. The
/// fake provider records the `traceparent` each request carried; the stored results carry the
/// IDs of their task spans, queryable from the CLI and GraphQL.
@Suite("Tracing", .serialized)
struct TracingTests {
  /// One exported span, as the receiver wrote it.
  struct Span {
    var json: JSONValue
    var name: String { json["name"]?.stringValue ?? "" }
    var traceID: String { json["trace_id"]?.stringValue ?? "" }
    var spanID: String { json["span_id"]?.stringValue ?? "" }
    var parentID: String { json["parent_span_id"]?.stringValue ?? "" }
    var kind: Int { json["kind"]?.intValue ?? -1 }
    subscript(attribute: String) -> JSONValue? { json["attributes"]?[attribute] }
    var events: [JSONValue] { json["events"]?.arrayValue ?? [] }
  }

  static func spans(_ file: URL) -> [Span] { AlertingTests.lines(file).map(Span.init) }

  /// Stops a helper for good: a process started from a test thread inherits its blocked
  /// signals, and Python then never sees SIGTERM.
  static func kill(_ process: Process) {
    Foundation.kill(process.processIdentifier, SIGKILL)
    process.waitUntilExit()
  }

  @Test(
    "ltb bench: one trace of session, tasks, GenAI provider calls, grading and store calls; IDs in results")
  func benchTrace() async throws {
    let directory = try BenchCommandTests.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let path = { (name: String) in directory.appendingPathComponent(name) }
    let receiverPort = try FreePort.find()
    let receiver = try AlertingTests.startReady(
      try APIServerTests.python(),
      [
        BenchCommandTests.repository.appendingPathComponent("scripts/reference/otlp_receiver.py").path,
        String(receiverPort), path("spans.jsonl").path,
      ])
    defer { Self.kill(receiver) }
    let fake = try await LoopbackHTTPServer.start(
      handler: FakeOpenAITarget.handler(
        FakeOpenAITarget.Options(
          timeToFirstToken: .milliseconds(15), interTokenLatency: .milliseconds(1), outputTokens: 6,
          model: "fake-model-2026")))
    defer { Task { await fake.stop() } }

    try Data(
      """
      [providers.fake]
      type = "openai-compatible"
      base_url = "\(fake.baseURL)/v1"
      default_model = "fake-model"
      max_retries = 0

      [monitoring]
      traces = true
      otlp_endpoint = "http://127.0.0.1:\(receiverPort)"
      service_name = "ltb-bench-e2e"

      """.utf8
    ).write(to: path("ltb.toml"))
    try Data(
      (0..<3).map { #"{"id": "c\#($0)", "prompt": "Question \#($0)?"}"# }.joined(separator: "\n").utf8
    ).write(to: path("cases.jsonl"))
    try Data(
      """
      name: traced
      datasets: [\(path("cases.jsonl").path)]
      targets: [{ provider: fake, parameters: { temperature: 0.25, max_tokens: 32 } }]
      stream: true
      judge: { provider: fake }
      assertions: [{ type: contains, value: "token" }, { type: coherence }]

      """.utf8
    ).write(to: path("suite.yaml"))
    let database = "sqlite:" + path("traces.sqlite").path
    let bench = try CommandLineTests.run([
      "bench", path("suite.yaml").path, "--config", path("ltb.toml").path, "--database", database,
    ])
    #expect(bench.status == 0, "\(bench.stderr.suffix(2_000))")

    // `ltb bench` flushes its spans before it exits: the receiver has them all now.
    let spans = Self.spans(path("spans.jsonl"))
    #expect(spans.allSatisfy { $0.json["service"] == "ltb-bench-e2e" })
    let roots = spans.filter { $0.name == "ltb bench" }
    try #require(roots.count == 1, "\(spans.map(\.name))")
    let trace = roots[0].traceID
    #expect(trace.count == 32 && roots[0].parentID.isEmpty)
    #expect(spans.allSatisfy { $0.traceID == trace }, "every span of the command is in its trace")
    let byID = Dictionary(spans.map { ($0.spanID, $0) }, uniquingKeysWith: { first, _ in first })

    let sessions = spans.filter { $0.name == "benchmark session" }
    try #require(sessions.count == 1)
    let session = sessions[0]
    #expect(session.parentID == roots[0].spanID)
    #expect(session["ltb.session.status"] == "completed" && session["ltb.session.total_tasks"] == 3)

    let tasks = spans.filter { $0.name == "benchmark task" }
    #expect(tasks.count == 3)
    #expect(tasks.allSatisfy { $0.parentID == session.spanID && $0["ltb.result.status"] == "success" })
    let taskIDs = Set(tasks.map(\.spanID))
    let calls = spans.filter { $0.name == "chat fake-model" && taskIDs.contains($0.parentID) }
    #expect(calls.count == 3)
    for call in calls {
      #expect(call.kind == 3, "a provider call is a client span")
      #expect(byID[call.parentID]?.name == "benchmark task")
      #expect(call["gen_ai.operation.name"] == "chat")
      #expect(call["gen_ai.provider.name"] == "openai-compatible")
      #expect(call["gen_ai.request.model"] == "fake-model")
      #expect(call["gen_ai.request.temperature"]?.doubleValue == 0.25)
      #expect(call["gen_ai.request.max_tokens"] == 32)
      #expect(call["gen_ai.response.model"] == "fake-model-2026")
      #expect(call["gen_ai.response.finish_reasons"] == ["stop"])
      #expect((call["gen_ai.usage.input_tokens"]?.intValue ?? 0) > 0)
      #expect(call["gen_ai.usage.output_tokens"] == 6)
      #expect(call["server.address"] == "127.0.0.1")
      let first = call.events.first { $0["name"] == "gen_ai.first_token" }
      #expect(first != nil, "\(call.events)")
      let start = call.json["start"]?.doubleValue ?? 0
      let end = call.json["end"]?.doubleValue ?? 0
      let at = first?["time"]?.doubleValue ?? 0
      #expect(start < at && at < end, "the first token arrives within the call")
      #expect(at - start >= 15e6, "the fake's first token comes 15 ms after the request")
    }

    // The fake provider saw each call's span as the parent in its traceparent.
    let sent = fake.requests.filter { $0.path.hasSuffix("/chat/completions") }.compactMap {
      $0.header("traceparent").flatMap(TraceContext.parse)
    }
    let judgeCalls = spans.filter { $0.name == "chat fake-model" && !taskIDs.contains($0.parentID) }
    #expect(sent.count == calls.count + judgeCalls.count)
    #expect(Set(sent.map(\.spanID)) == Set((calls + judgeCalls).map(\.spanID)))
    #expect(sent.allSatisfy { $0.traceID == trace && $0.sampled })

    // Grading and the store.
    let grading = spans.filter { $0.name == "grade session" }
    try #require(grading.count == 1)
    #expect(grading[0].parentID == session.spanID)
    let evaluations = spans.filter { $0.name == "evaluate contains" }
    #expect(evaluations.count == 3)
    #expect(
      evaluations.allSatisfy { $0.parentID == grading[0].spanID && $0["ltb.evaluation.state"] == "scored" })
    // The judge's calls are children of its evaluations; the fake's answers are not the judge's
    // JSON, so each evaluation asks twice (the repair request) and ends in an error status.
    let judged = spans.filter { $0.name == "evaluate coherence" }
    #expect(judged.count == 3)
    #expect(judged.allSatisfy { $0.parentID == grading[0].spanID && $0["ltb.evaluation.state"] == "error" })
    #expect(judged.allSatisfy { $0.json["status"] == 2 }, "an OTLP error status")
    #expect(judgeCalls.count == 6)
    #expect(Set(judgeCalls.map(\.parentID)) == Set(judged.map(\.spanID)))
    let inserts = spans.filter { $0.name == "sqlite insertResults" }
    #expect(!inserts.isEmpty && inserts.allSatisfy { $0.parentID == session.spanID })
    #expect(
      inserts.allSatisfy { $0["db.system.name"] == "sqlite" && $0["db.operation.name"] == "insertResults" })

    // Every stored result names its task span; the CLI finds them by trace.
    let query = try CommandLineTests.run([
      "results", "query", "--trace-id", trace, "--jsonl", "--database", database,
    ])
    #expect(query.status == 0, "\(query.stderr)")
    let results = query.stdout.split(separator: "\n").compactMap { try? JSONValue.parse(String($0)) }
    #expect(results.count == 3)
    #expect(Set(results.compactMap { $0["traceID"]?.stringValue }) == [trace])
    #expect(Set(results.compactMap { $0["spanID"]?.stringValue }) == Set(tasks.map(\.spanID)))
    let other = try CommandLineTests.run([
      "results", "query", "--trace-id", String(repeating: "ab", count: 16), "--jsonl", "--database", database,
    ])
    #expect(other.status == 0 && other.stdout.isEmpty)
    let bad = try CommandLineTests.run(["results", "query", "--trace-id", "xyz", "--database", database])
    #expect(bad.status != 0 && bad.stderr.contains("32 hex digits"), "\(bad.stderr)")

    // Through GraphQL, with the server's own spans continuing the caller's traceparent.
    let port = try FreePort.find()
    let key = try ServedAPI.key(database: database)
    let server = try ServedAPI.start(
      port: port, database: database, ["--config", path("ltb.toml").path],
      environment: [
        "LTB_MONITORING__TRACES": "false",
        "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:\(receiverPort)",
        "OTEL_SERVICE_NAME": "ltb-serve-e2e",
      ])
    defer { server.process.terminate() }
    try await APIServerTests.waitUntilReady(port, server)
    let callerTrace = "4bf92f3577b34da6a3ce929d0e0e4736"
    let callerSpan = "00f067aa0ba902b7"
    let body =
      #"{"query": "query($t: String) { results(filter: {traceId: $t}) { edges { node { traceId spanId status } } } }", "variables": {"t": "\#(trace)"}}"#
    let answer = try Shell.run(
      "/usr/bin/curl",
      ["-fs", "http://127.0.0.1:\(port)/graphql", "-H", "Content-Type: application/json"]
        + ServedAPI.bearer(key) + ["-H", "traceparent: 00-\(callerTrace)-\(callerSpan)-01", "-d", body])
    #expect(answer.status == 0, "\(answer.stderr)")
    let nodes = (try JSONValue.parse(answer.stdout))["data"]?["results"]?["edges"]?.arrayValue ?? []
    #expect(nodes.count == 3, "\(answer.stdout)")
    #expect(Set(nodes.compactMap { $0["node"]?["spanId"]?.stringValue }) == Set(tasks.map(\.spanID)))
    #expect(nodes.allSatisfy { $0["node"]?["traceId"]?.stringValue == trace })

    try await AlertingTests.eventually(15) {
      Self.spans(path("spans.jsonl")).contains { $0.traceID == callerTrace }
    }
    let served = Self.spans(path("spans.jsonl")).filter { $0.traceID == callerTrace }
    let request = served.first { $0.parentID == callerSpan }
    #expect(request?.kind == 2, "the request is a server span continuing the caller's: \(served.map(\.json))")
    #expect(request?.json["service"] == "ltb-serve-e2e")
    #expect(request?["http.request.method"] == "POST" && request?["http.route"] == "/graphql")
    #expect(request?["http.response.status_code"] == 200)
    #expect(
      served.contains { $0.name == "sqlite resultRows" && $0.parentID == request?.spanID },
      "\(served.map { ($0.name, $0.parentID) })")
  }

  @Test("a distributed run is one trace: the worker's task and provider spans are children of the session")
  func distributedTrace() async throws {
    let cluster = try DistributedCluster()
    defer { cluster.tearDown() }
    let spansFile = cluster.directory.appendingPathComponent("spans.jsonl")
    let receiverPort = try FreePort.find()
    let receiver = try AlertingTests.startReady(
      try APIServerTests.python(),
      [
        BenchCommandTests.repository.appendingPathComponent("scripts/reference/otlp_receiver.py").path,
        String(receiverPort), spansFile.path,
      ])
    defer { Self.kill(receiver) }
    try await cluster.startServer()
    cluster.extraEnvironment = [
      "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:\(receiverPort)", "OTEL_SERVICE_NAME": "ltb-cluster",
    ]
    try cluster.startWorker("traced-worker")
    try await cluster.waitForWorkers(1)
    let bench = try cluster.bench(try cluster.suite(cases: 4, rate: 20)).finish()
    #expect(bench.status == 0, "\(bench.stderr.suffix(2_000))")

    var spans: [Span] = []
    try await AlertingTests.eventually(15) {
      spans = Self.spans(spansFile)
      return spans.filter { $0.name == "chat fake-model" }.count >= 4
    }
    let session = try #require(spans.first { $0.name == "benchmark session" }, "\(spans.map(\.name))")
    #expect(session["ltb.session.distributed"] == true)
    let tasks = spans.filter { $0.name == "benchmark task" }
    #expect(tasks.count == 4)
    #expect(tasks.allSatisfy { $0.traceID == session.traceID && $0.parentID == session.spanID })
    let calls = spans.filter { $0.name == "chat fake-model" }
    #expect(Set(calls.map(\.parentID)) == Set(tasks.map(\.spanID)))
    #expect(spans.contains { $0.name.hasPrefix("postgresql ") && $0["db.system.name"] == "postgresql" })
    let stored = try cluster.sql("SELECT trace_id || ':' || span_id FROM results ORDER BY task_key")
    #expect(
      Set(stored.split(separator: "\n").map(String.init))
        == Set(tasks.map { "\(session.traceID):\($0.spanID)" }), "\(stored)")
  }
}
