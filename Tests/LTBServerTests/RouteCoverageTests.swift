import Foundation
import Hummingbird
import HummingbirdTesting
import LTBAPI
import LTBConfig
import LTBCore
import LTBEngine
import LTBEvaluation
import LTBFakeServer
import LTBProviders
import LTBServer
import LTBStorage
import Testing

/// Every route of the REST shim's table, driven in-process through the router against a real
/// SQLite store and a fake OpenAI-compatible target: a benchmark is created, run to completion
/// by `resume`, read back through every query route, evaluated, compared with itself and
/// cancelled.
@Suite("Every REST route", .serialized)
struct RouteCoverageTests {
  @Test("each route of the table answers with its field's value")
  func everyRoute() async throws {
    let fake = try await LoopbackHTTPServer.start(
      handler: FakeOpenAITarget.handler(
        .init(timeToFirstToken: .milliseconds(2), interTokenLatency: .milliseconds(1), outputTokens: 3)))
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "ltb-routes-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let dataset = folder.appendingPathComponent("cases.jsonl")
    try Data(#"{"id": "a", "prompt": "One?"}\#n{"id": "b", "prompt": "Two?"}"#.utf8).write(to: dataset)
    let (services, store) = try await FakeTargetServices.make(folder: folder, targetBaseURL: fake.baseURL)
    let admin = try await SignedIn.user(try #require(services.auth), "admin", role: .admin)
    let application = buildApplication(try Gateway(services: services))
    let covered = try await application.test(.router) { client -> Set<String> in
      var covered: Set<String> = []
      func call(_ method: HTTPRequest.Method, _ template: String, _ uri: String, body: JSONValue? = nil)
        async throws -> (Int, JSONValue)
      {
        covered.insert("\(method.rawValue) \(template)")
        return try await client.execute(
          uri: uri, method: method,
          headers: [.contentType: "application/json", .authorization: "Bearer \(admin.token)"],
          body: body.map { ByteBuffer(string: $0.serialized()) }
        ) { response in
          (
            response.status.code,
            (try? JSONValue.parse(String(buffer: response.body))) ?? .string(String(buffer: response.body))
          )
        }
      }
      let suite = "name: routes\ndatasets: [\(dataset.path)]\ntargets: [{ provider: fake }]\n"
      let (created, session) = try await call(
        .post, "/api/v1/benchmarks", "/api/v1/benchmarks",
        body: ["input": ["suite": .string(suite), "start": false]])
      #expect(created == 200 && session["status"] == "PENDING" && session["totalTasks"] == 2, "\(session)")
      let id = try #require(session["id"]?.stringValue)
      let (resumed, _) = try await call(
        .post, "/api/v1/benchmarks/:id/resume", "/api/v1/benchmarks/\(id)/resume")
      #expect(resumed == 200)
      var status = JSONValue.null
      for _ in 0..<200 where status != "COMPLETED" {
        try await Task.sleep(for: .milliseconds(25))
        status =
          try await call(.get, "/api/v1/benchmarks/:id", "/api/v1/benchmarks/\(id)").1["status"] ?? .null
      }
      #expect(status == "COMPLETED")
      let (_, list) = try await call(.get, "/api/v1/benchmarks", "/api/v1/benchmarks?first=5")
      #expect(list["edges"]?.arrayValue?.first?["node"]?["id"]?.stringValue == id)
      let filter =
        JSONValue.object(["sessionId": .string(id)]).serialized()
        .addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
      let (_, results) = try await call(.get, "/api/v1/results", "/api/v1/results?filter=\(filter)")
      let resultID = try #require(results["edges"]?.arrayValue?.first?["node"]?["id"]?.stringValue)
      #expect(results["edges"]?.arrayValue?.count == 2)
      let (_, result) = try await call(.get, "/api/v1/results/:id", "/api/v1/results/\(resultID)")
      #expect(result["status"] == "SUCCESS" && result["providerName"] == "fake")
      let (_, export) = try await call(
        .get, "/api/v1/results/export", "/api/v1/results/export?sessionId=\(id)")
      #expect(export.stringValue?.split(separator: "\n").count == 2, "one JSON line per result")
      let (_, metrics) = try await call(.get, "/api/v1/metrics", "/api/v1/metrics?sessionId=\(id)")
      #expect(metrics.arrayValue?.first?["provider"] == "fake" && metrics.arrayValue?.first?["requests"] == 2)
      let (_, comparison) = try await call(
        .get, "/api/v1/compare", "/api/v1/compare?baseline=\(id)&candidate=\(id)")
      #expect(comparison["pairedCases"] == 2, "\(comparison)")
      let (_, providers) = try await call(.get, "/api/v1/providers", "/api/v1/providers")
      #expect(providers.arrayValue?.compactMap { $0["name"]?.stringValue } == ["fake"])
      #expect(providers.arrayValue?.first?["source"] == "CONFIGURATION")
      let (_, provider) = try await call(.get, "/api/v1/providers/:name", "/api/v1/providers/fake")
      #expect(provider["kind"] == "openai-compatible")
      let (modelsStatus, models) = try await call(
        .get, "/api/v1/providers/:name/models", "/api/v1/providers/fake/models")
      #expect(modelsStatus == 200 && models.arrayValue != nil)
      let (_, evaluated) = try await call(
        .post, "/api/v1/evaluate", "/api/v1/evaluate",
        body: [
          "input": [
            "prompt": "Capital of France?", "response": "Paris",
            "assertions": [["type": "icontains", "value": "paris"]],
          ]
        ])
      #expect(evaluated["verdict"] == "PASS", "\(evaluated)")
      let (cancelled, stopped) = try await call(
        .post, "/api/v1/benchmarks/:id/cancel", "/api/v1/benchmarks/\(id)/cancel")
      #expect(cancelled == 200 && stopped["id"]?.stringValue == id)
      let (queued, exported) = try await call(
        .post, "/api/v1/benchmarks/:id/exports", "/api/v1/benchmarks/\(id)/exports", body: ["to": "MLFLOW"])
      #expect(
        queued == 200 && exported["state"] == "PENDING" && exported["tracker"] == "MLFLOW", "\(exported)")
      let (_, imported) = try await call(
        .post, "/api/v1/datasets/import", "/api/v1/datasets/import",
        body: [
          "input": ["from": "LLAMAINDEX", "name": .string(folder.appendingPathComponent("rag.json").path)]
        ])
      #expect(imported["cases"] == 1, "\(imported)")
      #expect(
        imported["path"]?.stringValue == folder.appendingPathComponent("imported/llamaindex-rag.jsonl").path)
      // Filters: by name words, provider, model and creation time; a miss lists nothing.
      let (_, named) = try await call(
        .get, "/api/v1/benchmarks", "/api/v1/benchmarks?name=ROUT&provider=fake")
      #expect(named["edges"]?.arrayValue?.compactMap { $0["node"]?["id"]?.stringValue } == [id], "\(named)")
      let (_, missed) = try await call(
        .get, "/api/v1/benchmarks", "/api/v1/benchmarks?model=other-model&createdFrom=2000-01-01T00:00:00Z")
      #expect(missed["edges"]?.arrayValue?.isEmpty == true, "\(missed)")

      // Two models of one provider on the dataset, then compared case by case.
      let (comparing, pairSession) = try await call(
        .post, "/api/v1/compare/models", "/api/v1/compare/models",
        body: [
          "input": [
            "models": ["fake/model-a", "fake/model-b"], "dataset": .string(dataset.path),
            "metrics": ["latency:60000"],
          ]
        ])
      #expect(comparing == 200 && pairSession["totalTasks"] == 4, "\(pairSession)")
      let pairID = try #require(pairSession["id"]?.stringValue)
      // The grading comes after the run: the comparison has the latency metric once it is done.
      let pairModels =
        #"["fake/model-a","fake/model-b"]"#.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
      var pair = JSONValue.null
      for _ in 0..<400 where pair["metrics"]?.arrayValue?.contains(where: { $0["name"] == "latency" }) != true
      {
        try await Task.sleep(for: .milliseconds(25))
        pair = try await call(
          .get, "/api/v1/compare/models", "/api/v1/compare/models?sessionId=\(pairID)&models=\(pairModels)"
        ).1
      }
      #expect(
        pair["labelA"] == "fake/model-a" && pair["labelB"] == "fake/model-b" && pair["pairedCases"] == 2,
        "\(pair)")
      #expect(pair["metrics"]?.arrayValue?.contains { $0["name"] == "latency" } == true, "\(pair)")

      // Providers managed at run time: added, usable at once, changed, tested, removed.
      let (added, managed) = try await call(
        .post, "/api/v1/providers", "/api/v1/providers",
        body: [
          "name": "second", "input": ["kind": "openai-compatible", "baseUrl": .string(fake.baseURL + "/v1")],
        ])
      #expect(added == 200 && managed["source"] == "API" && managed["name"] == "second", "\(managed)")
      let (changed, reconfigured) = try await call(
        .post, "/api/v1/providers/:name", "/api/v1/providers/second",
        body: [
          "input": [
            "kind": "openai-compatible", "baseUrl": .string(fake.baseURL + "/v1"), "defaultModel": "m2",
          ]
        ])
      #expect(changed == 200 && reconfigured["defaultModel"] == "m2", "\(reconfigured)")
      let (tested, checked) = try await call(
        .post, "/api/v1/providers/:name/test", "/api/v1/providers/second/test")
      #expect(tested == 200 && checked["latencyMs"] != nil, "\(checked)")
      let (readOnly, refusal) = try await call(
        .post, "/api/v1/providers/:name/remove", "/api/v1/providers/fake/remove")
      #expect(readOnly == 400 && refusal["code"] == "INVALID_INPUT", "read-only: \(refusal)")
      let (removed, gone) = try await call(
        .post, "/api/v1/providers/:name/remove", "/api/v1/providers/second/remove")
      #expect(removed == 200 && gone == true)

      let (_, health) = try await call(.get, "/api/v1/health", "/api/v1/health")
      #expect(health["status"] == "ok")

      // A worker in the registry (as a coordinator on this store records it), then the pool read
      // through the shim, whole and filtered by state.
      let (now, worker) = (WallClock.nowMicros, UUID())
      try await store.registerWorker(
        WorkerRecord(
          id: worker, name: "gpu-box",
          capabilities: #"{"supportedProviders":["fake"],"maxConcurrentTasks":8}"#,
          registeredMicros: now, heartbeatMicros: now))
      try await store.recordWorkerActivity(
        worker, WorkerActivity(tasksDone: 12, tasksPerSecond: 3.5, lagP99Ms: 1.25))
      let (_, pool) = try await call(.get, "/api/v1/workers", "/api/v1/workers")
      #expect(pool.arrayValue?.count == 1, "\(pool)")
      #expect(
        pool.arrayValue?.first?["name"] == "gpu-box" && pool.arrayValue?.first?["tasksDone"] == 12, "\(pool)")
      #expect(pool.arrayValue?.first?["providers"] == ["fake"], "\(pool)")
      let (_, departed) = try await call(.get, "/api/v1/workers", "/api/v1/workers?state=GONE")
      #expect(departed.arrayValue?.isEmpty == true, "\(departed)")

      // Alert rules: created, listed, replaced and deleted; an alert listed and acknowledged.
      let (ruleStatus, rule) = try await call(
        .post, "/api/v1/alert-rules", "/api/v1/alert-rules",
        body: [
          "input": [
            "name": "slow-ttft", "metric": "TTFT", "statistic": "P95", "threshold": 500, "windowSeconds": 30,
            "forSeconds": 5, "severity": "CRITICAL",
          ]
        ])
      #expect(
        ruleStatus == 200 && rule["summary"] == "ttft p95 above 500 ms" && rule["source"] == "API", "\(rule)")
      let ruleID = try #require(rule["id"]?.stringValue)
      let (_, rules) = try await call(.get, "/api/v1/alert-rules", "/api/v1/alert-rules")
      #expect(rules.arrayValue?.compactMap { $0["name"]?.stringValue } == ["slow-ttft"], "\(rules)")
      let (_, replaced) = try await call(
        .post, "/api/v1/alert-rules/:id", "/api/v1/alert-rules/\(ruleID)",
        body: ["input": ["name": "slow-ttft", "metric": "TTFT", "threshold": 800, "windowRequests": 50]])
      #expect(
        replaced["threshold"] == 800 && replaced["windowRequests"] == 50 && replaced["windowSeconds"] == .null
      )
      let (_, ruleDeleted) = try await call(
        .post, "/api/v1/alert-rules/:id/delete", "/api/v1/alert-rules/\(ruleID)/delete")
      #expect(ruleDeleted == true)
      // Plugins: install (base64 module), list, disable, enable, configure, delete.
      let (manifest, module) = PermissionMatrixTests.Fixture.plugin("routed")
      let (installedStatus, installed) = try await call(
        .post, "/api/v1/plugins", "/api/v1/plugins",
        body: [
          "input": [
            "manifest": .string(manifest), "module": .string(Data(module.utf8).base64EncodedString()),
          ]
        ])
      #expect(
        installedStatus == 200 && installed["loaded"] == true && installed["kind"] == "EVALUATOR",
        "\(installed)")
      let (_, listedPlugins) = try await call(.get, "/api/v1/plugins", "/api/v1/plugins")
      #expect(listedPlugins.arrayValue?.compactMap { $0["name"]?.stringValue } == ["routed"])
      let (_, disabled) = try await call(
        .post, "/api/v1/plugins/:name/disable", "/api/v1/plugins/routed/disable",
        body: ["reason": "maintenance"])
      #expect(disabled["enabled"] == false && disabled["disabledReason"] == "maintenance", "\(disabled)")
      let (_, enabled) = try await call(
        .post, "/api/v1/plugins/:name/enable", "/api/v1/plugins/routed/enable")
      #expect(enabled["enabled"] == true && enabled["loaded"] == true)
      let (_, configured) = try await call(
        .post, "/api/v1/plugins/:name/configure", "/api/v1/plugins/routed/configure",
        body: ["configuration": ["level": 2]])
      #expect(configured["configuration"] == ["level": 2], "\(configured)")
      let (_, pluginRemoved) = try await call(.delete, "/api/v1/plugins/:name", "/api/v1/plugins/routed")
      #expect(pluginRemoved == true)
      let (missingStatus, _) = try await call(.delete, "/api/v1/plugins/:name", "/api/v1/plugins/routed")
      #expect(missingStatus == 404)
      let alertID = UUID()
      try await store.insertAlert(
        AlertRecord(
          id: alertID, ruleID: UUID(), ruleName: "slow-ttft", severity: .critical,
          message: "ttft p95 is 900 ms",
          sessionID: UUID(uuidString: id), provider: "fake", model: "fake-model", value: 900, threshold: 500,
          triggeredMicros: WallClock.nowMicros))
      let (_, firing) = try await call(.get, "/api/v1/alerts", "/api/v1/alerts?firing=true")
      #expect(firing.arrayValue?.first?["id"]?.stringValue == alertID.lowercasedText, "\(firing)")
      #expect(firing.arrayValue?.first?["state"] == "FIRING" && firing.arrayValue?.first?["value"] == 900)
      let (_, acknowledged) = try await call(
        .post, "/api/v1/alerts/:id/acknowledge", "/api/v1/alerts/\(alertID.lowercasedText)/acknowledge")
      #expect(acknowledged["acknowledgedBy"]?.stringValue == admin.id.lowercasedText, "\(acknowledged)")

      let (loginStatus, login) = try await call(
        .post, "/api/v1/auth/login", "/api/v1/auth/login",
        body: ["username": "admin", "password": "password-of-admin"])
      #expect(loginStatus == 200 && login["user"]?["role"] == "ADMIN", "\(login)")
      let refresh = try #require(login["refreshToken"]?.stringValue)
      let (_, renewed) = try await call(
        .post, "/api/v1/auth/refresh", "/api/v1/auth/refresh", body: ["refreshToken": .string(refresh)])
      #expect(renewed["accessToken"]?.stringValue?.split(separator: ".").count == 3)
      let (_, loggedOut) = try await call(
        .post, "/api/v1/auth/logout", "/api/v1/auth/logout",
        body: ["refreshToken": renewed["refreshToken"] ?? .null])
      #expect(loggedOut == true)
      let (_, me) = try await call(.get, "/api/v1/me", "/api/v1/me")
      #expect(me["username"] == "admin")
      let (_, newUser) = try await call(
        .post, "/api/v1/users", "/api/v1/users",
        body: [
          "input": [
            "username": "vera", "email": "vera@example.org", "password": "a long passphrase",
            "role": "VIEWER",
          ]
        ])
      let vera = try #require(newUser["id"]?.stringValue, "\(newUser)")
      let (_, users) = try await call(.get, "/api/v1/users", "/api/v1/users")
      #expect(users.arrayValue?.compactMap { $0["username"]?.stringValue } == ["admin", "vera"])
      let (_, updated) = try await call(
        .post, "/api/v1/users/:id", "/api/v1/users/\(vera)", body: ["role": "USER"])
      #expect(updated["role"] == "USER")
      let (_, newKey) = try await call(.post, "/api/v1/keys", "/api/v1/keys", body: ["input": ["name": "ci"]])
      let keyID = try #require(newKey["apiKey"]?["id"]?.stringValue, "\(newKey)")
      #expect(newKey["key"]?.stringValue?.hasPrefix("ltb_" + keyID) == true, "\(newKey)")
      let (_, keys) = try await call(.get, "/api/v1/keys", "/api/v1/keys")
      #expect(keys.arrayValue?.compactMap { $0["id"]?.stringValue } == [keyID])
      let (_, revoked) = try await call(.post, "/api/v1/keys/:id/revoke", "/api/v1/keys/\(keyID)/revoke")
      #expect(revoked["revokedAt"]?.stringValue != nil)
      let (_, audit) = try await call(.get, "/api/v1/audit", "/api/v1/audit?first=200")
      let actions = Set(audit["edges"]?.arrayValue?.compactMap { $0["node"]?["action"]?.stringValue } ?? [])
      #expect(
        actions.isSuperset(of: [
          "login.success", "refresh.success", "logout", "mutation.createBenchmark", "mutation.createUser",
          "user.created", "key.created", "key.revoked",
        ]), "\(actions)")
      return covered
    }
    #expect(covered == Set(restRoutes.map { "\($0.method) \($0.path)" }), "every route of the table")
    await store.close()
    await fake.stop()
  }
}
