import Foundation
import GraphQL
import LTBAuth
import LTBCore
import LTBStorage
import Testing

@testable import LTBAPI

/// The compiled query executor against GraphQLSwift's: the same documents, run both ways over
/// the same store, give the same data, and the same errors at the same paths with the same codes.
@Suite("Query plans", .serialized)
struct QueryPlanTests {
  /// A query, its variables, and whether the plan must cover it.
  struct Case {
    let query: String
    var variables: [String: Map] = [:]
    var operationName: String?
    var planned = true
  }

  static func cases(_ ids: [UUID], result: UUID) -> [Case] {
    let session = Map.string(ids[0].uuidString)
    var cases = [
      Case(
        query: """
          { benchmarks(first: 2) { edges { cursor node { id name description status stopReason totalTasks tags
            createdAt startedAt completedAt suite resultCounts
            summary { provider model requests succeeded endToEnd { count mean p50 p99 max } timeToFirstToken { p50 }
              requestThroughput outputTokenThroughput inputTokens outputTokens costUsd }
            evaluation { targets { provider evaluated pass fail metrics { metric mean low high passRate }
              classifications { metric labels matrix count accuracy macroF1 } } cacheHits } } }
            pageInfo { hasNextPage endCursor } } }
          """),
      Case(query: "{ benchmarks { edges { node { name } } } }"),
      Case(
        query:
          "query Q($id: UUID!) { benchmark(id: $id) { ...S } } fragment S on Session { id name ... on Session { status } }",
        variables: ["id": session]),
      Case(
        query: "{ a: health { status } b: health { version status } health { status } health { database } }"),
      Case(query: "{ __typename health { __typename status } }"),
      Case(
        query:
          "query($id: UUID!) { node(id: $id) { __typename id ... on Session { name tags } ... on Result { testId response } } }",
        variables: ["id": session]),
      Case(
        query:
          "query($id: UUID!) { node(id: $id) { __typename id ... on Session { name } ... on Result { testId } } }",
        variables: ["id": .string(result.uuidString)]),
      Case(
        query: "query($id: UUID!) { node(id: $id) { id } }", variables: ["id": .string(UUID().uuidString)]),
      Case(
        query: """
          query($f: ResultFilter, $first: Int) { results(filter: $f, first: $first) { edges { cursor node { id sessionId
            testId dataset providerName provider { name kind } model status errorCode error prompt response createdAt
            ttftMs e2eMs tpotMs inputTokens outputTokens costUsd cacheHit attempts tags category scores
            mediaInputs { kind source location format sizeBytes sha256 width height durationSeconds sampleRate channels }
            evaluations { metric state score value passed threshold explanation judgeModel judgeCostUsd } } }
            pageInfo { hasNextPage endCursor } } }
          """,
        variables: ["f": ["sessionId": session, "statuses": ["SUCCESS", "FAILURE"]], "first": 5]),
      Case(
        query: "query($f: ResultFilter) { results(filter: $f) { edges { node { testId status } } } }",
        variables: ["f": ["statuses": "FAILURE"]]),
      // Verdicts from their columns (the plan knows nothing else is asked for).
      Case(
        query:
          "query($f: ResultFilter) { results(filter: $f) { edges { node { id evaluations { metric state score passed } } } } }",
        variables: ["f": ["sessionId": session]]),
      Case(
        query:
          #"{ results(filter: {statuses: [SUCCESS]}, order: TTFT, descending: false) { edges { node { testId } } } }"#
      ),
      Case(
        query: "query($s: UUID!) { metrics(sessionId: $s) { provider requests endToEnd { p50 } } }",
        variables: ["s": session]),
      Case(
        query:
          "query($a: UUID!, $b: UUID!) { compare(baseline: $a, candidate: $b) { labelA labelB pairedCases metrics { name } flaky } }",
        variables: ["a": session, "b": .string(ids[1].uuidString)]),
      Case(query: "{ providers { name kind capabilities { streaming maxContextLength } models { id } } }"),
      Case(
        query: "query A { health { status } } query B { providers { name } }", operationName: "B"),
      // Errors: a resolver's (not found, on a non-null field: data null), a bad literal, variables.
      Case(query: #"{ exportResults(sessionId: "01a22681-7988-773d-9672-55965d072966") }"#),
      Case(query: #"{ benchmark(id: "not-a-uuid") { id } }"#, planned: false),
      Case(query: "query($id: UUID!) { benchmark(id: $id) { id } }"),
      Case(query: "query($id: UUID!) { benchmark(id: $id) { id } }", variables: ["id": .string("nope")]),
      Case(query: "query($n: Int) { benchmarks(first: $n) { edges { cursor } } }", variables: ["n": "ten"]),
      Case(
        query: "query($f: ResultFilter) { results(filter: $f) { edges { cursor } } }",
        variables: ["f": ["colour": "red"]]),
      // Not covered by plans: they run through GraphQLSwift, with the same answers.
      Case(
        query: "query($x: Boolean!) { health { status @include(if: $x) version } }", variables: ["x": false],
        planned: false),
      Case(query: "{ __schema { queryType { name } } }", planned: false),
      // A subscription sent as a request is not run as a query (GraphQLSwift answers it).
      Case(query: "subscription { alerts { message } }", planned: true),
    ]
    for route in restRoutes where route.operation == "query" {
      var variables: [String: Map] = [:]
      for argument in route.arguments {
        switch argument.name {
        case "id", "sessionId", "baseline": variables[argument.name] = session
        case "candidate": variables[argument.name] = .string(ids[1].uuidString)
        case "name": variables[argument.name] = "local"
        default: continue
        }
      }
      cases.append(Case(query: route.document, variables: variables))
    }
    return cases
  }

  @Test("every case gives the same data and errors by plan as through GraphQLSwift")
  func sameAnswers() async throws {
    try await GraphQLAPITests.withAPI { service, store, ids in
      let result = try #require(try await store.results(ResultQuery(sessionID: ids[0], limit: 1)).items.first)
      for item in Self.cases(ids, result: result.id) {
        #expect(
          service.hasPlan(item.query, operationName: item.operationName) == item.planned,
          "plan coverage: \(item.query)")
        let context = APIContext(requestID: "plan", principal: .testAdmin)
        let planned = try JSONValue.parse(
          try await service.respond(
            item.query, variables: item.variables, operationName: item.operationName, context: context
          ).json)
        let reference = try await service.execute(
          item.query, variables: item.variables, operationName: item.operationName,
          context: APIContext(requestID: "swift", principal: .testAdmin))
        let expected = try JSONValue.parse(
          String(decoding: try GraphQLJSONEncoder().encode(reference), as: UTF8.self))
        // When a non-null root field fails, the plan answers `"data": null` as the specification
        // asks; GraphQLSwift leaves `data` out.
        let executionFailed = (expected["errors"]?.arrayValue ?? []).contains {
          ($0["path"]?.arrayValue ?? []).count > 0
        }
        let expectedData: JSONValue? =
          expected["data"] ?? (executionFailed ? JSONValue.null : Optional<JSONValue>.none)
        #expect(planned["data"] == expectedData, "data of \(item.query)")
        let errors = planned["errors"]?.arrayValue ?? []
        let expectedErrors = expected["errors"]?.arrayValue ?? []
        #expect(
          errors.count == expectedErrors.count, "errors of \(item.query): \(errors) vs \(expectedErrors)")
        for (error, other) in zip(errors, expectedErrors) {
          #expect(error["path"] == other["path"], "\(item.query)")
          #expect(
            error["extensions"]?["code"] == other["extensions"]?["code"],
            "\(item.query): \(error) vs \(other)")
          if error["extensions"]?["code"] != "BAD_USER_INPUT" {
            #expect(error["message"] == other["message"], "\(item.query)")
          }
        }
      }
    }
  }

  @Test("a stored leaf its type cannot represent is null, with graphql-js's error at its path")
  func unrepresentableLeaf() async throws {
    try await GraphQLAPITests.withAPI { service, store, ids in
      // 3,000,000,000 output tokens: more than GraphQL's 32-bit Int holds.
      try await store.insertResults([
        BenchmarkResult(
          sessionID: ids[2], taskKey: "big", testID: "big", dataset: "d", provider: "local", model: "m",
          status: .success, prompt: "p", response: "r",
          usage: Usage(inputTokens: 1, outputTokens: 3_000_000_000))
      ])
      let query = """
        query($f: ResultFilter) { results(filter: $f) { edges { node { testId inputTokens outputTokens tags } } } }
        """
      let variables: [String: Map] = ["f": ["sessionId": .string(ids[2].uuidString)]]
      let planned = try JSONValue.parse(
        try await service.respond(
          query, variables: variables, context: APIContext(requestID: "big", principal: .testAdmin)
        ).json)
      let reference = try JSONValue.parse(
        String(
          decoding: try GraphQLJSONEncoder().encode(
            try await service.execute(
              query, variables: variables, context: APIContext(requestID: "swift", principal: .testAdmin))),
          as: UTF8.self))
      let node = planned["data"]?["results"]?["edges"]?.arrayValue?.first?["node"]
      #expect(node == ["testId": "big", "inputTokens": 1, "outputTokens": .null, "tags": []])
      #expect(planned["data"] == reference["data"])
      let error = try #require(planned["errors"]?.arrayValue?.first)
      #expect(error["message"] == "Int cannot represent non 32-bit signed integer value: 3000000000")
      #expect(error["path"] == ["results", "edges", 0, "node", "outputTokens"])
      // GraphQLSwift reports it too, without the path and with graphql-js's older wording.
      #expect(reference["errors"]?.arrayValue?.count == 1)
    }
  }

  @Test("a field error nulls the nearest nullable field; a non-null root failure nulls data")
  func nullPropagation() async throws {
    try await GraphQLAPITests.withAPI { service, _, _ in
      let missing = try JSONValue.parse(
        try await service.respond(
          #"{ health { status } exportResults(sessionId: "01a22681-7988-773d-9672-55965d072966") }"#,
          context: APIContext(requestID: "null", principal: .testAdmin)
        ).json)
      #expect(missing["data"] == .null, "exportResults is String!: its failure nulls the whole data")
      #expect(missing["errors"]?.arrayValue?.first?["path"] == ["exportResults"])
      #expect(missing["errors"]?.arrayValue?.first?["locations"]?.arrayValue?.isEmpty == false)
    }
  }
}
