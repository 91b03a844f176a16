import Foundation
import LTBCore
import LTBProviders
import Testing

/// `[features]` switches whole subsystems off: with the spec's defaults (plugins, distributed
/// and multimodal off) and with realtime and GraphQL off, a real `ltb serve` and the CLI answer
/// FEATURE_DISABLED everywhere the feature would have been, and report the flags.
@Suite("Feature flags", .serialized)
struct FeatureFlagTests {
  /// The spec's defaults: what a fresh install runs with.
  static let defaults = [
    "LTB_FEATURES__PLUGINS": "false", "LTB_FEATURES__DISTRIBUTED": "false",
    "LTB_FEATURES__MULTIMODAL": "false",
  ]

  static func curl(_ arguments: [String]) throws -> (status: Int, body: String) {
    let run = try Shell.run("/usr/bin/curl", ["-s", "-w", "\n%{http_code}"] + arguments)
    let lines = run.stdout.split(separator: "\n", omittingEmptySubsequences: false)
    return (Int(lines.last ?? "") ?? 0, lines.dropLast().joined(separator: "\n"))
  }

  @Test("defaults: plugins and distributed are absent from GraphQL, REST, the CLI and the server's work")
  func defaultsOff() async throws {
    let directory = try BenchCommandTests.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let database = "sqlite:" + directory.appendingPathComponent("f.sqlite").path
    let key = try ServedAPI.key(database: database)
    let port = try FreePort.find()
    let server = try ServedAPI.start(port: port, database: database, environment: Self.defaults)
    try await APIServerTests.waitUntilReady(port, server)

    let plugins = try GatewayCoreTests.graphQL(port, key, "{ plugins { name } }")
    let error = plugins["errors"]?.arrayValue?.first
    #expect(error?["extensions"]?["code"] == "FEATURE_DISABLED", "\(plugins)")
    #expect(error?["message"]?.stringValue?.contains("'plugins' feature, which is disabled") == true)
    #expect(
      error?["extensions"]?["fix"]?.stringValue?.contains("LTB_FEATURES__PLUGINS=true") == true, "\(plugins)")
    let workers = try GatewayCoreTests.graphQL(port, key, "{ workers { id } }")
    #expect(workers["errors"]?.arrayValue?.first?["extensions"]?["code"] == "FEATURE_DISABLED")
    // Fields of features that are on answer as before.
    let health = try GatewayCoreTests.graphQL(port, key, "{ health { status features { feature enabled } } }")
    let flags = (health["data"]?["health"]?["features"]?.arrayValue ?? []).reduce(into: [String: Bool]()) {
      $0[$1["feature"]?.stringValue ?? ""] = $1["enabled"]?.boolValue
    }
    #expect(
      flags == [
        "MULTIMODAL": false, "PLUGINS": false, "DISTRIBUTED": false, "REALTIME": true, "GRAPHQL": true,
        "NEW_PROVIDERS": true,
      ], "\(health)")

    for (method, path) in [
      ("GET", "/api/v1/plugins"), ("POST", "/api/v1/plugins/x/enable"), ("GET", "/api/v1/workers"),
    ] {
      let answer = try Self.curl(["-X", method, "http://127.0.0.1:\(port)\(path)"] + ServedAPI.bearer(key))
      #expect(answer.status == 404, "\(method) \(path): \(answer)")
      #expect(answer.body.contains("FEATURE_DISABLED"), "\(answer.body)")
      #expect(answer.body.contains("features.") && answer.body.contains("= true"), "\(answer.body)")
    }
    #expect(
      try Self.curl(["http://127.0.0.1:\(port)/api/v1/providers"] + ServedAPI.bearer(key)).status == 200)
    let metrics = try Shell.run("/usr/bin/curl", ["-fs", "http://127.0.0.1:\(port)/metrics"]).stdout
    #expect(metrics.contains(#"ltb_feature_enabled{feature="plugins"} 0"#), "\(metrics.prefix(400))")
    #expect(metrics.contains(#"ltb_feature_enabled{feature="graphql"} 1"#))

    // A suite that needs an off feature is refused when it is created.
    let dataset = directory.appendingPathComponent("cases.jsonl")
    try Data(#"{"id": "a", "prompt": "Hi"}"#.utf8).write(to: dataset)
    let suite =
      "name: s\ndatasets: [\(dataset.path)]\ntargets: [{ provider: llamacpp }]\nassertions: [{ type: \"plugin:kw\" }]\n"
    let created = try GatewayCoreTests.graphQL(
      port, key, "mutation($s: String!) { createBenchmark(input: { suite: $s }) { id } }",
      ["s": .string(suite)])
    #expect(created["errors"]?.arrayValue?.first?["extensions"]?["code"] == "FEATURE_DISABLED", "\(created)")
    // So is one whose cases attach images (multimodal) or assert with a plugin.
    let image = directory.appendingPathComponent("pixel.png")
    try Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]).write(to: image)
    for (name, line) in [
      ("multimodal", #"{"id": "m", "prompt": "Describe.", "images": ["\#(image.path)"]}"#),
      ("plugins", #"{"id": "p", "prompt": "Hi", "assertions": [{"type": "plugin:kw"}]}"#),
    ] {
      let cases = directory.appendingPathComponent("\(name).jsonl")
      try Data(line.utf8).write(to: cases)
      let refused = try GatewayCoreTests.graphQL(
        port, key, "mutation($s: String!) { createBenchmark(input: { suite: $s }) { id } }",
        ["s": .string("name: \(name)\ndatasets: [\(cases.path)]\ntargets: [{ provider: llamacpp }]\n")])
      let error = refused["errors"]?.arrayValue?.first
      #expect(error?["extensions"]?["code"] == "FEATURE_DISABLED", "\(refused)")
      #expect(error?["message"]?.stringValue?.contains("'\(name)' feature") == true, "\(refused)")
    }
    server.process.terminate()
    let output = server.finish()
    #expect(!output.stderr.contains("coordinator on"), "no coordinator runs: \(output.stderr.suffix(500))")

    // The CLI commands of an off feature exit with the configuration code and the flag to set.
    let pluginsCLI = try CommandLineTests.run(
      ["plugins", "list", "--database", database], environment: Self.defaults)
    #expect(pluginsCLI.status == 78)
    #expect(
      pluginsCLI.stderr.contains("ltb plugins belongs to the 'plugins' feature"), "\(pluginsCLI.stderr)")
    let worker = try CommandLineTests.run(
      ["worker", "--coordinator", "http://127.0.0.1:1", "--token", "x"], environment: Self.defaults)
    #expect(worker.status == 78)
    #expect(worker.stderr.contains("LTB_FEATURES__DISTRIBUTED=true"), "\(worker.stderr)")
  }

  @Test("realtime and graphql off: no WebSocket, no /graphql, no dashboard; the REST shim still answers")
  func gatewayOff() async throws {
    let directory = try BenchCommandTests.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let database = "sqlite:" + directory.appendingPathComponent("g.sqlite").path
    let key = try ServedAPI.key(database: database)
    let port = try FreePort.find()
    let server = try ServedAPI.start(
      port: port, database: database,
      environment: ["LTB_FEATURES__REALTIME": "false", "LTB_FEATURES__GRAPHQL": "false"])
    defer { server.process.terminate() }
    try await APIServerTests.waitUntilReady(port, server)
    // A WebSocket client (Python's websockets) is upgraded only to be closed with 4404 and the flag.
    let script = """
      import asyncio, sys, websockets
      async def main():
          async with websockets.connect(sys.argv[1], subprotocols=["graphql-transport-ws"]) as ws:
              try:
                  await ws.recv()
              except websockets.ConnectionClosed as closed:
                  print(closed.rcvd.code, closed.rcvd.reason)
      asyncio.run(main())
      """
    let socket = try Shell.run(try APIServerTests.python(), ["-c", script, "ws://127.0.0.1:\(port)/graphql"])
    #expect(socket.stdout.hasPrefix("4404 FEATURE_DISABLED: set features.graphql = true"), "\(socket)")
    let post = try Self.curl([
      "-X", "POST", "-H", "Content-Type: application/json", "--data-binary",
      #"{"query":"{ health { status } }"}"#,
      "http://127.0.0.1:\(port)/graphql",
    ])
    #expect(post.status == 404)
    #expect(post.body.contains("'graphql' feature") && post.body.contains("FEATURE_DISABLED"), "\(post.body)")
    #expect(try Self.curl(["http://127.0.0.1:\(port)/dashboard/"]).status == 404)
    let rest = try Self.curl(["http://127.0.0.1:\(port)/api/v1/health"])
    #expect(rest.status == 200, "\(rest)")
    let flags = try JSONValue.parse(Data(rest.body.utf8))["features"]?.arrayValue ?? []
    #expect(flags.contains { $0["feature"] == "GRAPHQL" && $0["enabled"] == false }, "\(rest.body)")
    #expect(try Self.curl(["http://127.0.0.1:\(port)/api/v1/me"] + ServedAPI.bearer(key)).status == 200)
  }
}
