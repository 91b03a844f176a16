import Foundation
import GraphQL
import LTBAuth
import LTBConfig
import LTBCore
import LTBEngine
import LTBEvaluation
import LTBProviders
import LTBStorage
import Testing

@testable import LTBAPI

/// The GraphQL API executed in-process against a real SQLite file: every read query, the
/// evaluate mutation, connections and cursors, scalars, error codes, the document cache, and
/// the REST shim's documents.
@Suite("GraphQL API", .serialized)
struct GraphQLAPITests {
  /// A service over a fresh store holding three sessions; the first has results and verdicts.
  static func withAPI<T>(
    limits: QueryLimits = QueryLimits(), _ body: (GraphQLService, SQLBenchStore, [UUID]) async throws -> T
  ) async throws -> T {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent(
      "ltb-api-\(UUID().uuidString).sqlite"
    ).path
    let store = try await SQLBenchStore.open(.sqlite(path: path))
    defer {
      for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }
    var ids: [UUID] = []
    for index in 0..<3 {
      let suite = BenchmarkSuite(
        name: "suite-\(index)", datasets: [], targets: [BenchmarkTarget(provider: "local", model: "m")])
      let session = BenchmarkSession(
        name: "suite-\(index)", status: .completed, suite: suite, tags: ["t\(index)"],
        createdAt: Date(timeIntervalSince1970: 1_800_000_000 + Double(index)), totalTasks: 2)
      try await store.createSession(session)
      ids.append(session.id)
    }
    var results = (0..<2).map { index in
      BenchmarkResult(
        sessionID: ids[0], taskKey: "k\(index)", testID: "case-\(index)", dataset: "d", provider: "local",
        model: "m",
        status: index == 0 ? .success : .failure, error: index == 0 ? nil : "boom",
        prompt: "Capital of France?",
        response: index == 0 ? "Paris" : nil,
        timing: RequestTiming(
          contentEventOffsetsNanos: [10_000_000, 30_000_000], endOffsetNanos: 30_000_000),
        usage: Usage(inputTokens: 5, outputTokens: 2), cost: Cost(input: 0.001, output: 0.002))
    }
    results[0].cost = Cost(
      input: 0.0001, output: 0.002, image: 0.0005, audio: 0,
      media: MediaUsage(imageTokens: 500, audioTokens: 0, estimated: true))
    results[0].mediaInputs = [
      MediaInput(
        kind: .image, source: .file, location: "receipts/r1.png", format: "png", sizeBytes: 2_048,
        sha256: String(repeating: "0f", count: 32), width: 640, height: 480,
        downscaledFrom: MediaInput.Original(format: "png", width: 2_560, height: 1_920, sizeBytes: 9_000_000)),
      MediaInput(kind: .image, source: .url, location: "https://example.com/r2.jpg"),
    ]
    try await store.insertResults(results)
    try await store.saveEvaluations(
      [
        EvaluationRecord(
          resultID: results[0].id, sessionID: ids[0], testID: "case-0", metric: "icontains",
          evaluator: "deterministic",
          evaluatorVersion: 1, state: .scored, score: 1, passed: true, explanation: "found")
      ], cases: [])
    var configuration = try ConfigLoader().load()
    configuration.features = .all
    let services = try await APIServices.build(
      store: store, configuration: configuration, providers: [], version: "test")
    let service = try GraphQLService(resolvers: services.resolvers, limits: limits)
    do {
      let value = try await body(service, store, ids)
      await store.close()
      return value
    } catch {
      await store.close()
      throw error
    }
  }

  static func run(_ service: GraphQLService, _ query: String, _ variables: [String: Map] = [:]) async throws
    -> JSONValue
  {
    let response = try await service.respond(
      query, variables: variables, context: APIContext(requestID: "test", principal: .testAdmin))
    return try JSONValue.parse(response.json)
  }

  @Test("every stored part the schema names (@stored) is one the result listing reads, and the reverse")
  func storedParts() {
    #expect(
      Set(APIWiring.storedParts.keys)
        == Set(ResultListing.rowParts.keys).union([ResultListing.verdictDetailPart]))
    #expect(APIWiring.storedParts["text"]?.contains("Result.prompt") == true)
    #expect(APIWiring.storedParts["details"]?.contains("Evaluation.explanation") == true)
  }

  @Test("arguments decode the same from the cache and without it; only small ones are kept")
  func argumentCache() throws {
    let cache = ArgumentCache()
    let small: Map = ["filter": ["model": "m", "tags": ["a", "b"]], "first": 10]
    let first = try cache.decode(QueryResultsArguments.self, small)
    let again = try cache.decode(QueryResultsArguments.self, small)
    #expect(first == again && first.first == 10 && first.filter?.tags == ["a", "b"])
    #expect(ArgumentCache.isSmall(small))
    let long: Map = ["filter": ["text": .string(String(repeating: "x", count: 3_000))]]
    #expect(!ArgumentCache.isSmall(long))
    #expect(
      !ArgumentCache.isSmall(["filter": ["tags": .array((0..<100).map { .string("t\($0)") })]]))
    #expect(try cache.decode(QueryResultsArguments.self, long).filter?.text?.count == 3_000)
    // The same map decoded as another type is decoded as that type: here it lacks `id`.
    #expect(throws: (any Error).self) { try cache.decode(QueryResultArguments.self, small) }
  }

  @Test("health, providers and the schema's scalars")
  func health() async throws {
    try await Self.withAPI { service, _, _ in
      let json = try await Self.run(service, "{ health { status version database } providers { name } }")
      #expect(json["data"]?["health"]?["status"] == "ok")
      #expect(json["data"]?["health"]?["version"] == "test")
      #expect(json["data"]?["health"]?["database"]?.stringValue?.hasPrefix("sqlite:") == true)
      #expect(json["data"]?["providers"] == [])
    }
  }

  @Test("sessions page with cursors; a session's fields, dates, ids, enums, JSON and computed fields")
  func sessions() async throws {
    try await Self.withAPI { service, _, ids in
      let first = try await Self.run(
        service,
        "{ benchmarks(first: 2) { edges { cursor node { id name } } pageInfo { hasNextPage endCursor } } }")
      let edges = first["data"]?["benchmarks"]?["edges"]?.arrayValue ?? []
      #expect(edges.compactMap { $0["node"]?["name"]?.stringValue } == ["suite-2", "suite-1"])
      #expect(first["data"]?["benchmarks"]?["pageInfo"]?["hasNextPage"] == true)
      let cursor = try #require(first["data"]?["benchmarks"]?["pageInfo"]?["endCursor"]?.stringValue)
      #expect(edges.last?["cursor"]?.stringValue == cursor)
      let second = try await Self.run(
        service,
        "query($after: String) { benchmarks(first: 2, after: $after) { edges { node { name } } pageInfo { hasNextPage } } }",
        ["after": .string(cursor)])
      #expect(
        second["data"]?["benchmarks"]?["edges"]?.arrayValue?.compactMap { $0["node"]?["name"]?.stringValue }
          == ["suite-0"])
      #expect(second["data"]?["benchmarks"]?["pageInfo"]?["hasNextPage"] == false)
      let one = try await Self.run(
        service,
        "query($id: UUID!) { benchmark(id: $id) { id status createdAt tags suite resultCounts summary { provider requests succeeded endToEnd { p50 } costUsd } evaluation { targets { evaluated } } } }",
        ["id": .string(ids[0].uuidString)])
      let session = try #require(one["data"]?["benchmark"])
      #expect(session["id"]?.stringValue == ids[0].uuidString.lowercased())
      #expect(session["status"] == "COMPLETED")
      #expect(session["createdAt"]?.stringValue?.hasPrefix("2027-01-15T08:00:00") == true)
      #expect(session["tags"] == ["t0"])
      #expect(session["suite"]?["name"] == "suite-0")
      #expect(session["resultCounts"] == ["SUCCESS": 1, "FAILURE": 1])
      #expect(session["summary"]?.arrayValue?.first?["requests"] == 2)
      #expect(session["summary"]?.arrayValue?.first?["endToEnd"]?["p50"] == 30)
      #expect(session["evaluation"] == nil || session["evaluation"] == .null, "no case verdicts stored")
    }
  }

  @Test("results with filters, nested verdicts; export")
  func results() async throws {
    try await Self.withAPI { service, _, ids in
      let json = try await Self.run(
        service,
        "query($s: UUID!) { results(filter: { sessionId: $s, statuses: [SUCCESS] }) { edges { node { testId status response ttftMs e2eMs costUsd scores provider { name } evaluations { metric state score passed explanation } } } } }",
        ["s": .string(ids[0].uuidString)])
      let nodes = json["data"]?["results"]?["edges"]?.arrayValue?.compactMap { $0["node"] } ?? []
      #expect(nodes.count == 1, "\(json)")
      #expect(nodes.first?["status"] == "SUCCESS")
      #expect(nodes.first?["ttftMs"] == 10)
      #expect(nodes.first?["scores"] == ["icontains": 1])
      #expect(nodes.first?["provider"] == .null)
      #expect(nodes.first?["evaluations"]?.arrayValue?.first?["state"] == "SCORED")
      // What the request carried of images, read only when asked for (its own stored part).
      let media = try await Self.run(
        service,
        "query($s: UUID!) { results(filter: { sessionId: $s }) { edges { node { testId mediaInputs { kind source location format sizeBytes sha256 width height durationSeconds downscaledFrom { format width height sizeBytes } } } } } }",
        ["s": .string(ids[0].uuidString)])
      let carried = Dictionary(
        uniqueKeysWithValues: (media["data"]?["results"]?["edges"]?.arrayValue ?? []).compactMap { edge in
          edge["node"]?["testId"]?.stringValue.map { ($0, edge["node"]?["mediaInputs"] ?? .null) }
        })
      #expect(
        carried["case-0"] == [
          [
            "kind": "IMAGE", "source": "file", "location": "receipts/r1.png", "format": "png",
            "sizeBytes": 2_048,
            "sha256": .string(String(repeating: "0f", count: 32)), "width": 640, "height": 480,
            "durationSeconds": .null,
            "downscaledFrom": ["format": "png", "width": 2_560, "height": 1_920, "sizeBytes": 9_000_000],
          ],
          [
            "kind": "IMAGE", "source": "url", "location": "https://example.com/r2.jpg", "format": .null,
            "sizeBytes": .null, "sha256": .null, "width": .null, "height": .null, "durationSeconds": .null,
            "downscaledFrom": .null,
          ],
        ], "\(media)")
      #expect(carried["case-1"] == [])
      let costs = try await Self.run(
        service,
        "query($s: UUID!) { results(filter: { sessionId: $s }) { edges { node { testId costUsd costBreakdown { inputUsd cachedInputUsd outputUsd imageUsd audioUsd totalUsd imageTokens audioTokens audioSeconds mediaEstimated } } } } }",
        ["s": .string(ids[0].uuidString)])
      let breakdowns = Dictionary(
        uniqueKeysWithValues: (costs["data"]?["results"]?["edges"]?.arrayValue ?? []).compactMap { edge in
          edge["node"]?["testId"]?.stringValue.map { ($0, edge["node"]?["costBreakdown"] ?? .null) }
        })
      #expect(
        breakdowns["case-0"] == [
          "inputUsd": 0.0001, "cachedInputUsd": 0, "outputUsd": 0.002, "imageUsd": 0.0005, "audioUsd": 0,
          "totalUsd": .double(0.0001 + 0.002 + 0.0005), "imageTokens": 500, "audioTokens": 0,
          "audioSeconds": .null, "mediaEstimated": true,
        ], "\(costs)")
      #expect(breakdowns["case-1"]?["imageTokens"] == .null && breakdowns["case-1"]?["totalUsd"] == 0.003)
      let export = try await Self.run(
        service, "query($s: UUID!) { exportResults(sessionId: $s, format: JSONL) }",
        ["s": .string(ids[0].uuidString)])
      #expect(export["data"]?["exportResults"]?.stringValue?.split(separator: "\n").count == 2)
    }
  }

  @Test("evaluate scores one answer with the given assertions")
  func evaluate() async throws {
    try await Self.withAPI { service, _, _ in
      let json = try await Self.run(
        service,
        #"mutation { evaluate(input: { prompt: "Capital?", response: "It is Paris.", expected: "Paris", assertions: [{type: "icontains", value: "paris"}, {type: "rouge-l", threshold: 0.2}] }) { verdict score evaluations { metric passed value } } }"#
      )
      let result = try #require(json["data"]?["evaluate"])
      #expect(result["verdict"] == "PASS")
      #expect(result["evaluations"]?.arrayValue?.count == 2)
      #expect(result["evaluations"]?.arrayValue?.last?["metric"] == "rouge-l")
    }
  }

  @Test("errors carry a code (and the fix): parse, validation, bad input, not found")
  func errors() async throws {
    try await Self.withAPI { service, _, _ in
      let parse = try await Self.run(service, "{ health { status ")
      #expect(parse["errors"]?.arrayValue?.first?["extensions"]?["code"] == "GRAPHQL_PARSE_FAILED")
      let unknown = try await Self.run(service, "{ health { nope } }")
      #expect(unknown["errors"]?.arrayValue?.first?["extensions"]?["code"] == "GRAPHQL_VALIDATION_FAILED")
      let badID = try await Self.run(service, #"{ benchmark(id: "not-a-uuid") { id } }"#)
      #expect(badID["errors"] != nil && badID["errors"] != .null)
      let missing = try await Self.run(
        service, #"{ exportResults(sessionId: "01a22681-7988-773d-9672-55965d072966") }"#)
      let error = try #require(missing["errors"]?.arrayValue?.first)
      #expect(error["extensions"]?["code"] == "NOT_FOUND")
      #expect(error["extensions"]?["fix"]?.stringValue?.isEmpty == false)
      #expect(error["path"] == ["exportResults"])
      let badAssertion = try await Self.run(
        service,
        #"mutation { evaluate(input: { prompt: "p", response: "r", assertions: [{type: "contians"}] }) { verdict } }"#
      )
      #expect(badAssertion["errors"]?.arrayValue?.first?["extensions"]?["code"] == "INVALID_INPUT")
      #expect(
        badAssertion["errors"]?.arrayValue?.first?["message"]?.stringValue?.contains("contians") == true)
    }
  }

  @Test("depth, complexity, introspection and time limits each answer with their own code")
  func limits() async throws {
    let limits = QueryLimits(maxDepth: 3, maxComplexity: 50, introspection: false)
    try await Self.withAPI(limits: limits) { service, _, _ in
      let fine = try await Self.run(service, "{ health { status } }")
      #expect(fine["data"]?["health"]?["status"] == "ok")
      let deep = try await Self.run(service, "{ benchmarks(first: 1) { edges { node { id } } } }")
      #expect(deep["errors"]?.arrayValue?.first?["extensions"]?["code"] == "QUERY_TOO_DEEP")
      #expect(deep["errors"]?.arrayValue?.first?["message"]?.stringValue?.contains("4 levels deep") == true)
      let aliases = (0..<60).map { "h\($0): health { status }" }.joined(separator: " ")
      let wide = try await Self.run(service, "{ \(aliases) }")
      #expect(wide["errors"]?.arrayValue?.first?["extensions"]?["code"] == "QUERY_TOO_COMPLEX")
      let fragments = try await Self.run(
        service, "query { ...A } fragment A on Query { benchmarks(first: 1) { edges { node { id } } } }")
      #expect(
        fragments["errors"]?.arrayValue?.first?["extensions"]?["code"] == "QUERY_TOO_DEEP", "fragments count")
      let introspection = try await Self.run(service, "{ __schema { queryType { name } } }")
      #expect(introspection["errors"]?.arrayValue?.first?["extensions"]?["code"] == "INTROSPECTION_DISABLED")
    }
    let late = try await GraphQLService.within(.milliseconds(50)) {
      try await Task.sleep(for: .seconds(2))
      return GraphQLResult(data: ["late": true])
    }
    #expect(late == nil, "the slow operation was cut off")
    // A planned query checks its deadline as it goes: with no time at all it answers TIMEOUT.
    try await Self.withAPI(limits: QueryLimits(timeout: .zero)) { service, _, _ in
      let json = try await Self.run(service, "{ health { status } }")
      #expect(json["errors"]?.arrayValue?.first?["extensions"]?["code"] == "TIMEOUT")
      #expect(json["data"] == nil)
    }
    #expect(GraphQLService.timedOut(.milliseconds(50)).errors.first?.extensions["code"] == "TIMEOUT")
    let early = try await GraphQLService.within(.seconds(2)) { GraphQLResult(data: ["early": true]) }
    #expect(early?.errors.isEmpty == true && early?.data?["early"] == true)
  }

  @Test("the standard introspection query passes the default limits; hostile introspection shapes do not")
  func standardIntrospection() async throws {
    try await Self.withAPI(limits: QueryLimits()) { service, _, _ in
      let answer = try await Self.run(service, IntrospectionQuery.standard)
      #expect(answer["errors"] == nil, "\(answer["errors"] ?? .null)")
      let types = answer["data"]?["__schema"]?["types"]?.arrayValue ?? []
      #expect(types.contains { $0["name"] == "Session" } && types.contains { $0["name"] == "ProviderInput" })
      // Lists of schema elements nested past types { fields { args } } multiply the answer.
      let nested = try await Self.run(
        service, "{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }")
      #expect(nested["errors"]?.arrayValue?.first?["extensions"]?["code"] == "QUERY_TOO_COMPLEX", "\(nested)")
      let chain =
        "{ __type(name: \"Session\") { " + String(repeating: "ofType { ", count: 30) + "name"
        + String(repeating: " }", count: 30) + " } }"
      let deep = try await Self.run(service, chain)
      #expect(deep["errors"]?.arrayValue?.first?["extensions"]?["code"] == "QUERY_TOO_DEEP", "\(deep)")
    }
  }

  @Test("a document nesting brackets past the parser's bound is refused before parsing, strings aside")
  func documentNesting() async throws {
    #expect(QueryLimits.nestingBeyond(3, in: "{ a { b { c } } }") == nil)
    #expect(QueryLimits.nestingBeyond(2, in: "{ a { b { c } } }") == 3)
    // Brackets inside strings, block strings (with an escaped delimiter) and comments do not count.
    #expect(QueryLimits.nestingBeyond(2, in: #"{ a(s: "{{{{", t: """ {{{ \""" {{ """) # {{{{"#) == nil)
    #expect(QueryLimits.nestingBeyond(2, in: #"{ a(s: "\"{{{") }"#) == nil, "an escaped quote ends no string")
    #expect(QueryLimits.nestingBeyond(2, in: #"{ a(s: "x") { b { c } } }"#) == 3)
    try await Self.withAPI(limits: QueryLimits()) { service, _, _ in
      let hostile = String(repeating: "{a", count: 100_000) + String(repeating: "}", count: 100_000)
      let answer = try await Self.run(service, hostile)
      #expect(answer["errors"]?.arrayValue?.first?["extensions"]?["code"] == "QUERY_TOO_DEEP")
      #expect(answer["errors"]?.arrayValue?.first?["message"]?.stringValue?.contains("256") == true)
      let list =
        "{ results(filter: { tags: " + String(repeating: "[", count: 5_000)
        + "] }) { pageInfo { hasNextPage } } }"
      let listAnswer = try await Self.run(service, list)
      #expect(listAnswer["errors"]?.arrayValue?.first?["extensions"]?["code"] == "QUERY_TOO_DEEP")
    }
  }

  @Test("every REST route's document is valid against the schema, and documents are parsed once")
  func restDocumentsAndCache() async throws {
    try await Self.withAPI { service, _, _ in
      #expect(restRoutes.count == 47)
      for route in restRoutes {
        let document = try parse(source: Source(body: route.document))
        #expect(validate(schema: service.schema, ast: document).isEmpty, "\(route.path): \(route.document)")
      }
      let query = "{ health { status } }"
      _ = try await Self.run(service, query)
      _ = try await Self.run(service, query)
      _ = try await Self.run(service, "{ providers { name } }")
      #expect(service.cachedDocuments == 2, "the repeated query was parsed once")
      let printed = printSchema(schema: service.schema)
      #expect(printed == printSchema(schema: try buildSchema(source: schemaSDL)))
    }
  }

  @Test("a page of 50 results with nested provider, scores and evaluations costs two round trips")
  func batchedLoading() async throws {
    try await Self.withAPI { service, store, ids in
      let results = (0..<60).map { index in
        BenchmarkResult(
          sessionID: ids[1], taskKey: "b\(index)", testID: "batch-\(index)", dataset: "d", provider: "local",
          model: "m", status: .success, prompt: "p\(index)", response: "r\(index)",
          timing: RequestTiming(contentEventOffsetsNanos: [1_000_000], endOffsetNanos: 2_000_000))
      }
      try await store.insertResults(results)
      let records = results.flatMap { result in
        ["exact", "bleu"].map { metric in
          EvaluationRecord(
            resultID: result.id, sessionID: ids[1], testID: result.testID, metric: metric,
            evaluator: "deterministic", evaluatorVersion: 1, state: .scored, score: 0.5, passed: true,
            explanation: metric)
        }
      }
      try await store.saveEvaluations(records, cases: [])
      let before = store.operationCount
      let json = try await Self.run(
        service,
        "query($s: UUID) { results(filter: {sessionId: $s}, first: 50) { edges { node { testId scores provider { name } evaluations { metric score } } } } }",
        ["s": .string(ids[1].uuidString)])
      let edges = try #require(json["data"]?["results"]?["edges"]?.arrayValue)
      #expect(edges.count == 50)
      #expect(
        edges.allSatisfy { edge in
          edge["node"]?["evaluations"]?.arrayValue?.compactMap { $0["metric"]?.stringValue } == [
            "bleu", "exact",
          ]
        })
      #expect(store.operationCount - before == 2, "one for the page, one for every result's evaluations")
    }
  }

  @Test("node(id:) resolves the interface to a Session or a Result; an unknown id is null")
  func nodeInterface() async throws {
    try await Self.withAPI { service, store, ids in
      let query =
        "query($id: UUID!) { node(id: $id) { __typename id ... on Session { name } ... on Result { testId response } } }"
      let session = try await Self.run(service, query, ["id": .string(ids[0].uuidString)])
      #expect(session["data"]?["node"]?["__typename"] == "Session", "\(session)")
      #expect(session["data"]?["node"]?["name"] == "suite-0")
      let result = try #require(try await store.results(ResultQuery(sessionID: ids[0], limit: 1)).items.first)
      let found = try await Self.run(service, query, ["id": .string(result.id.uuidString)])
      #expect(found["data"]?["node"]?["__typename"] == "Result", "\(found)")
      #expect(found["data"]?["node"]?["id"]?.stringValue == result.id.uuidString.lowercased())
      #expect(found["data"]?["node"]?["testId"]?.stringValue == result.testID)
      let missing = try await Self.run(service, query, ["id": .string(UUID().uuidString)])
      #expect(missing["data"]?["node"] == .null)
      #expect(missing["errors"] == nil)
    }
  }
}

extension Principal {
  /// An admin for in-process tests, which call the executor without a server in front.
  static let testAdmin = Principal(
    userID: UUID(), username: "test-admin", role: .admin, credential: .apiKey(id: "testtest"))
}
