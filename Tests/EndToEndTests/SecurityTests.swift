import Foundation
import LTBCore
import LTBProviders
import LTBStorage
import Testing

/// The security suite against a real `ltb serve`: hostile input gets a clear 4xx and the server
/// stays up with its data intact; the rate limit answers 429 with Retry-After; password guessing
/// is slowed; CORS and security headers; the server refuses to start without a real secret.
@Suite("Security end to end", .serialized)
struct SecurityTests {
  /// curl's status, headers and body for one request.
  static func request(
    _ url: String, method: String = "GET", key: String? = nil, body: String? = nil, bodyFile: String? = nil,
    headers: [String] = []
  ) throws -> (status: Int, headers: String, body: String) {
    var arguments = ["-s", "-o", "/dev/stdout", "-D", "/dev/stderr", "-w", "\n%{http_code}", "-X", method]
    if let key { arguments += ServedAPI.bearer(key) }
    for header in headers { arguments += ["-H", header] }
    if let body { arguments += ["-H", "Content-Type: application/json", "--data-binary", body] }
    if let bodyFile {
      arguments += ["-H", "Content-Type: application/json", "--data-binary", "@" + bodyFile]
    }
    let run = try Shell.run("/usr/bin/curl", arguments + [url])
    let lines = run.stdout.split(separator: "\n", omittingEmptySubsequences: false)
    return (Int(lines.last ?? "") ?? 0, run.stderr, lines.dropLast().joined(separator: "\n"))
  }

  @Test("hostile input: injection in every filter, huge, deep, wide, invalid UTF-8: 4xx or empty, never 5xx")
  func hostileInput() async throws {
    let directory = try BenchCommandTests.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let path = directory.appendingPathComponent("h.sqlite").path
    _ = try await ServedAPI.seed(path, name: "h")
    let key = try ServedAPI.key(database: "sqlite:" + path)
    let port = try FreePort.find()
    let server = try ServedAPI.start(port: port, database: "sqlite:" + path, ["--max-body-bytes", "65536"])
    defer { server.process.terminate() }
    try await APIServerTests.waitUntilReady(port, server)
    let graphql = "http://127.0.0.1:\(port)/graphql"
    func post(_ query: String, _ variables: JSONValue = [:]) throws -> (
      status: Int, headers: String, body: String
    ) {
      try Self.request(
        graphql, method: "POST", key: key,
        body: JSONValue.object(["query": .string(query), "variables": variables]).serialized())
    }
    let injections = [
      "' OR '1'='1", "'; DROP TABLE results; --", "\" OR 1=1 --",
      "%' UNION SELECT password_hash FROM users --",
      "*) OR (1=1", "\\'; DELETE FROM users; --",
    ]
    for text in injections {
      let filters: [JSONValue] = [
        ["provider": .string(text)], ["model": .string(text)], ["testId": .string(text)],
        ["text": .string(text)],
        ["tags": [.string(text)]],
      ]
      for filter in filters {
        let answer = try post(
          "query($f: ResultFilter) { results(filter: $f, first: 5) { edges { node { id } } } }", ["f": filter]
        )
        #expect(answer.status == 200, "\(filter): \(answer.body)")
        #expect(
          try JSONValue.parse(answer.body)["data"]?["results"]?["edges"] == [], "\(filter) matched nothing")
      }
      let badID = try post("query($id: UUID!) { benchmark(id: $id) { id } }", ["id": .string(text)])
      #expect(badID.status == 400 && badID.body.contains("BAD_USER_INPUT"), "\(badID.body)")
      let audit = try post(
        "query($f: AuditFilter) { auditLog(filter: $f) { edges { cursor } } }",
        ["f": ["actionPrefix": .string(text), "resourceType": .string(text)]])
      #expect(audit.status == 200, "\(audit.body)")
      let rest = try Self.request(
        "http://127.0.0.1:\(port)/api/v1/providers/\(text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")",
        key: key)
      #expect(rest.status == 404, "\(rest.body)")
    }
    // Oversized body: refused before it is read whole.
    let big = directory.appendingPathComponent("big.json")
    try Data(
      ("{\"query\": \"{ health { status } }\", \"pad\": \"" + String(repeating: "x", count: 200_000) + "\"}")
        .utf8
    )
    .write(to: big)
    #expect(try Self.request(graphql, method: "POST", key: key, bodyFile: big.path).status == 413)
    // Deep and wide queries are refused by the depth and complexity limits.
    let deep =
      "{ __schema { types { fields { type " + String(repeating: "{ ofType ", count: 30) + "{ name }"
      + String(repeating: " }", count: 30) + " } } } }"
    let deepAnswer = try post(deep)
    #expect(deepAnswer.status == 400 && deepAnswer.body.contains("QUERY_TOO_DEEP"), "\(deepAnswer.body)")
    let wide =
      "{ "
      + (0..<3_000).map { "a\($0): results(first: 100) { edges { node { id prompt } } }" }.joined(
        separator: " ") + " }"
    let wideFile = directory.appendingPathComponent("wide.json")
    try Data(JSONValue.object(["query": .string(wide)]).serialized().utf8).write(to: wideFile)
    let wideAnswer = try Self.request(graphql, method: "POST", key: key, bodyFile: wideFile.path)
    #expect(
      wideAnswer.status == 413 || (wideAnswer.status == 400 && wideAnswer.body.contains("QUERY_TOO_COMPLEX")),
      "\(wideAnswer.body)")
    // Invalid UTF-8.
    let invalid = directory.appendingPathComponent("invalid.bin")
    try Data([0x7B, 0x22, 0x71, 0x75, 0x65, 0x72, 0x79, 0x22, 0x3A, 0x22, 0xFF, 0xFE, 0xC3, 0x28, 0x22, 0x7D])
      .write(to: invalid)
    #expect(try Self.request(graphql, method: "POST", key: key, bodyFile: invalid.path).status == 400)
    // A huge variables object (5,000 members, within the body limit).
    let variables = JSONValue.object(
      Dictionary(uniqueKeysWithValues: (0..<5_000).map { ("v\($0)", JSONValue.int($0)) }))
    let hugeFile = directory.appendingPathComponent("huge.json")
    try Data(JSONValue.object(["query": "{ health { status } }", "variables": variables]).serialized().utf8)
      .write(to: hugeFile)
    let huge = try Self.request(graphql, method: "POST", key: key, bodyFile: hugeFile.path)
    #expect(huge.status == 200 || huge.status == 400 || huge.status == 413, "\(huge.status)")
    // Still up, and nothing was lost.
    #expect(try Self.request("http://127.0.0.1:\(port)/health").status == 200)
    let count = try Shell.run(
      "/usr/bin/sqlite3",
      [path, "SELECT (SELECT COUNT(*) FROM results) || ',' || (SELECT COUNT(*) FROM users)"])
    #expect(count.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "1,1")
  }

  @Test("a burst beyond the bucket gets 429 with Retry-After; password guessing is slowed; headers and CORS")
  func limits() async throws {
    let directory = try BenchCommandTests.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let database = "sqlite:" + directory.appendingPathComponent("l.sqlite").path
    let key = try ServedAPI.key(database: database)
    let port = try FreePort.find()
    // The CORS allow-list from the configuration file's [server] table, the limit from flags.
    let config = directory.appendingPathComponent("ltb.toml")
    try Data("[server]\ncors_origins = [\"https://dash.example.org\"]\nrate_limit = 50\n".utf8).write(
      to: config)
    let server = try ServedAPI.start(
      port: port, database: database, ["--config", config.path, "--rate-limit", "2", "--rate-burst", "5"])
    defer { server.process.terminate() }
    try await APIServerTests.waitUntilReady(port, server)
    let me = "http://127.0.0.1:\(port)/api/v1/me"
    var statuses: [Int] = []
    var retryAfter: String?
    for _ in 0..<12 {
      let answer = try Self.request(me, key: key)
      statuses.append(answer.status)
      if answer.status == 429 {
        retryAfter = answer.headers.split(separator: "\r\n").first {
          $0.lowercased().hasPrefix("retry-after:")
        }
        .map { String($0.dropFirst("retry-after:".count)).trimmingCharacters(in: .whitespaces) }
        #expect(answer.body.contains("RATE_LIMITED"))
      }
    }
    #expect(statuses.prefix(5).allSatisfy { $0 == 200 }, "the burst passes: \(statuses)")
    #expect(statuses.filter { $0 == 429 }.count >= 4, "then the bucket is empty: \(statuses)")
    #expect(Int(retryAfter ?? "") ?? 0 >= 1, "Retry-After: \(retryAfter ?? "missing")")
    #expect(try Self.request("http://127.0.0.1:\(port)/health").status == 200, "probes are exempt")

    // Password guessing (another address is not available; the limit refills first).
    try await Task.sleep(for: .seconds(3))
    let login = "http://127.0.0.1:\(port)/api/v1/auth/login"
    var guesses: [(status: Int, body: String, retry: String?)] = []
    for attempt in 0..<6 {
      try await Task.sleep(for: .milliseconds(600))
      let answer = try Self.request(
        login, method: "POST", body: #"{"username": "admin", "password": "guess-\#(attempt)"}"#)
      let retry = answer.headers.split(separator: "\r\n").first { $0.lowercased().hasPrefix("retry-after:") }
      guesses.append((answer.status, answer.body, retry.map(String.init)))
    }
    #expect(guesses.prefix(5).allSatisfy { $0.status == 401 }, "\(guesses.map(\.status))")
    #expect(guesses[5].status == 429 && guesses[5].body.contains("too many attempts"), "\(guesses[5])")
    #expect(guesses[5].retry != nil, "a throttled sign-in says when to retry")

    // Security headers on every response; CORS only for the allowed origin.
    try await Task.sleep(for: .seconds(3))
    let allowed = try Self.request(me, key: key, headers: ["Origin: https://dash.example.org"])
    let lowered = allowed.headers.lowercased()
    #expect(lowered.contains("access-control-allow-origin: https://dash.example.org"))
    #expect(lowered.contains("x-content-type-options: nosniff"))
    #expect(lowered.contains("x-frame-options: deny"))
    #expect(lowered.contains("referrer-policy: no-referrer"))
    #expect(lowered.contains("content-security-policy:"))
    let other = try Self.request(me, key: key, headers: ["Origin: https://evil.example.com"])
    #expect(!other.headers.lowercased().contains("access-control-allow-origin"))
    let preflight = try Self.request(
      "http://127.0.0.1:\(port)/graphql", method: "OPTIONS",
      headers: ["Origin: https://dash.example.org", "Access-Control-Request-Method: POST"])
    #expect(preflight.status == 204)
    #expect(preflight.headers.lowercased().contains("access-control-allow-headers: authorization"))
    // A bad credential is 401 with WWW-Authenticate, even on a public route.
    let bad = try Self.request(
      "http://127.0.0.1:\(port)/api/v1/health", key: "ltb_" + String(repeating: "x", count: 32))
    #expect(bad.status == 401 && bad.headers.lowercased().contains("www-authenticate: bearer"))
  }

  @Test("the server refuses to start without a real secret, unless --dev")
  func secretRequired() throws {
    let directory = try BenchCommandTests.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let database = "sqlite:" + directory.appendingPathComponent("s.sqlite").path
    for (secret, expected) in [
      ("", "no token signing secret"), ("change-me-change-me-change-me-change-me", "looks like an example"),
      ("too-short-but-random-Qx7", "at least 32 are needed"),
    ] {
      let run = try CommandLineTests.run(
        ["serve", "--port", String(try FreePort.find()), "--database", database, "--grpc-port", "0"],
        environment: ["LTB_JWT_SECRET": secret])
      #expect(run.status == 78, "\(secret): \(run.stderr)")
      #expect(run.stderr.contains(expected), "\(secret): \(run.stderr)")
    }
    let port = try FreePort.find()
    let dev = try CommandLineTests.start(
      ["serve", "--dev", "--port", String(port), "--database", database, "--grpc-port", "0"],
      environment: ["LTB_JWT_SECRET": ""])
    defer { dev.process.terminate() }
    var ready = false
    for _ in 0..<100 where !ready {
      ready = (try? Shell.run("/usr/bin/curl", ["-fs", "http://127.0.0.1:\(port)/ready"]))?.status == 0
      if !ready { Thread.sleep(forTimeInterval: 0.1) }
    }
    #expect(ready, "--dev starts without a secret")
  }

  @Test("provider keys from a file and the environment never appear in responses, exports, metrics or logs")
  func secretsStayHidden() async throws {
    let directory = try BenchCommandTests.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let (fake, environment, _) = try APIServerTests.fakeTarget(in: directory, cases: 1)
    defer { fake.process.terminate() }
    let fileKey = "sk-file-SECRET-7d1f3a9b55e0"
    let envKey = "sk-env-SECRET-c0ffee42beef"
    let keyFile = directory.appendingPathComponent("vault.key")
    try Data((fileKey + "\n").utf8).write(to: keyFile)
    var settings = environment
    settings["LTB_PROVIDERS__VAULT__TYPE"] = "openai-compatible"
    settings["LTB_PROVIDERS__VAULT__BASE_URL"] = environment["LTB_PROVIDERS__FAKE__BASE_URL"]
    settings["LTB_PROVIDERS__VAULT__DEFAULT_MODEL"] = "fake-model"
    settings["LTB_PROVIDERS__VAULT__API_KEY_FILE"] = keyFile.path
    settings["LTB_PROVIDERS__BROKEN__TYPE"] = "openai-compatible"
    settings["LTB_PROVIDERS__BROKEN__BASE_URL"] = "http://127.0.0.1:\(try FreePort.find())/v1"
    settings["LTB_PROVIDERS__BROKEN__DEFAULT_MODEL"] = "fake-model"
    settings["LTB_PROVIDERS__BROKEN__API_KEY_ENV"] = "BROKEN_KEY"
    settings["LTB_PROVIDERS__BROKEN__MAX_RETRIES"] = "0"
    settings["BROKEN_KEY"] = envKey
    let database = "sqlite:" + directory.appendingPathComponent("k.sqlite").path
    let key = try ServedAPI.key(database: database)
    let port = try FreePort.find()
    let server = try ServedAPI.start(port: port, database: database, environment: settings)
    try await APIServerTests.waitUntilReady(port, server)
    let base = "http://127.0.0.1:\(port)"
    let dataset = directory.appendingPathComponent("cases.jsonl").path
    let suite = "name: keys\ndatasets: [\(dataset)]\ntargets: [{ provider: vault }, { provider: broken }]\n"
    let created = try Self.request(
      base + "/api/v1/benchmarks", method: "POST", key: key,
      body: JSONValue.object(["input": ["suite": .string(suite)]]).serialized())
    let id = try #require((try? JSONValue.parse(created.body))?["id"]?.stringValue, "\(created.body)")
    var status = JSONValue.null
    for _ in 0..<200 where status != "COMPLETED" && status != "FAILED" {
      try await Task.sleep(for: .milliseconds(100))
      status =
        (try? JSONValue.parse(try Self.request(base + "/api/v1/benchmarks/\(id)", key: key).body))?["status"]
        ?? .null
    }
    let filter =
      JSONValue.object(["sessionId": .string(id)]).serialized()
      .addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
    var seen = ""
    for path in [
      "/api/v1/providers", "/api/v1/providers/vault", "/api/v1/providers/broken", "/api/v1/benchmarks/\(id)",
      "/api/v1/results?first=50&filter=\(filter)", "/api/v1/results/export?sessionId=\(id)",
      "/api/v1/audit?first=200",
      "/api/v1/metrics?sessionId=\(id)", "/metrics",
    ] {
      let answer = try Self.request(base + path, key: key)
      #expect(answer.status == 200, "\(path): \(answer.status)")
      seen += answer.body
    }
    server.process.terminate()
    let logs = server.finish()
    seen += logs.stdout + logs.stderr
    #expect(
      seen.contains("SUCCESS") && seen.contains("FAILURE"),
      "the run used both providers: \(status) \(seen.prefix(3_000))")
    #expect(!seen.contains("SECRET"), "no key in any response or log")
    let config = try CommandLineTests.run(["config", "show"], environment: settings)
    #expect(!config.stdout.contains("SECRET") && !config.stderr.contains("SECRET"))
  }

  @Test("a socket whose access token expires is closed with 4403")
  func tokenExpiry() async throws {
    let directory = try BenchCommandTests.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let database = "sqlite:" + directory.appendingPathComponent("e.sqlite").path
    _ = try ServedAPI.key(database: database)
    let port = try FreePort.find()
    let server = try ServedAPI.start(port: port, database: database, ["--access-token-ttl", "10"])
    defer { server.process.terminate() }
    try await APIServerTests.waitUntilReady(port, server)
    let login = try Self.request(
      "http://127.0.0.1:\(port)/api/v1/auth/login", method: "POST",
      body: #"{"username": "admin", "password": "password-of-admin"}"#)
    let token = try #require((try? JSONValue.parse(login.body))?["accessToken"]?.stringValue, "\(login.body)")
    let script = BenchCommandTests.repository.appendingPathComponent("scripts/reference/ws_expiry.py").path
    let run = try Shell.run(try APIServerTests.python(), [script, "ws://127.0.0.1:\(port)/graphql", token])
    let result = try JSONValue.parse(run.stdout)
    #expect(result["ack"] == "connection_ack")
    #expect(result["code"] == 4403, "\(run.stdout)\(run.stderr.suffix(1_000))")
    let seconds = result["seconds"]?.doubleValue ?? 0
    #expect(seconds > 7 && seconds < 13, "closed when the 10 s token expired: \(seconds) s")
  }

  @Test(
    "ltb users and ltb keys: create, list, change, revoke; a revoked key and a deactivated user are refused")
  func commands() async throws {
    let directory = try BenchCommandTests.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let database = "sqlite:" + directory.appendingPathComponent("c.sqlite").path
    let adminKey = try ServedAPI.key(database: database)
    let userKey = try ServedAPI.key(database: database, name: "ursula", role: "user")
    let weak = try CommandLineTests.run(
      ["users", "create", "walt", "--email", "walt@example.org", "--database", database], input: "short\n")
    #expect(weak.status == 78 && weak.stderr.contains("password must be"), "\(weak.stderr)")
    let badRole = try CommandLineTests.run(
      ["users", "create", "walt", "--email", "walt@example.org", "--role", "root", "--database", database],
      input: "long enough password\n")
    #expect(
      badRole.status == 78 && badRole.stderr.contains("use one of admin, user, viewer"), "\(badRole.stderr)")
    let users = try CommandLineTests.run(["users", "list", "--database", database])
    #expect(users.stdout.contains("admin   active    admin <admin@example.org>"), "\(users.stdout)")
    #expect(users.stdout.contains("user    active    ursula <ursula@example.org>"), "\(users.stdout)")
    let keys = try CommandLineTests.run(["keys", "list", "--user", "ursula", "--database", database])
    let keyID = String(userKey.dropFirst(4).prefix(8))
    #expect(keys.stdout.hasPrefix(keyID) && keys.stdout.contains("active"), "\(keys.stdout)")
    #expect(!keys.stdout.contains(userKey), "the key itself is never listed")
    let sqlite = try Shell.run(
      "/usr/bin/sqlite3",
      [directory.appendingPathComponent("c.sqlite").path, "SELECT key_hash FROM api_keys"])
    #expect(!sqlite.stdout.contains(userKey.dropFirst(12)) && sqlite.stdout.contains("$argon2id$"))

    let port = try FreePort.find()
    let server = try ServedAPI.start(port: port, database: database)
    defer { server.process.terminate() }
    try await APIServerTests.waitUntilReady(port, server)
    let me = "http://127.0.0.1:\(port)/api/v1/me"
    #expect(
      try Self.request(me, headers: ["X-API-Key: \(userKey)"]).status == 200, "X-API-Key is accepted too")
    let revoke = try CommandLineTests.run(["keys", "revoke", keyID, "--database", database])
    #expect(revoke.status == 0 && revoke.stdout.contains("revoked \(keyID)"), "\(revoke.stderr)")
    // The server re-checks a cached key within 60 s; a fresh server sees the revocation at once.
    server.process.terminate()
    _ = server.finish()
    let restarted = try ServedAPI.start(port: port, database: database)
    defer { restarted.process.terminate() }
    try await APIServerTests.waitUntilReady(port, restarted)
    #expect(try Self.request(me, key: userKey).status == 401)
    let demoted = try CommandLineTests.run([
      "users", "update", "admin", "--no-active", "--database", database,
    ])
    #expect(demoted.status == 0 && demoted.stdout.contains("admin: admin, inactive"), "\(demoted.stderr)")
    #expect(try Self.request(me, key: adminKey).status == 401, "a deactivated user's keys stop working")
  }
}
