import Foundation
import GraphQL
import LTBAuth
import LTBConfig
import LTBCore
import LTBEngine
import LTBEvaluation
import LTBFakeServer
import LTBProviders
import LTBStorage
import Testing

@testable import LTBAPI

/// Mutations that run a real benchmark (against the fake OpenAI-compatible target) and the
/// subscriptions that follow it, through the GraphQL service.
@Suite("GraphQL mutations and subscriptions", .serialized)
struct SubscriptionTests {
  @Test("createBenchmark, then a benchmarkProgress and a testCompleted subscription see the run to its end")
  func progressToCompletion() async throws {
    let server = try await LoopbackHTTPServer.start(
      handler: FakeOpenAITarget.handler(
        .init(timeToFirstToken: .milliseconds(5), interTokenLatency: .milliseconds(1), outputTokens: 4)))
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ltb-sub-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let store = try await SQLBenchStore.open(.sqlite(path: folder.appendingPathComponent("api.sqlite").path))
    let dataset = folder.appendingPathComponent("cases.jsonl")
    try Data((0..<5).map { #"{"id": "c\#($0)", "prompt": "Question \#($0)?"}"# }.joined(separator: "\n").utf8)
      .write(
        to: dataset)
    let settings = ProviderSettings(
      name: "fake", kind: .openaiCompatible, baseURL: server.baseURL + "/v1", firstByteTimeout: .seconds(10),
      totalTimeout: .seconds(30), maxRetries: 0, defaultModel: "fake-model")
    var configuration = try ConfigLoader().load()
    configuration.features = .all
    let services = try await APIServices.build(
      store: store, configuration: configuration, providers: [settings], version: "test")
    let service = try GraphQLService(resolvers: services.resolvers)
    try await store.createUser(
      UserRecord(
        id: Principal.testAdmin.userID, username: "test-admin", email: "admin@example.org", passwordHash: "",
        role: .admin))
    let context = APIContext(requestID: "sub", principal: .testAdmin)
    // JSON text (a suite may also be YAML).
    let suite =
      #"{"name": "api-run", "datasets": ["\#(dataset.path)"], "targets": [{"provider": "fake"}], "concurrency": 1}"#
    let created = try await service.execute(
      "mutation($suite: String!) { createBenchmark(input: { suite: $suite, start: false }) { id status totalTasks } }",
      variables: ["suite": .string(suite)], context: context)
    #expect(created.errors.isEmpty, "\(created.errors)")
    let session = try #require(created.data?["createBenchmark"]["id"].string)
    #expect(created.data?["createBenchmark"]["status"].string == "PENDING")
    #expect(created.data?["createBenchmark"]["totalTasks"].int == 5)

    // Subscriptions run by plan; each event's payload is JSON text, read back as a result.
    func collect(_ query: String) async throws -> AsyncThrowingStream<GraphQLResult, any Error> {
      #expect(service.hasPlan(query))
      switch try await service.subscribeJSON(query, variables: ["id": .string(session)], context: context) {
      case .success(let stream):
        return AsyncThrowingStream { continuation in
          Task {
            do {
              for try await payload in stream {
                continuation.yield(try JSONDecoder().decode(GraphQLResult.self, from: Data(payload.utf8)))
              }
              continuation.finish()
            } catch {
              continuation.finish(throwing: error)
            }
          }
        }
      case .failure(let errors): throw errors
      }
    }
    let progress = try await collect(
      "subscription($id: UUID!) { benchmarkProgress(sessionId: $id) { completed total progressPercent } }")
    let completions = try await collect(
      "subscription($id: UUID!) { testCompleted(sessionId: $id) { testId status durationMs } }")
    let everything = try await collect(
      """
      subscription($id: UUID!) { sessionEvents(sessionId: $id) { __typename
        ... on ProgressEvent { completed } ... on TestCompletedEvent { testId }
        ... on BenchmarkFinishedEvent { status completed failed } } }
      """)
    let resumed = try await service.execute(
      "mutation($id: UUID!) { resumeBenchmark(id: $id) { id } }", variables: ["id": .string(session)],
      context: context)
    #expect(resumed.errors.isEmpty, "\(resumed.errors)")

    let gathered = try await withThrowingTaskGroup(of: (String, [GraphQLResult]).self) { group in
      group.addTask {
        var all: [GraphQLResult] = []
        for try await event in progress { all.append(event) }
        return ("progress", all)
      }
      group.addTask {
        var all: [GraphQLResult] = []
        for try await event in completions { all.append(event) }
        return ("completed", all)
      }
      group.addTask {
        var all: [GraphQLResult] = []
        for try await event in everything { all.append(event) }
        return ("everything", all)
      }
      group.addTask {
        try await Task.sleep(for: .seconds(30))
        throw LTBError(.timeout, "the subscriptions did not finish within 30 s")
      }
      var results: [String: [GraphQLResult]] = [:]
      while results.count < 3, let (name, events) = try await group.next() { results[name] = events }
      group.cancelAll()
      return results
    }
    let progressEvents = gathered["progress"] ?? []
    let completedEvents = gathered["completed"] ?? []
    let counts = progressEvents.compactMap { $0.data?["benchmarkProgress"]["completed"].int }
    #expect(
      progressEvents.allSatisfy { $0.errors.isEmpty }, "\(progressEvents.first.map { "\($0)" } ?? "none")")
    #expect(counts.last == 5, "\(counts)")
    #expect(counts == counts.sorted(), "progress only moves forward")
    #expect(progressEvents.last?.data?["benchmarkProgress"]["progressPercent"].double == 100)
    #expect(completedEvents.count == 5)
    #expect(
      Set(completedEvents.compactMap { $0.data?["testCompleted"]["testId"].string }) == [
        "c0", "c1", "c2", "c3", "c4",
      ])
    #expect(completedEvents.allSatisfy { $0.data?["testCompleted"]["status"].string == "SUCCESS" })
    // One subscription for everything: a union resolved to its member types, in order, to the end.
    let all = gathered["everything"] ?? []
    #expect(all.allSatisfy { $0.errors.isEmpty }, "\(all.first { !$0.errors.isEmpty }.map { "\($0)" } ?? "")")
    let kinds = all.compactMap { $0.data?["sessionEvents"]["__typename"].string }
    #expect(kinds.filter { $0 == "ProgressEvent" }.count == 5)
    #expect(kinds.filter { $0 == "TestCompletedEvent" }.count == 5)
    #expect(kinds.last == "BenchmarkFinishedEvent" && kinds.count == 11, "\(kinds)")
    #expect(all.last?.data?["sessionEvents"]["status"].string == "COMPLETED")
    #expect(all.last?.data?["sessionEvents"]["completed"].int == 5)
    let done = try await service.execute(
      "query($id: UUID!) { benchmark(id: $id) { status resultCounts } }", variables: ["id": .string(session)],
      context: context)
    #expect(done.data?["benchmark"]["status"].string == "COMPLETED")
    await store.close()
    await server.stop()
  }

  @Test(
    "a run started through the API grades its answers itself: grading progress, then the end, then Session.evaluation with the grading's cache counts"
  )
  func gradedByTheService() async throws {
    let api = try await FakeTargetAPI.start(
      .init(timeToFirstToken: .milliseconds(2), interTokenLatency: .milliseconds(1), outputTokens: 3),
      cases: (0..<4).map {
        #"{"id": "c\#($0)", "prompt": "Question \#($0)?", "assertions": [{"type": "latency", "threshold": 60000}]}"#
      })
    defer { Task { await api.stop() } }
    let (service, context, dataset) = (api.service, api.context, api.dataset)

    // Reasons a run cannot start are the caller's errors, with their codes.
    let unknownProvider = try await service.execute(
      "mutation($suite: String!) { createBenchmark(input: { suite: $suite }) { id } }",
      variables: [
        "suite": .string(
          #"{"name": "x", "datasets": ["\#(dataset.path)"], "targets": [{"provider": "nope"}]}"#)
      ],
      context: context)
    #expect(
      unknownProvider.errors.first?.extensions["code"]?.string == "NOT_FOUND", "\(unknownProvider.errors)")
    let unknownJudge = try await service.execute(
      "mutation($suite: String!) { createBenchmark(input: { suite: $suite }) { id } }",
      variables: [
        "suite": .string(
          #"{"name": "x", "datasets": ["\#(dataset.path)"], "targets": [{"provider": "fake"}], "judge": {"provider": "nope"}}"#
        )
      ], context: context)
    #expect(unknownJudge.errors.first?.message.contains("judge") == true, "\(unknownJudge.errors)")

    let created = try await service.execute(
      "mutation($suite: String!) { createBenchmark(input: { suite: $suite, start: false }) { id } }",
      variables: [
        "suite": .string(
          #"{"name": "graded", "datasets": ["\#(dataset.path)"], "targets": [{"provider": "fake"}]}"#)
      ], context: context)
    let session = try #require(created.data?["createBenchmark"]["id"].string, "\(created.errors)")
    let stream: AsyncThrowingStream<String, any Error>
    switch try await service.subscribeJSON(
      """
      subscription($id: UUID!) { sessionEvents(sessionId: $id) { __typename
        ... on GradingProgressEvent { graded total } ... on BenchmarkFinishedEvent { status } } }
      """, variables: ["id": .string(session)], context: context)
    {
    case .success(let events): stream = events
    case .failure(let errors): throw errors
    }
    let resumed = try await service.execute(
      "mutation($id: UUID!) { resumeBenchmark(id: $id) { id } }", variables: ["id": .string(session)],
      context: context)
    #expect(resumed.errors.isEmpty, "\(resumed.errors)")
    var kinds: [String] = []
    var grading: [Int] = []
    for try await payload in stream {
      let event = try JSONValue.parse(payload)["data"]?["sessionEvents"]
      kinds.append(event?["__typename"]?.stringValue ?? "?")
      if let graded = event?["graded"]?.intValue { grading.append(graded) }
    }
    #expect(grading.last == 4 && kinds.last == "BenchmarkFinishedEvent", "\(kinds) \(grading)")
    let firstGrading = kinds.firstIndex(of: "GradingProgressEvent") ?? kinds.count
    #expect(!kinds[firstGrading...].contains("TestCompletedEvent"), "grading comes after the run: \(kinds)")

    let query = """
      query($id: UUID!) { benchmark(id: $id) { status evaluation { cacheHits cacheMisses gradedAt
        targets { evaluated pass metrics { metric count } } } } }
      """
    let graded = try await service.execute(query, variables: ["id": .string(session)], context: context)
    let evaluation = graded.data?["benchmark"]["evaluation"]
    #expect(graded.data?["benchmark"]["status"].string == "COMPLETED")
    #expect(
      evaluation?["targets"][0]["evaluated"].int == 4 && evaluation?["targets"][0]["pass"].int == 4,
      "\(graded)")
    #expect(evaluation?["cacheHits"].int == 0 && evaluation?["cacheMisses"].int == 0, "latency is not cached")
    #expect(evaluation?["gradedAt"].string != nil)

    // Grading again through the API replaces the verdicts and the stored grading.
    let again = try await service.execute(
      "mutation($id: UUID!) { evaluateSession(id: $id, metrics: [\"ttft:60000\"]) { targets { metrics { metric } } } }",
      variables: ["id": .string(session)], context: context)
    #expect(again.errors.isEmpty, "\(again.errors)")
    let regraded = try await service.execute(query, variables: ["id": .string(session)], context: context)
    let metrics = regraded.data?["benchmark"]["evaluation"]["targets"][0]["metrics"].array ?? []
    #expect(Set(metrics.compactMap { $0["metric"].string }) == ["latency", "ttft"], "\(regraded)")
  }

  @Test(
    "cancelBenchmark stops a running session: it ends CANCELLED with part of its results; resume finishes it")
  func cancelRunning() async throws {
    let api = try await FakeTargetAPI.start(
      .init(timeToFirstToken: .milliseconds(60), interTokenLatency: .milliseconds(2), outputTokens: 3),
      cases: (0..<30).map { #"{"id": "c\#($0)", "prompt": "Q\#($0)?"}"# })
    defer { Task { await api.stop() } }
    let (service, context, dataset, store) = (api.service, api.context, api.dataset, api.store)
    let suite = #"{"name": "long", "datasets": ["\#(dataset.path)"], "targets": [{"provider": "fake"}]}"#
    let created = try await service.execute(
      "mutation($s: String!) { createBenchmark(input: { suite: $s, start: false }) { id } }",
      variables: ["s": .string(suite)], context: context)
    let session = try #require(created.data?["createBenchmark"]["id"].string, "\(created.errors)")
    let events: AsyncThrowingStream<String, any Error>
    switch try await service.subscribeJSON(
      "subscription($id: UUID!) { sessionEvents(sessionId: $id) { __typename ... on BenchmarkFinishedEvent { status completed } } }",
      variables: ["id": .string(session)], context: context)
    {
    case .success(let stream): events = stream
    case .failure(let errors): throw errors
    }
    _ = try await service.execute(
      "mutation($id: UUID!) { resumeBenchmark(id: $id) { id } }", variables: ["id": .string(session)],
      context: context)
    var cancelled = false
    var last = JSONValue.null
    for try await payload in events {
      last = try JSONValue.parse(payload)["data"]?["sessionEvents"] ?? .null
      if !cancelled, last["__typename"] == "TestCompletedEvent" {
        cancelled = true
        let stop = try await service.execute(
          "mutation($id: UUID!) { cancelBenchmark(id: $id) { id } }", variables: ["id": .string(session)],
          context: context)
        #expect(stop.errors.isEmpty, "\(stop.errors)")
      }
    }
    #expect(last["__typename"] == "BenchmarkFinishedEvent" && last["status"] == "CANCELLED", "\(last)")
    let id = try #require(UUID(uuidString: session))
    let stored = try await store.resultCounts(session: id).values.reduce(0, +)
    #expect(stored > 0 && stored < 30, "\(stored) results stored before the cancel took effect")
    #expect(try await store.session(id)?.status == .cancelled)
    try await api.services.benchmarks.start(sessionID: id)
    for _ in 0..<400 where try await store.session(id)?.status != .completed {
      try await Task.sleep(for: .milliseconds(25))
    }
    #expect(try await store.session(id)?.status == .completed)
    #expect(try await store.succeededTaskKeys(session: id).count == 30)
  }
}

/// An in-process API over a fresh SQLite store, with one provider, `fake`, pointed at a fake
/// OpenAI-compatible target, a dataset of the given JSONL lines, and an admin's context.
struct FakeTargetAPI {
  let server: LoopbackHTTPServer
  let folder: URL
  let store: SQLBenchStore
  let services: APIServices
  let service: GraphQLService
  let dataset: URL
  let context = APIContext(requestID: "test", principal: .testAdmin)

  static func start(_ options: FakeOpenAITarget.Options, cases: [String]) async throws -> FakeTargetAPI {
    let server = try await LoopbackHTTPServer.start(handler: FakeOpenAITarget.handler(options))
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ltb-api-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let store = try await SQLBenchStore.open(.sqlite(path: folder.appendingPathComponent("api.sqlite").path))
    let dataset = folder.appendingPathComponent("cases.jsonl")
    try Data(cases.joined(separator: "\n").utf8).write(to: dataset)
    let settings = ProviderSettings(
      name: "fake", kind: .openaiCompatible, baseURL: server.baseURL + "/v1", maxRetries: 0,
      defaultModel: "fake-model")
    var configuration = try ConfigLoader().load()
    configuration.features = .all
    let services = try await APIServices.build(
      store: store, configuration: configuration, providers: [settings], version: "test")
    try await store.createUser(
      UserRecord(
        id: Principal.testAdmin.userID, username: "test-admin", email: "admin@example.org", passwordHash: "",
        role: .admin))
    return FakeTargetAPI(
      server: server, folder: folder, store: store, services: services,
      service: try GraphQLService(resolvers: services.resolvers), dataset: dataset)
  }

  func stop() async {
    await services.providers.shutdown()
    await store.close()
    await server.stop()
    try? FileManager.default.removeItem(at: folder)
  }
}
