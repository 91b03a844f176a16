import Foundation
import LTBCore
import LTBProviders
import Testing

/// Plugins through a running `ltb serve`: an operator installs third-party modules over
/// GraphQL without a restart, a suite grades with them and transforms its prompts on the real
/// local model, a hostile plugin leaves the server answering, `ltb plugins` in another process
/// is picked up live, and `ltb eval` re-grades with a plugin.
@Suite("Plugins end to end", .serialized)
struct PluginEndToEndTests {
  static let examples = BenchCommandTests.repository.appendingPathComponent("examples/plugins")

  /// The C examples, built from source.
  static func buildExamples() throws {
    let run = try Shell.run(
      BenchCommandTests.repository.appendingPathComponent("scripts/build-plugins").path, [])
    #expect(run.status == 0, "\(run.stderr)")
  }

  /// The installPlugin variables for the example in `folder` (its module base64-encoded).
  static func installInput(_ folder: String, configuration: JSONValue? = nil) throws -> JSONValue {
    let directory = examples.appendingPathComponent(folder)
    let manifest = try String(contentsOf: directory.appendingPathComponent("plugin.toml"), encoding: .utf8)
    let module = try #require(
      manifest.split(separator: "\n").first { $0.hasPrefix("module") }?.split(separator: "\"").dropFirst()
        .first)
    let bytes = try Data(contentsOf: directory.appendingPathComponent(String(module)))
    var input: [String: JSONValue] = [
      "manifest": .string(manifest), "module": .string(bytes.base64EncodedString()),
    ]
    if let configuration { input["configuration"] = configuration }
    return .object(input)
  }

  static let install =
    "mutation($i: InstallPluginInput!) { installPlugin(input: $i) { name version kind sha256 loaded } }"

  @Test(
    "install over GraphQL, grade a suite on the real model with plugins and a prompt template, survive a hostile plugin"
  )
  func throughTheAPI() async throws {
    try Self.buildExamples()
    let directory = try BenchCommandTests.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let dataset = directory.appendingPathComponent("cases.jsonl")
    try Data(
      #"""
      {"id": "france", "prompt": "What is the capital of France?", "expected": "Paris"}
      {"id": "italy", "prompt": "What is the capital of Italy?", "expected": "Rome"}
      """#.utf8
    ).write(to: dataset)
    let database = "sqlite:" + directory.appendingPathComponent("ltb.sqlite").path
    let environment = [
      "LTB_PLUGINS__DIRECTORY": directory.appendingPathComponent("plugins").path,
      "LTB_PLUGINS__RELOAD_INTERVAL_MS": "200",
    ]
    let admin = try ServedAPI.key(database: database)
    let user = try ServedAPI.key(database: database, name: "ursula", role: "user")
    let port = try FreePort.find()
    let server = try ServedAPI.start(port: port, database: database, environment: environment)
    defer { server.process.terminate() }
    try await APIServerTests.waitUntilReady(port, server)

    // Only MANAGE_PLUGINS installs: a user is refused, and nothing is installed.
    let refused = try GatewayCoreTests.graphQL(
      port, user, Self.install, ["i": try Self.installInput("keyword-coverage")])
    #expect(refused["errors"]?.arrayValue?.first?["extensions"]?["code"] == "FORBIDDEN", "\(refused)")

    let keyword = try GatewayCoreTests.graphQL(
      port, admin, Self.install,
      ["i": try Self.installInput("keyword-coverage", configuration: ["keywords": ["Paris"]])])
    #expect(keyword["data"]?["installPlugin"]?["loaded"] == true, "\(keyword)")
    #expect(keyword["data"]?["installPlugin"]?["kind"] == "EVALUATOR")
    let template = try GatewayCoreTests.graphQL(
      port, admin, Self.install,
      [
        "i": try Self.installInput(
          "prompt-template", configuration: ["template": "Answer in one word.\nQuestion: {{prompt}}"])
      ])
    #expect(template["data"]?["installPlugin"]?["kind"] == "REQUEST_TRANSFORM", "\(template)")
    // A third party's hostile module: an endless loop, stopped by its fuel on every call.
    let spin = """
      (module (memory (export "memory") 1)
        (func (export "ltb_abi_version") (result i32) (i32.const 1))
        (func (export "ltb_alloc") (param i32) (result i32) (i32.const 1024))
        (func (export "ltb_evaluate") (param i32 i32) (result i64) (loop $l (br $l)) (i64.const 0)))
      """
    let hostile = try GatewayCoreTests.graphQL(
      port, admin, Self.install,
      [
        "i": [
          "manifest":
            "[plugin]\nname = \"spin\"\nversion = \"0.1.0\"\nkind = \"evaluator\"\nabi = 1\nmodule = \"spin.wat\"\n[limits]\nfuel = 1_000_000\n",
          "module": .string(Data(spin.utf8).base64EncodedString()),
        ]
      ])
    #expect(hostile["data"]?["installPlugin"]?["name"] == "spin", "\(hostile)")

    let listed = try Shell.run(
      "/usr/bin/curl", ["-fs", "http://127.0.0.1:\(port)/api/v1/plugins"] + ServedAPI.bearer(user))
    let names = try JSONValue.parse(listed.stdout).arrayValue?.compactMap { $0["name"]?.stringValue }
    #expect(names == ["keyword-coverage", "prompt-template", "spin"], "\(listed.stdout)")

    let suite = """
      name: plugged
      datasets: [\(dataset.path)]
      targets: [{ provider: llamacpp, model: smollm2-135m-instruct, parameters: { temperature: 0, max_tokens: 16 } }]
      transforms: { request: [prompt-template] }
      assertions: [{ type: plugin:keyword-coverage, value: [Paris, Rome], threshold: 0.5 }, { type: plugin:spin }]

      """
    let created = try GatewayCoreTests.graphQL(
      port, user, "mutation($s: String!) { createBenchmark(input: { suite: $s }) { id } }",
      ["s": .string(suite)])
    let id = try #require(created["data"]?["createBenchmark"]?["id"]?.stringValue, "\(created)")
    _ = try await GatewayCoreTests.graded(port, user, id, seconds: 300)
    let page = try GatewayCoreTests.graphQL(
      port, user,
      "query($id: UUID!) { results(filter: { sessionId: $id }) { edges { node { testId prompt response evaluations { metric state score explanation evaluator } } } } }",
      ["id": .string(id)])
    let nodes = (page["data"]?["results"]?["edges"]?.arrayValue ?? []).compactMap { $0["node"] }
    #expect(nodes.count == 2, "\(page)")
    for node in nodes {
      #expect(
        node["prompt"]?.stringValue?.hasPrefix("Answer in one word.\nQuestion: What is the capital") == true)
      let response = (node["response"]?.stringValue ?? "").lowercased()
      let verdicts = node["evaluations"]?.arrayValue ?? []
      let coverage = try #require(verdicts.first { $0["metric"] == "plugin:keyword-coverage" }, "\(node)")
      #expect(coverage["state"] == "SCORED" && coverage["evaluator"] == "plugin:keyword-coverage@1.0.0")
      let expected = Double(["paris", "rome"].filter { response.contains($0) }.count) / 2
      #expect(coverage["score"]?.doubleValue == expected, "\(response): \(coverage)")
      let stopped = try #require(verdicts.first { $0["metric"] == "plugin:spin" })
      #expect(stopped["state"] == "ERROR" && stopped["evaluator"] == "plugin:spin@0.1.0")
      #expect(stopped["explanation"]?.stringValue?.contains("ran out of fuel") == true, "\(stopped)")
    }
    #expect(try Shell.run("/usr/bin/curl", ["-fs", "http://127.0.0.1:\(port)/health"]).status == 0)
    let stored = try Shell.run(
      "/usr/bin/sqlite3",
      [String(database.dropFirst(7)), "SELECT plugin_metrics FROM results WHERE plugin_metrics IS NOT NULL"])
    #expect(stored.stdout.contains(#""plugin":"plugin:keyword-coverage@1.0.0""#), "\(stored.stdout)")

    // Installed from the command line by another process: the server picks it up live.
    let cli = try CommandLineTests.run(
      [
        "plugins", "install", Self.examples.appendingPathComponent("short-answer").path, "--database",
        database,
      ],
      environment: environment)
    #expect(cli.status == 0, "\(cli.stderr)")
    var loaded = false
    for _ in 0..<50 where !loaded {
      let plugins = try GatewayCoreTests.graphQL(port, user, "{ plugins { name loaded } }")
      loaded =
        plugins["data"]?["plugins"]?.arrayValue?.contains {
          $0["name"] == "short-answer" && $0["loaded"] == true
        } == true
      if !loaded { try await Task.sleep(for: .milliseconds(100)) }
    }
    #expect(loaded, "the server did not load the plugin ltb plugins installed")
    // ltb eval re-grades the stored answers with it.
    let eval = try CommandLineTests.run(
      ["eval", id, "--metrics", "plugin:short-answer", "--only", "--database", database],
      environment: environment)
    #expect(eval.status == 0, "\(eval.stderr)")
    #expect(eval.stdout.contains("plugin:short-answer"), "\(eval.stdout)")

    // Removed over REST: gone from the list; every change is in the audit log.
    let removed = try Shell.run(
      "/usr/bin/curl",
      ["-fs", "-X", "DELETE", "http://127.0.0.1:\(port)/api/v1/plugins/spin"] + ServedAPI.bearer(admin))
    #expect(removed.stdout == "true", "\(removed.stdout)\(removed.stderr)")
    let audit = try GatewayCoreTests.graphQL(
      port, admin, #"{ auditLog(filter: { actionPrefix: "plugin." }) { edges { node { action details } } } }"#
    )
    let actions = (audit["data"]?["auditLog"]?["edges"]?.arrayValue ?? []).compactMap {
      $0["node"]?["action"]?.stringValue
    }
    #expect(
      actions.sorted() == [
        "plugin.install", "plugin.install", "plugin.install", "plugin.install", "plugin.remove",
      ], "\(audit)")
  }
}
