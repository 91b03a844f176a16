import Foundation
import Hummingbird
import HummingbirdTesting
import LTBAPI
import LTBConfig
import LTBCore
import LTBEngine
import LTBEvaluation
import LTBObservability
import LTBProviders
import LTBServer
import LTBStorage
import Testing

/// The HTTP gateway in-process (Hummingbird's router test client) over a real SQLite file:
/// GraphQL over POST and GET, the REST shim's routes and status codes, the body limit, health
/// and readiness.
@Suite("HTTP gateway", .serialized)
struct ServerTests {
  static func withServer(_ body: @Sendable (any TestClientProtocol, UUID) async throws -> Void) async throws {
    try await withGateway { client, id, _ in try await body(client, id) }
  }

  static func withGateway(_ body: @Sendable (any TestClientProtocol, UUID, Gateway) async throws -> Void)
    async throws
  {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent(
      "ltb-http-\(UUID().uuidString).sqlite"
    ).path
    let store = try await SQLBenchStore.open(.sqlite(path: path))
    defer {
      for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }
    let suite = BenchmarkSuite(name: "http", datasets: [], targets: [BenchmarkTarget(provider: "local")])
    let session = BenchmarkSession(name: "http", status: .completed, suite: suite, totalTasks: 1)
    try await store.createSession(session)
    try await store.insertResults([
      BenchmarkResult(
        sessionID: session.id, taskKey: "k", testID: "q1", dataset: "d", provider: "local", model: "m",
        status: .success, prompt: "Capital of France?", response: "Paris")
    ])
    var configuration = try ConfigLoader().load()
    configuration.features = .all
    let services = try await APIServices.build(
      store: store, configuration: configuration, providers: [], version: "test",
      auth: try await SignedIn.service(store))
    let admin = try await SignedIn.user(try #require(services.auth), "admin", role: .admin)
    let gateway = try Gateway(services: services, limits: .init(maxBodyBytes: 4_096))
    let application = buildApplication(gateway)
    do {
      try await application.test(.router) { client in
        try await body(AuthorizedClient(base: client, token: admin.token), session.id, gateway)
      }
      await store.close()
    } catch {
      await store.close()
      throw error
    }
  }

  /// The response body as JSON (`null` when it is not JSON, which the expectations then catch).
  static func json(_ response: TestResponse) -> JSONValue {
    (try? JSONValue.parse(String(buffer: response.body))) ?? .null
  }

  static let jsonHeaders: HTTPFields = [.contentType: "application/json"]

  @Test("health and readiness")
  func health() async throws {
    try await Self.withServer { client, _ in
      try await client.execute(uri: "/health", method: .get) { response in
        #expect(response.status == .ok)
        #expect(Self.json(response)["status"] == "ok")
      }
      try await client.execute(uri: "/api/v1/openapi.json", method: .get) { response in
        #expect(response.status == .ok)
        #expect(Self.json(response)["openapi"] == "3.1.0")
        #expect(Self.json(response)["paths"]?["/api/v1/benchmarks/{id}"]?["get"] != nil)
      }
      try await client.execute(uri: "/ready", method: .get) { response in
        #expect(response.status == .ok)
        #expect(Self.json(response)["status"] == "ready")
      }
    }
  }

  @Test("GraphQL over POST and GET; mutations only over POST; bad requests are 400")
  func graphQLOverHTTP() async throws {
    try await Self.withServer { client, session in
      let query =
        #"{"query": "query($id: UUID!) { benchmark(id: $id) { name status } }", "variables": {"id": "\#(session.uuidString)"}}"#
      try await client.execute(
        uri: "/graphql", method: .post, headers: Self.jsonHeaders, body: ByteBuffer(string: query)
      ) {
        response in
        #expect(response.status == .ok)
        #expect(response.headers[.contentType] == "application/json")
        let json = Self.json(response)
        #expect(json["data"]?["benchmark"]?["name"] == "http")
        #expect(json["data"]?["benchmark"]?["status"] == "COMPLETED")
      }
      let encoded = "{health{status}}".addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
      try await client.execute(uri: "/graphql?query=\(encoded)", method: .get) { response in
        #expect(response.status == .ok)
        #expect(Self.json(response)["data"]?["health"]?["status"] == "ok")
      }
      // Form encoding, as curl --data-urlencode and browsers send it: `+` is a space, %2B a plus.
      try await client.execute(
        uri: "/graphql?query=%7B+health+%7B+status+%7D+%7D&operationName=", method: .get
      ) { response in
        #expect(Self.json(response)["data"]?["health"]?["status"] == "ok")
      }
      let mutation =
        "mutation{evaluateSession(id:\"\(session.uuidString)\"){cacheHits}}"
        .addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
      try await client.execute(uri: "/graphql?query=\(mutation)", method: .get) { response in
        #expect(response.status == .methodNotAllowed)
      }
      try await client.execute(uri: "/graphql", method: .post, body: ByteBuffer(string: "not json")) {
        response in
        #expect(response.status == .badRequest)
        #expect(Self.json(response)["code"] == "BAD_REQUEST")
      }
      try await client.execute(
        uri: "/graphql", method: .post, body: ByteBuffer(string: #"{"query": "{ nope }"}"#)
      ) { response in
        #expect(response.status == .badRequest)
        #expect(
          Self.json(response)["errors"]?.arrayValue?.first?["extensions"]?["code"]
            == "GRAPHQL_VALIDATION_FAILED")
      }
      try await client.execute(
        uri: "/graphql", method: .post,
        body: ByteBuffer(string: #"{"query": "\#(String(repeating: " ", count: 5_000)){health{status}}"}"#)
      ) { response in
        #expect(response.status == .contentTooLarge)
      }
    }
  }

  @Test("the REST shim: lists, single items, 404, 400 with the problem, POST bodies")
  func rest() async throws {
    try await Self.withServer { client, session in
      try await client.execute(uri: "/api/v1/benchmarks?first=5", method: .get) { response in
        #expect(response.status == .ok)
        let json = Self.json(response)
        #expect(json["edges"]?.arrayValue?.first?["node"]?["name"] == "http")
        #expect(json["pageInfo"]?["hasNextPage"] == false)
      }
      try await client.execute(uri: "/api/v1/benchmarks/\(session.uuidString)", method: .get) { response in
        #expect(response.status == .ok)
        #expect(Self.json(response)["id"]?.stringValue == session.uuidString.lowercased())
      }
      try await client.execute(uri: "/api/v1/benchmarks/\(UUID().uuidString)", method: .get) { response in
        #expect(response.status == .notFound)
      }
      try await client.execute(uri: "/api/v1/benchmarks/not-a-uuid", method: .get) { response in
        #expect(response.status == .badRequest)
        #expect(Self.json(response)["error"]?.stringValue?.contains("UUID") == true)
      }
      try await client.execute(uri: "/api/v1/benchmarks?first=many", method: .get) { response in
        #expect(response.status == .badRequest)
        #expect(Self.json(response)["error"]?.stringValue?.contains("'first' must be an integer") == true)
      }
      try await client.execute(uri: "/api/v1/benchmarks?frist=2", method: .get) { response in
        #expect(response.status == .badRequest)
        #expect(Self.json(response)["fix"]?.stringValue?.contains("first") == true)
      }
      let filter =
        #"{"sessionId":"\#(session.uuidString)"}"#.addingPercentEncoding(
          withAllowedCharacters: .alphanumerics) ?? ""
      try await client.execute(uri: "/api/v1/results?filter=\(filter)", method: .get) { response in
        #expect(response.status == .ok)
        #expect(Self.json(response)["edges"]?.arrayValue?.count == 1)
      }
      try await client.execute(
        uri: "/api/v1/results/export?sessionId=\(session.uuidString)&format=CSV", method: .get
      ) {
        response in
        #expect(response.status == .ok)
        #expect(Self.json(response).stringValue?.contains("q1") == true)
      }
      try await client.execute(uri: "/api/v1/results/export?sessionId=\(UUID().uuidString)", method: .get) {
        response in
        #expect(response.status == .notFound)
        #expect(Self.json(response)["code"] == "NOT_FOUND")
      }
      let evaluate =
        #"{"input": {"prompt": "Capital?", "response": "Paris", "assertions": [{"type": "icontains", "value": "paris"}]}}"#
      try await client.execute(uri: "/api/v1/evaluate", method: .post, body: ByteBuffer(string: evaluate)) {
        response in
        #expect(response.status == .ok)
        #expect(Self.json(response)["verdict"] == "PASS")
      }
      try await client.execute(
        uri: "/api/v1/evaluate", method: .post, body: ByteBuffer(string: #"{"inptu": {}}"#)
      ) {
        response in
        #expect(response.status == .badRequest)
      }
      try await client.execute(uri: "/api/v1/health", method: .get) { response in
        #expect(response.status == .ok)
        #expect(Self.json(response)["status"] == "ok")
      }
      try await client.execute(uri: "/api/v1/providers/nope", method: .get) { response in
        #expect(response.status == .notFound)
      }
    }
  }

  @Test(
    "/metrics: API requests by route template and status, errors by code, run events, scrape-time readings")
  func metrics() async throws {
    try await Self.withGateway { client, id, gateway in
      // Twice: the second request records through the kept handles.
      for _ in 0..<2 {
        try await client.execute(uri: "/health", method: .get) { #expect($0.status == .ok) }
      }
      try await client.execute(uri: "/api/v1/benchmarks/\(id)", method: .get) { #expect($0.status == .ok) }
      try await client.execute(uri: "/api/v1/benchmarks/\(UUID())", method: .get) {
        #expect($0.status == .notFound)
      }
      try await client.execute(
        uri: "/graphql", method: .post, headers: Self.jsonHeaders,
        body: ByteBuffer(string: #"{"query": "{ nope }"}"#)
      ) { #expect($0.status == .badRequest) }
      let test = TestCompletion(
        BenchmarkResult(
          sessionID: id, taskKey: "k", testID: "q", dataset: "d", provider: "local", model: "m",
          status: .success,
          prompt: "p", response: "r",
          timing: RequestTiming(contentEventOffsetsNanos: [200_000_000], endOffsetNanos: 400_000_000),
          usage: Usage(inputTokens: 7, outputTokens: 3), cost: Cost(input: 0.25, output: 0.5)))
      gateway.metrics.record(
        .benchmarkStarted(sessionID: id, dataset: "d", providers: ["local"], totalTests: 1))
      gateway.metrics.record(.testCompleted(test))
      gateway.metrics.record(
        .evaluationScored(metric: "bleu", state: "scored", score: 0.75, durationMs: 2, cached: false))
      try await client.execute(uri: "/metrics", method: .get) { response in
        #expect(response.status == .ok)
        #expect(response.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
        let lines = Set(String(buffer: response.body).split(separator: "\n").map(String.init))
        for expected in [
          #"ltb_api_requests_total{method="GET",route="/health",status="200"} 2"#,
          #"ltb_api_requests_total{method="GET",route="/api/v1/benchmarks/{id}",status="200"} 1"#,
          #"ltb_api_requests_total{method="GET",route="/api/v1/benchmarks/{id}",status="404"} 1"#,
          #"ltb_api_errors_total{code="NOT_FOUND",route="/api/v1/benchmarks/{id}"} 1"#,
          #"ltb_api_errors_total{code="GRAPHQL_VALIDATION_FAILED",route="/graphql"} 1"#,
          "ltb_benchmarks_total 1", "ltb_active_benchmarks 1.0",
          #"ltb_tests_total{model="m",provider="local",status="success"} 1"#,
          #"ltb_provider_tokens_total{direction="output",model="m",provider="local"} 3"#,
          #"ltb_provider_cost_usd_total{model="m",provider="local"} 0.75"#,
          #"ltb_provider_latency_seconds_bucket{model="m",provider="local",stage="first_token",le="0.25"} 1"#,
          #"ltb_provider_latency_seconds_bucket{model="m",provider="local",stage="first_token",le="0.1"} 0"#,
          #"ltb_evaluation_score{metric="bleu"} 0.75"#,
          "# TYPE ltb_process_resident_memory_bytes gauge",
        ] {
          #expect(lines.contains(expected), "missing: \(expected)")
        }
        let operations = lines.first { $0.hasPrefix("ltb_database_operations_total ") }
        #expect((operations?.split(separator: " ").last.flatMap { Int($0) } ?? 0) > 0)
      }
    }
  }
}
