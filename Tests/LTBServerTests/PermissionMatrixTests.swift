import Foundation
import GraphQL
import Hummingbird
import HummingbirdTesting
import LTBAPI
import LTBAlerts
import LTBAuth
import LTBCodegen
import LTBConfig
import LTBCore
import LTBEngine
import LTBEvaluation
import LTBFakeServer
import LTBPlugins
import LTBProviders
import LTBServer
import LTBStorage
import Testing

/// The security suite's matrix: every role (and no credential) against every Query, Mutation
/// and Subscription field, over GraphQL, and against every REST route. What the role's
/// permissions allow succeeds; the rest is FORBIDDEN (403 over REST) and lands in the audit
/// log; without a credential it is UNAUTHENTICATED (401). The permission each field needs is
/// read from schema.graphql, so a new field must be added to this table to pass.
@Suite("Security: the role × field matrix", .serialized)
struct PermissionMatrixTests {
  /// What one actor owns: a session with a result, an API key, and a password.
  struct Actor {
    var name: String
    var role: LTBCore.Role?
    var id: UUID?
    var token: String?
    var session: UUID
    var result: UUID
    var keyID: String
  }

  /// One operation: its document and variables for an actor (`victim` is a user to update).
  struct Operation {
    var document: String
    var variables: @Sendable (Actor, Fixture) async throws -> [String: JSONValue]
  }

  /// What operations need beyond the actor.
  struct Fixture {
    var auth: AuthService
    var victim: UUID
    var suite: String
    var dataset: String
    var providers: ProviderService
    var alerts: AlertService
    var store: any BenchStore
    var plugins: PluginRegistry

    /// A minimal evaluator plugin's manifest and module (WebAssembly text) under `name`.
    static func plugin(_ name: String) -> (manifest: String, module: String) {
      (
        "[plugin]\nname = \"\(name)\"\nversion = \"1.0.0\"\nkind = \"evaluator\"\nabi = 1\nmodule = \"p.wat\"\n",
        """
        (module (memory (export "memory") 1) (data (i32.const 16) "{\\22score\\22:1}")
          (func (export "ltb_abi_version") (result i32) (i32.const 1))
          (func (export "ltb_alloc") (param i32) (result i32) (i32.const 1024))
          (func (export "ltb_evaluate") (param i32 i32) (result i64) (i64.const 0x100000000b)))
        """
      )
    }

    /// A plugin installed under a new name (for enable, disable, configure and remove).
    func plugin() async throws -> String {
      let name = "p-\(UUID().uuidString.prefix(8).lowercased())"
      let (manifest, module) = Self.plugin(name)
      try await plugins.install(manifest: manifest, module: Data(module.utf8))
      return name
    }

    /// A provider added through the API under a new name (for update and remove).
    func managedProvider() async throws -> String {
      let name = "managed-\(UUID().uuidString.prefix(8).lowercased())"
      _ = try await providers.add(
        ManagedProvider(name: name, kind: .openaiCompatible, baseURL: "http://127.0.0.1:9/v1"))
      return name
    }

    /// An API-defined alert rule under a new name (for update and delete).
    func alertRule() async throws -> UUID {
      try await alerts.save(
        LTBCore.AlertRule(
          id: UUID(), name: "rule-\(UUID().uuidString.prefix(8))", metric: .ttft, threshold: 500),
        by: nil
      ).id
    }

    /// A firing alert about `session`.
    func alert(session: UUID) async throws -> UUID {
      let id = UUID()
      try await store.insertAlert(
        AlertRecord(
          id: id, ruleID: UUID(), ruleName: "slow", severity: .warning, message: "slow", sessionID: session,
          triggeredMicros: 1))
      return id
    }
  }

  static let alertRuleInput: JSONValue = ["name": "made-rule", "metric": "TTFT", "threshold": 500]

  static let providerInput: JSONValue = [
    "kind": "openai-compatible", "baseUrl": "http://127.0.0.1:9/v1", "defaultModel": "m",
  ]

  static let operations: [String: Operation] = [
    "Query.benchmarks": .init(document: "{ benchmarks(first: 5) { edges { cursor } } }") { _, _ in [:] },
    "Query.benchmark": .init(document: "query($id: UUID!) { benchmark(id: $id) { id } }") { actor, _ in
      ["id": .string(actor.session.lowercasedText)]
    },
    "Query.results": .init(document: "{ results(first: 5) { edges { cursor } } }") { _, _ in [:] },
    "Query.result": .init(document: "query($id: UUID!) { result(id: $id) { id } }") { actor, _ in
      ["id": .string(actor.result.lowercasedText)]
    },
    "Query.exportResults": .init(
      document: "query($sessionId: UUID!) { exportResults(sessionId: $sessionId) }"
    ) {
      actor, _ in ["sessionId": .string(actor.session.lowercasedText)]
    },
    "Query.providers": .init(document: "{ providers { name } }") { _, _ in [:] },
    "Query.provider": .init(document: "query($name: String!) { provider(name: $name) { name } }") { _, _ in
      ["name": "fake"]
    },
    "Query.providerModels": .init(document: "query($name: String!) { providerModels(name: $name) { id } }") {
      _, _ in ["name": "fake"]
    },
    "Query.compare": .init(
      document:
        "query($baseline: UUID!, $candidate: UUID!) { compare(baseline: $baseline, candidate: $candidate) { pairedCases } }"
    ) { actor, _ in
      ["baseline": .string(actor.session.lowercasedText), "candidate": .string(actor.session.lowercasedText)]
    },
    "Query.metrics": .init(
      document: "query($sessionId: UUID!) { metrics(sessionId: $sessionId) { provider } }"
    ) {
      actor, _ in ["sessionId": .string(actor.session.lowercasedText)]
    },
    "Query.node": .init(document: "query($id: UUID!) { node(id: $id) { id } }") { actor, _ in
      ["id": .string(actor.session.lowercasedText)]
    },
    "Query.compareModels": .init(
      document:
        "query($sessionId: UUID!, $models: [String!]!) { compareModels(sessionId: $sessionId, models: $models) { pairedCases } }"
    ) { actor, _ in
      ["sessionId": .string(actor.session.lowercasedText), "models": ["fake/fake-model", "fake/fake-model"]]
    },
    "Query.health": .init(document: "{ health { status } }") { _, _ in [:] },
    "Query.workers": .init(document: "{ workers { name state } }") { _, _ in [:] },
    "Query.alerts": .init(document: "{ alerts(first: 5) { id state } }") { _, _ in [:] },
    "Query.alertRules": .init(document: "{ alertRules { name source } }") { _, _ in [:] },
    "Query.plugins": .init(document: "{ plugins { name loaded } }") { _, _ in [:] },
    "Mutation.installPlugin": .init(
      document: "mutation($input: InstallPluginInput!) { installPlugin(input: $input) { name } }"
    ) { _, _ in
      let (manifest, module) = Fixture.plugin("p-\(UUID().uuidString.prefix(8).lowercased())")
      return [
        "input": ["manifest": .string(manifest), "module": .string(Data(module.utf8).base64EncodedString())]
      ]
    },
    "Mutation.enablePlugin": .init(
      document: "mutation($name: String!) { enablePlugin(name: $name) { name } }"
    ) {
      _, fixture in ["name": .string(try await fixture.plugin())]
    },
    "Mutation.disablePlugin": .init(
      document: "mutation($name: String!) { disablePlugin(name: $name) { name } }"
    ) {
      _, fixture in ["name": .string(try await fixture.plugin())]
    },
    "Mutation.configurePlugin": .init(
      document:
        "mutation($name: String!, $configuration: JSON!) { configurePlugin(name: $name, configuration: $configuration) { name } }"
    ) { _, fixture in ["name": .string(try await fixture.plugin()), "configuration": [:]] },
    "Mutation.removePlugin": .init(document: "mutation($name: String!) { removePlugin(name: $name) }") {
      _, fixture in ["name": .string(try await fixture.plugin())]
    },
    "Mutation.createAlertRule": .init(
      document: "mutation($input: AlertRuleInput!) { createAlertRule(input: $input) { id } }"
    ) { _, _ in
      ["input": ["name": .string("made-\(UUID().uuidString.prefix(8))"), "metric": "TTFT", "threshold": 500]]
    },
    "Mutation.updateAlertRule": .init(
      document:
        "mutation($id: UUID!, $input: AlertRuleInput!) { updateAlertRule(id: $id, input: $input) { id } }"
    ) { _, fixture in
      [
        "id": .string(try await fixture.alertRule().lowercasedText),
        "input": [
          "name": .string("changed-\(UUID().uuidString.prefix(8))"), "metric": "E2E", "threshold": 900,
        ],
      ]
    },
    "Mutation.deleteAlertRule": .init(document: "mutation($id: UUID!) { deleteAlertRule(id: $id) }") {
      _, fixture in ["id": .string(try await fixture.alertRule().lowercasedText)]
    },
    "Mutation.acknowledgeAlert": .init(document: "mutation($id: UUID!) { acknowledgeAlert(id: $id) { id } }")
    {
      actor, fixture in ["id": .string(try await fixture.alert(session: actor.session).lowercasedText)]
    },
    "Mutation.exportSession": .init(
      document: "mutation($id: UUID!, $to: ExportTracker!) { exportSession(id: $id, to: $to) { state } }"
    ) { actor, _ in ["id": .string(actor.session.lowercasedText), "to": "MLFLOW"] },
    "Mutation.importDataset": .init(
      document: "mutation($input: ImportDatasetInput!) { importDataset(input: $input) { cases } }"
    ) { _, fixture in
      let rag = URL(fileURLWithPath: fixture.dataset).deletingLastPathComponent().appendingPathComponent(
        "rag.json")
      return ["input": ["from": "LLAMAINDEX", "name": .string(rag.path)]]
    },
    "Query.me": .init(document: "{ me { username } }") { _, _ in [:] },
    "Query.users": .init(document: "{ users { username } }") { _, _ in [:] },
    "Query.apiKeys": .init(document: "{ apiKeys { id } }") { _, _ in [:] },
    "Query.auditLog": .init(document: "{ auditLog(first: 5) { edges { cursor } } }") { _, _ in [:] },
    "Mutation.login": .init(
      document:
        "mutation($username: String!, $password: String!) { login(username: $username, password: $password) { accessToken } }"
    ) { actor, _ in
      [
        "username": .string(actor.role == nil ? "viewer" : actor.name),
        "password": .string(Self.password(actor)),
      ]
    },
    "Mutation.refreshToken": .init(
      document:
        "mutation($refreshToken: String!) { refreshToken(refreshToken: $refreshToken) { accessToken } }"
    ) { actor, fixture in ["refreshToken": .string(try await Self.refreshToken(actor, fixture))] },
    "Mutation.logout": .init(
      document: "mutation($refreshToken: String!) { logout(refreshToken: $refreshToken) }"
    ) {
      actor, fixture in ["refreshToken": .string(try await Self.refreshToken(actor, fixture))]
    },
    "Mutation.createUser": .init(
      document: "mutation($input: CreateUserInput!) { createUser(input: $input) { id } }"
    ) { _, _ in
      let name = "made-\(UUID().uuidString.prefix(8).lowercased())"
      return [
        "input": [
          "username": .string(name), "email": .string("\(name)@example.org"), "password": "a long passphrase",
          "role": "VIEWER",
        ]
      ]
    },
    "Mutation.updateUser": .init(
      document: "mutation($id: UUID!) { updateUser(id: $id, role: VIEWER) { id } }"
    ) {
      _, fixture in ["id": .string(fixture.victim.lowercasedText)]
    },
    "Mutation.createApiKey": .init(
      document: "mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key } }"
    ) { _, _ in ["input": ["name": "matrix"]] },
    "Mutation.revokeApiKey": .init(document: "mutation($id: String!) { revokeApiKey(id: $id) { id } }") {
      actor, _ in ["id": .string(actor.keyID)]
    },
    "Mutation.createBenchmark": .init(
      document: "mutation($input: CreateBenchmarkInput!) { createBenchmark(input: $input) { id } }"
    ) { _, fixture in ["input": ["suite": .string(fixture.suite), "start": false]] },
    "Mutation.cancelBenchmark": .init(document: "mutation($id: UUID!) { cancelBenchmark(id: $id) { id } }") {
      actor, _ in ["id": .string(actor.session.lowercasedText)]
    },
    "Mutation.resumeBenchmark": .init(document: "mutation($id: UUID!) { resumeBenchmark(id: $id) { id } }") {
      actor, _ in ["id": .string(actor.session.lowercasedText)]
    },
    "Mutation.evaluate": .init(
      document: "mutation($input: EvaluateInput!) { evaluate(input: $input) { verdict } }"
    ) { _, _ in
      [
        "input": [
          "prompt": "Capital of France?", "response": "Paris",
          "assertions": [["type": "contains", "value": "Paris"]],
        ]
      ]
    },
    "Mutation.createModelComparison": .init(
      document:
        "mutation($input: ModelComparisonInput!) { createModelComparison(input: $input, start: false) { id } }"
    ) { _, fixture in
      ["input": ["models": ["fake/a", "fake/b"], "dataset": .string(fixture.dataset)]]
    },
    "Mutation.addProvider": .init(
      document:
        "mutation($name: String!, $input: ProviderInput!) { addProvider(name: $name, input: $input) { name } }"
    ) { _, _ in
      ["name": .string("added-\(UUID().uuidString.prefix(8).lowercased())"), "input": providerInput]
    },
    "Mutation.updateProvider": .init(
      document:
        "mutation($name: String!, $input: ProviderInput!) { updateProvider(name: $name, input: $input) { name } }"
    ) { _, fixture in ["name": .string(try await fixture.managedProvider()), "input": providerInput] },
    "Mutation.removeProvider": .init(
      document: "mutation($name: String!) { removeProvider(name: $name) }"
    ) { _, fixture in ["name": .string(try await fixture.managedProvider())] },
    "Mutation.testProvider": .init(
      document: "mutation($name: String!) { testProvider(name: $name) { healthy } }"
    ) { _, _ in ["name": "fake"] },
    "Mutation.evaluateSession": .init(
      document: "mutation($id: UUID!) { evaluateSession(id: $id) { cacheHits } }"
    ) { actor, _ in ["id": .string(actor.session.lowercasedText)] },
    "Subscription.benchmarkProgress": .init(
      document: "subscription($sessionId: UUID!) { benchmarkProgress(sessionId: $sessionId) { completed } }"
    ) { actor, _ in ["sessionId": .string(actor.session.lowercasedText)] },
    "Subscription.testCompleted": .init(
      document: "subscription($sessionId: UUID!) { testCompleted(sessionId: $sessionId) { testId } }"
    ) { actor, _ in ["sessionId": .string(actor.session.lowercasedText)] },
    "Subscription.sessionEvents": .init(
      document: "subscription($sessionId: UUID!) { sessionEvents(sessionId: $sessionId) { __typename } }"
    ) { actor, _ in ["sessionId": .string(actor.session.lowercasedText)] },
    "Subscription.liveStats": .init(
      document: "subscription($sessionId: UUID!) { liveStats(sessionId: $sessionId) { completed } }"
    ) { actor, _ in ["sessionId": .string(actor.session.lowercasedText)] },
    "Subscription.metricUpdates": .init(document: "subscription { metricUpdates { name } }") { _, _ in [:] },
    "Subscription.alerts": .init(document: "subscription { alerts { message } }") { _, _ in [:] },
    "Subscription.workerEvents": .init(document: "subscription { workerEvents { kind } }") { _, _ in [:] },
  ]

  static func password(_ actor: Actor) -> String {
    "password-of-\(actor.role == nil ? "viewer" : actor.name)"
  }

  static func refreshToken(_ actor: Actor, _ fixture: Fixture) async throws -> String {
    let name = actor.role == nil ? "viewer" : actor.name
    return try await fixture.auth.login(
      username: name, password: "password-of-\(name)", client: ClientInfo(ipAddress: "203.0.113.9")
    ).refreshToken
  }

  /// The permission (or `nil` for `@public`) of every root field, from schema.graphql.
  static func declared() throws -> [String: String?] {
    let schema = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("schema.graphql")
    let model = try SchemaParser.parse(try String(contentsOf: schema, encoding: .utf8))
    var declared: [String: String?] = [:]
    for type in model.types where ["Query", "Mutation", "Subscription"].contains(type.name) {
      for field in type.fields {
        declared["\(type.name).\(field.name)"] = field.directive("auth")?.arguments["permission"]
      }
    }
    return declared
  }

  @Test(
    "every role against every field and route: allowed ones succeed, others are FORBIDDEN/403 and audited")
  func matrix() async throws {
    let declared = try Self.declared()
    #expect(Set(declared.keys) == Set(Self.operations.keys), "the table covers every root field")
    let fake = try await LoopbackHTTPServer.start(
      handler: FakeOpenAITarget.handler(
        .init(timeToFirstToken: .milliseconds(1), interTokenLatency: .milliseconds(1), outputTokens: 2)))
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "ltb-matrix-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let dataset = folder.appendingPathComponent("cases.jsonl")
    try Data(#"{"id": "a", "prompt": "One?"}"#.utf8).write(to: dataset)
    let (services, store) = try await FakeTargetServices.make(folder: folder, targetBaseURL: fake.baseURL)
    let auth = try #require(services.auth)
    let gateway = try Gateway(services: services)

    // The actors, each owning a completed session with one result and an API key.
    var cast: [Actor] = []
    for (name, role) in [
      ("admin", LTBCore.Role.admin), ("user", LTBCore.Role.user), ("viewer", LTBCore.Role.viewer),
    ] {
      let signed = try await SignedIn.user(auth, name, role: role)
      cast.append(try await Self.actor(name, role, signed.id, signed.token, store: store, auth: auth))
    }
    cast.append(try await Self.actor("anonymous", nil, nil, nil, store: store, auth: auth))
    let actors = cast
    let victim = try await auth.createUser(
      username: "victim", email: "victim@example.org", password: "password-of-victim", role: .user, by: nil,
      client: ClientInfo())
    let fixture = Fixture(
      auth: auth, victim: victim.id,
      suite: "name: matrix\ndatasets: [\(dataset.path)]\ntargets: [{ provider: fake }]\n",
      dataset: dataset.path,
      providers: services.providers, alerts: try #require(services.alerts), store: store,
      plugins: try #require(services.plugins))

    let application = buildApplication(gateway)
    try await application.test(.router) { client in
      for actor in actors {
        for (field, operation) in Self.operations.sorted(by: { $0.key < $1.key }) {
          let permission = declared[field] ?? nil
          let allowed = permission.map { needed in
            actor.role?.permissions.contains { $0.rawValue == needed } ?? false
          }
          let variables = try await operation.variables(actor, fixture)
          let codes: [String]
          if field.hasPrefix("Subscription.") {
            codes = try await Self.subscribe(operation.document, variables, actor: actor, gateway: gateway)
          } else {
            codes = try await Self.post(operation.document, variables, token: actor.token, client: client)
          }
          let label = "\(actor.name) → \(field)"
          switch allowed {
          case nil, true?:
            #expect(codes.isEmpty, "\(label) should succeed: \(codes)")
          case false?:
            #expect(codes == [actor.role == nil ? "UNAUTHENTICATED" : "FORBIDDEN"], "\(label): \(codes)")
          }
        }
      }
      // Every denial of a signed-in actor is in the audit log, with the field.
      let denied = try await store.auditEntries(AuditQuery(actionPrefix: "permission.denied", limit: 1_000))
        .items
      let expectedDenials = actors.filter { $0.role != nil }.flatMap { actor in
        declared.compactMap { field, permission -> String? in
          guard let permission, !(actor.role?.permissions.contains { $0.rawValue == permission } ?? false)
          else {
            return nil
          }
          return "\(actor.name) \(field)"
        }
      }
      let names = Dictionary(
        uniqueKeysWithValues: actors.compactMap { actor in actor.id.map { ($0, actor.name) } })
      let audited = denied.compactMap { entry -> String? in
        guard let user = entry.userID, let field = entry.details["field"]?.stringValue else { return nil }
        return "\(names[user] ?? "?") \(field)"
      }
      #expect(
        Set(audited).isSuperset(of: expectedDenials), "missing: \(Set(expectedDenials).subtracting(audited))")
      #expect(expectedDenials.count == 37, "users are refused 12 fields, viewers 25")

      // An admin creates a session for the viewer, who then reads it; a user may not do that.
      let (admin, user, viewer) = (actors[0], actors[1], actors[2])
      let create = "mutation($input: CreateBenchmarkInput!) { createBenchmark(input: $input) { id ownerId } }"
      func input(for owner: UUID?) -> [String: JSONValue] {
        [
          "input": [
            "suite": .string(fixture.suite), "start": false, "ownerId": .string(owner?.lowercasedText ?? ""),
          ]
        ]
      }
      let made = try await Self.postJSON(create, input(for: viewer.id), token: admin.token, client: client)
      let madeID = try #require(made["data"]?["createBenchmark"]?["id"]?.stringValue, "\(made)")
      #expect(made["data"]?["createBenchmark"]?["ownerId"]?.stringValue == viewer.id?.lowercasedText)
      let read = try await Self.postJSON(
        "query($id: UUID!) { benchmark(id: $id) { id } }", ["id": .string(madeID)], token: viewer.token,
        client: client)
      #expect(read["data"]?["benchmark"]?["id"]?.stringValue == madeID, "\(read)")
      let refused = try await Self.post(create, input(for: viewer.id), token: user.token, client: client)
      #expect(refused == ["FORBIDDEN"])
      #expect(
        try await Self.post(
          "query($id: UUID!) { benchmark(id: $id) { id } }", ["id": .string(madeID)], token: user.token,
          client: client) == ["FORBIDDEN"], "the viewer's session is not the user's")

      // REST: every route, every actor: 401 without a credential, 403 when forbidden, else not.
      for route in restRoutes {
        let field = "\(route.operation == "query" ? "Query" : "Mutation").\(route.field)"
        let operation = try #require(Self.operations[field])
        for actor in actors {
          let status = try await Self.rest(
            route, try await operation.variables(actor, fixture), actor, client)
          let label = "\(actor.name) \(route.method) \(route.path)"
          switch route.permission {
          case nil:
            #expect(status != 401 && status != 403, "\(label): \(status)")
          case let needed?:
            if actor.role == nil {
              #expect(status == 401, "\(label): \(status)")
            } else if actor.role?.permissions.contains(where: { $0.rawValue == needed }) == true {
              #expect(status == 200, "\(label): \(status)")
            } else {
              #expect(status == 403, "\(label): \(status)")
            }
          }
        }
      }
    }
    await store.close()
    await fake.stop()
  }

  static func actor(
    _ name: String, _ role: LTBCore.Role?, _ id: UUID?, _ token: String?, store: SQLBenchStore,
    auth: AuthService
  )
    async throws -> Actor
  {
    let suite = BenchmarkSuite(name: name, datasets: [], targets: [BenchmarkTarget(provider: "fake")])
    let session = BenchmarkSession(name: name, status: .completed, suite: suite, totalTasks: 1, ownerID: id)
    try await store.createSession(session)
    let result = BenchmarkResult(
      sessionID: session.id, taskKey: "k", testID: "q1", dataset: "d", provider: "fake", model: "fake-model",
      status: .success, prompt: "Capital of France?", response: "Paris")
    try await store.insertResults([result])
    var keyID = "ltbnokey"
    if let id {
      keyID = try await auth.createAPIKey(
        owner: id, name: "\(name)-key", role: nil, scopes: nil, expiresAt: nil, by: nil, client: ClientInfo()
      ).record.id
    }
    return Actor(
      name: name, role: role, id: id, token: token, session: session.id, result: result.id, keyID: keyID)
  }

  /// The JSON answer of a GraphQL POST.
  static func postJSON(
    _ document: String, _ variables: [String: JSONValue], token: String?, client: any TestClientProtocol
  ) async throws -> JSONValue {
    var headers: HTTPFields = [.contentType: "application/json"]
    if let token { headers[.authorization] = "Bearer \(token)" }
    let body = JSONValue.object(["query": .string(document), "variables": .object(variables)]).serialized()
    return try await client.execute(
      uri: "/graphql", method: .post, headers: headers, body: ByteBuffer(string: body)
    ) {
      (try? JSONValue.parse(String(buffer: $0.body))) ?? .null
    }
  }

  /// The error codes of a GraphQL POST.
  static func post(
    _ document: String, _ variables: [String: JSONValue], token: String?, client: any TestClientProtocol
  )
    async throws -> [String]
  {
    var headers: HTTPFields = [.contentType: "application/json"]
    if let token { headers[.authorization] = "Bearer \(token)" }
    let body = JSONValue.object(["query": .string(document), "variables": .object(variables)]).serialized()
    return try await client.execute(
      uri: "/graphql", method: .post, headers: headers, body: ByteBuffer(string: body)
    ) {
      response in
      let json = (try? JSONValue.parse(String(buffer: response.body))) ?? .null
      return json["errors"]?.arrayValue?.compactMap { $0["extensions"]?["code"]?.stringValue } ?? []
    }
  }

  /// The error codes of starting a subscription (as the WebSocket route does, with the actor's principal).
  static func subscribe(_ document: String, _ variables: [String: JSONValue], actor: Actor, gateway: Gateway)
    async throws -> [String]
  {
    var principal: Principal?
    if let token = actor.token {
      principal = try await gateway.services.auth?.authenticate(token, client: ClientInfo())
    }
    let context = APIContext(requestID: "matrix", principal: principal, auth: gateway.services.auth)
    let map = try JSONDecoder().decode(Map.self, from: Data(JSONValue.object(variables).serialized().utf8))
    let arguments =
      map.dictionary.map { Dictionary(uniqueKeysWithValues: $0.map { ($0.key, $0.value) }) } ?? [:]
    switch try await gateway.graphQL.subscribeJSON(document, variables: arguments, context: context) {
    case .success: return []
    case .failure(let errors): return errors.errors.compactMap { $0.extensions["code"]?.string }
    }
  }

  /// The HTTP status of a REST route with `variables` split into path, query and body.
  static func rest(
    _ route: RESTRoute, _ variables: [String: JSONValue], _ actor: Actor, _ client: any TestClientProtocol
  )
    async throws -> Int
  {
    var path = route.path
    var query: [String] = []
    var body: [String: JSONValue] = [:]
    for argument in route.arguments {
      guard let value = variables[argument.name] else { continue }
      let text = value.stringValue ?? value.serialized()
      if argument.inPath {
        path = path.replacingOccurrences(of: ":\(argument.name)", with: text)
      } else if route.method == "GET" || route.method == "DELETE" {
        query.append(
          "\(argument.name)=\(text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")")
      } else {
        body[argument.name] = value
      }
    }
    var headers: HTTPFields = [.contentType: "application/json"]
    if let token = actor.token { headers[.authorization] = "Bearer \(token)" }
    let uri = path + (query.isEmpty ? "" : "?" + query.joined(separator: "&"))
    return try await client.execute(
      uri: uri, method: route.method == "POST" ? .post : route.method == "DELETE" ? .delete : .get,
      headers: headers,
      body: route.method == "POST" ? ByteBuffer(string: JSONValue.object(body).serialized()) : nil
    ) { $0.status.code }
  }
}
