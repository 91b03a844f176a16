import Foundation
import LTBCore
import LTBProviders
import Testing

/// A LangSmith dataset pulled with `ltb dataset import --from langsmith`, against
/// `scripts/reference/langsmith_server.py`: a local stand-in for LangSmith's dataset endpoints
/// that the official `langsmith` client reads first, so the shapes are the ones that client
/// expects. `ltb`'s requests are then compared with the client's.
@Suite("LangSmith datasets", .serialized)
struct LangSmithTests {
  /// Starts the stand-in over `seed.json` in `directory`, logging to `requests.jsonl` there; the
  /// process and its address.
  static func startStandIn(python: String, in directory: URL) throws -> (Process, String) {
    let server = Process()
    server.executableURL = URL(fileURLWithPath: python)
    server.arguments = [
      BenchCommandTests.repository.appendingPathComponent("scripts/reference/langsmith_server.py").path,
      directory.appendingPathComponent("seed.json").path,
      directory.appendingPathComponent("requests.jsonl").path,
      "ls-test-key",
    ]
    let output = Pipe()
    server.standardOutput = output
    server.standardError = FileHandle.nullDevice
    try server.run()
    let ready = String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
    guard
      let port = ready.split(separator: " ").last.flatMap({
        Int($0.trimmingCharacters(in: .whitespacesAndNewlines))
      })
    else {
      kill(server.processIdentifier, SIGKILL)
      throw LTBError(.internal, "the LangSmith stand-in did not start: \(ready)")
    }
    return (server, "http://127.0.0.1:\(port)")
  }

  /// The requests the stand-in logged since it was last emptied, and empties it.
  static func takeRequests(in directory: URL) throws -> [JSONValue] {
    let file = directory.appendingPathComponent("requests.jsonl")
    let lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n")
    try Data().write(to: file)
    return try lines.map { try JSONValue.parse(Data($0.utf8)) }
  }

  @Test("the official client and ltb read the same examples through the same requests; a chat dataset runs")
  func importDataset() async throws {
    let directory = try BenchCommandTests.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
    // 150 examples: two of LangSmith's 100-example pages.
    let qa: [JSONValue] = (0..<150).map { index in
      [
        "inputs": ["question": .string("What is \(index) + 1?"), "context": .string("Arithmetic.")],
        "outputs": ["answer": .string(String(index + 1))],
        "metadata": ["split": index % 2 == 0 ? "train" : "test"],
      ]
    }
    let chat: [JSONValue] = [
      [
        "inputs": [
          "messages": [
            ["role": "system", "content": "Answer in one word."],
            ["type": "human", "data": ["content": "What is the capital of France?"]],
          ]
        ],
        "outputs": ["output": ["role": "ai", "content": "Paris"]],
      ],
      [
        "inputs": ["messages": [["role": "user", "content": "What is the capital of Italy?"]]],
        "outputs": ["output": ["type": "ai", "content": "Rome"]],
      ],
    ]
    let seed: JSONValue = [
      "datasets": [
        ["name": "arithmetic", "data_type": "kv", "examples": .array(qa)],
        ["name": "capitals", "data_type": "chat", "examples": .array(chat)],
      ]
    ]
    try Data(seed.serialized().utf8).write(to: URL(fileURLWithPath: path("seed.json")))
    let python = try APIServerTests.python()
    let (server, url) = try Self.startStandIn(python: python, in: directory)
    defer { kill(server.processIdentifier, SIGKILL) }

    // The official client first.
    let reference = try Shell.run(
      python,
      [
        BenchCommandTests.repository.appendingPathComponent("scripts/reference/langsmith_read.py").path, url,
        "ls-test-key", "arithmetic",
      ])
    #expect(reference.status == 0, "\(reference.stderr)")
    let sdk = try JSONValue.parse(Data(reference.stdout.utf8))
    let sdkRequests = try String(contentsOfFile: path("requests.jsonl"), encoding: .utf8).split(
      separator: "\n")
    try Data().write(to: URL(fileURLWithPath: path("requests.jsonl")))

    let environment = ["LTB_INTEGRATIONS__LANGSMITH__API_URL": url, "LANGSMITH_API_KEY": "ls-test-key"]
    let imported = try CommandLineTests.run(
      ["dataset", "import", "--from", "langsmith", "arithmetic", "-o", path("arithmetic.jsonl")],
      environment: environment)
    #expect(imported.status == 0, "\(imported.stderr)")
    #expect(imported.stdout.contains("wrote 150 cases"), "\(imported.stdout)")
    let cases = try String(contentsOfFile: path("arithmetic.jsonl"), encoding: .utf8).split(separator: "\n")
      .map {
        try JSONValue.parse(Data($0.utf8))
      }
    let examples = sdk["examples"]?.arrayValue ?? []
    #expect(examples.count == 150)
    #expect(cases.map { $0["id"] } == examples.map { $0["id"] })
    for (example, testCase) in zip(examples, cases) {
      #expect(testCase["prompt"] == example["inputs"]?["question"])
      #expect(testCase["expected"] == example["outputs"]?["answer"])
      #expect(testCase["context"] == [example["inputs"]?["context"] ?? .null])
      #expect(testCase["metadata"]?["split"] == example["metadata"]?["split"])
      #expect(testCase["metadata"]?["langsmith_example_id"] == example["id"])
    }

    // ltb asked what the client asked: the dataset by name (one of it), then the examples by page.
    func asked(_ lines: [Substring]) throws -> Set<String> {
      Set(
        try lines.map { try JSONValue.parse(Data($0.utf8)) }.filter {
          ["/datasets", "/examples"].contains($0["path"]?.stringValue)
        }
        .map { request in
          let query = request["query"]?.objectValue ?? [:]
          let shown = query.keys.filter { $0 != "inline_s3_urls" }.sorted().map {
            "\($0)=\(query[$0]?[0]?.stringValue ?? "")"
          }
          return
            "\(request["path"]?.stringValue ?? "")?\(shown.joined(separator: "&")) key:\(request["authorized"] == true)"
        })
    }
    let ltbRequests = try String(contentsOfFile: path("requests.jsonl"), encoding: .utf8).split(
      separator: "\n")
    let ours = try asked(ltbRequests)
    let theirs = try asked(sdkRequests)
    #expect(ours.isSubset(of: theirs), "ltb: \(ours.sorted())\nclient: \(theirs.sorted())")
    #expect(
      ours.contains { $0.hasPrefix("/examples?dataset=") && $0.contains("offset=100") }, "\(ours.sorted())")

    // A chat dataset becomes messages with the expected answer, and runs against the local model.
    let chatImport = try CommandLineTests.run(
      ["dataset", "import", "--from", "langsmith", "capitals", "-o", path("capitals.jsonl")],
      environment: environment)
    #expect(chatImport.status == 0, "\(chatImport.stderr)")
    let first = try JSONValue.parse(
      Data(try String(contentsOfFile: path("capitals.jsonl"), encoding: .utf8).split(separator: "\n")[0].utf8)
    )
    #expect(first["messages"]?[1]?["role"] == "user")
    #expect(first["messages"]?[0]?["role"] == "system")
    #expect(first["expected"] == "Paris")
    let run = try CommandLineTests.run([
      "bench", "--dataset", path("capitals.jsonl"), "--provider", "llamacpp", "--database",
      "sqlite:" + path("ltb.sqlite"),
    ])
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.stdout.contains("ok 2 (100.0%)"), "\(run.stdout)")

    // A wrong key and an unknown dataset are named.
    let refused = try CommandLineTests.run(
      ["dataset", "import", "--from", "langsmith", "arithmetic", "-o", path("x.jsonl")],
      environment: environment.merging(["LANGSMITH_API_KEY": "wrong"]) { $1 })
    #expect(refused.status == 77)
    #expect(refused.stderr.contains("LangSmith refused the API key"))
    let missing = try CommandLineTests.run(
      ["dataset", "import", "--from", "langsmith", "nope", "-o", path("x.jsonl")], environment: environment)
    #expect(missing.status == 66)
    #expect(missing.stderr.contains("no dataset named 'nope'"))
  }

  @Test(
    "a graded session becomes a LangSmith experiment over the dataset it came from: trace runs with usage, first token and errors, verdicts as feedback, in the requests the official client sends"
  )
  func exportExperiment() async throws {
    let directory = try BenchCommandTests.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
    let examples: [JSONValue] = (0..<6).map { index in
      ["inputs": ["question": .string("Say hello \(index)")], "outputs": ["answer": "tok1"]]
    }
    let seed: JSONValue = ["datasets": [["name": "greetings", "examples": .array(examples)]]]
    try Data(seed.serialized().utf8).write(to: URL(fileURLWithPath: path("seed.json")))
    let python = try APIServerTests.python()
    let (server, url) = try Self.startStandIn(python: python, in: directory)
    defer { kill(server.processIdentifier, SIGKILL) }

    // The official client writes an experiment the way ltb does.
    let reference = try Shell.run(
      python,
      [
        BenchCommandTests.repository.appendingPathComponent("scripts/reference/langsmith_experiment.py").path,
        "write", url, "ls-test-key",
      ])
    #expect(reference.status == 0, "\(reference.stderr.suffix(2_000))")
    let sdkRequests = try Self.takeRequests(in: directory)

    let environment = ["LTB_INTEGRATIONS__LANGSMITH__API_URL": url, "LANGSMITH_API_KEY": "ls-test-key"]
    let imported = try CommandLineTests.run(
      ["dataset", "import", "--from", "langsmith", "greetings", "-o", path("greetings.jsonl")],
      environment: environment)
    #expect(imported.status == 0, "\(imported.stderr)")
    let exampleIDs = Set(
      try String(contentsOfFile: path("greetings.jsonl"), encoding: .utf8).split(separator: "\n").compactMap {
        try JSONValue.parse(Data($0.utf8))["metadata"]?["langsmith_example_id"]?.stringValue
      })
    #expect(exampleIDs.count == 6)
    _ = try Self.takeRequests(in: directory)

    let (fakePort, deadPort) = (try FreePort.find(), try FreePort.find())
    let fake = try CommandLineTests.start([
      "fake-server", "--port", String(fakePort), "--ttft-ms", "30", "--itl-ms", "1", "--tokens", "4",
    ])
    defer { fake.process.terminate() }
    try Data(
      """
      [providers.fake]
      type = "openai-compatible"
      base_url = "http://127.0.0.1:\(fakePort)/v1"
      max_retries = 0

      [providers.dead]
      type = "openai-compatible"
      base_url = "http://127.0.0.1:\(deadPort)/v1"
      max_retries = 0

      """.utf8
    ).write(to: URL(fileURLWithPath: path("ltb.toml")))
    try Data(
      """
      name: greetings-run
      datasets: [\(path("greetings.jsonl"))]
      targets: [{ provider: fake, model: m }, { provider: dead, model: m }]
      assertions: [{ type: contains, value: tok1 }]
      concurrency: 2

      """.utf8
    ).write(to: URL(fileURLWithPath: path("suite.yaml")))
    let database = "sqlite:" + path("ltb.sqlite")
    let bench = try CommandLineTests.run(
      [
        "bench", path("suite.yaml"), "--config", path("ltb.toml"), "--database", database, "--log-to",
        "langsmith",
      ], environment: environment)
    #expect(bench.status == 0, "\(bench.stderr)")
    let session = try #require(BenchCommandTests.sessionID(in: bench.stderr))
    let project = "greetings-run-\(session.lowercased().prefix(8))"
    #expect(
      bench.stderr.contains("logged to langsmith as project '\(project)' with 12 runs and 6 feedback scores"),
      "\(bench.stderr)")
    let ltbRequests = try Self.takeRequests(in: directory)

    // Read back by the official client.
    let read = try Shell.run(
      python,
      [
        BenchCommandTests.repository.appendingPathComponent("scripts/reference/langsmith_experiment.py").path,
        "read", url, "ls-test-key", project,
      ])
    #expect(read.status == 0, "\(read.stderr.suffix(2_000))")
    let seen = try JSONValue.parse(Data(read.stdout.utf8))
    #expect(seen["project"]?["metadata"]?["ltb_export"] == "complete")
    #expect(seen["project"]?["metadata"]?["ltb_session_id"]?.stringValue == session.lowercased())
    #expect(seen["project"]?["closed"] == true)
    #expect(seen["project"]?["reference_dataset_id"]?.stringValue != nil, "an experiment over its dataset")
    let runs = seen["runs"]?.arrayValue ?? []
    #expect(runs.count == 12)
    let answered = runs.filter { $0["status"] == "success" }
    let failed = runs.filter { $0["status"] == "error" }
    #expect(answered.count == 6 && failed.count == 6)
    for run in answered {
      #expect(run["name"] == "fake/m" && run["run_type"] == "llm")
      #expect(run["output"]?.stringValue?.contains("tok1") == true)
      #expect(run["prompt"]?.stringValue?.hasPrefix("Say hello") == true)
      let tokens = (run["prompt_tokens"]?.intValue ?? 0) + (run["completion_tokens"]?.intValue ?? 0)
      #expect(run["total_tokens"]?.intValue == tokens && tokens > 0, "\(run)")
      // The first token as LangSmith derives it from the run's events: ltb's TTFT.
      let ttft = try #require(run["metadata"]?["ttft_ms"]?.doubleValue)
      #expect(abs((run["ttft_ms"]?.doubleValue ?? -1) - ttft) < 1.5, "\(run)")
      #expect(ttft >= 30)
      #expect(exampleIDs.contains(run["reference_example_id"]?.stringValue ?? ""), "\(run)")
      #expect(run["trace_id"] == run["id"])
    }
    for run in failed {
      #expect(run["name"] == "dead/m")
      #expect(run["error"]?.stringValue?.isEmpty == false, "\(run)")
    }
    let feedback = seen["feedback"]?.arrayValue ?? []
    #expect(feedback.count == 6)
    #expect(
      Set(feedback.compactMap { $0["run_id"]?.stringValue })
        == Set(answered.compactMap { $0["id"]?.stringValue }))
    #expect(feedback.allSatisfy { $0["key"] == "contains" && $0["score"] == 1.0 && $0["source"] == "api" })

    // ltb sent only what the official client sends: the same routes, no field it does not send.
    func route(_ request: JSONValue) -> String {
      let path = (request["path"]?.stringValue ?? "").split(separator: "/").map {
        UUID(uuidString: String($0)) == nil ? String($0) : "{id}"
      }
      return "\(request["method"]?.stringValue ?? "") /\(path.joined(separator: "/"))"
    }
    func fields(_ requests: [JSONValue], _ wanted: String) -> Set<String> {
      Set(
        requests.filter { route($0) == wanted }.flatMap { request -> [String] in
          if wanted == "POST /runs/batch" {
            return (request["body"]?["post"]?.arrayValue ?? []).flatMap { ($0.objectValue ?? [:]).keys }
          }
          return Array((request["body"]?.objectValue ?? [:]).keys)
        })
    }
    let writes = Set(ltbRequests.map(route).filter { !$0.hasPrefix("GET") })
    #expect(
      writes == ["POST /sessions", "POST /runs/batch", "POST /feedback", "PATCH /sessions/{id}"], "\(writes)")
    #expect(writes.isSubset(of: Set(sdkRequests.map(route))), "\(sdkRequests.map(route))")
    #expect(ltbRequests.allSatisfy { $0["authorized"] == true })
    for wanted in writes {
      let ours = fields(ltbRequests, wanted)
      let theirs = fields(sdkRequests, wanted)
      #expect(
        ours.isSubset(of: theirs),
        "\(wanted): ltb sent \(ours.subtracting(theirs).sorted()) the client does not")
    }

    // Exporting again finds the complete export and writes nothing.
    _ = try Self.takeRequests(in: directory)
    let again = try CommandLineTests.run(
      ["export", session, "--to", "langsmith", "--database", database], environment: environment)
    #expect(again.status == 0 && again.stderr.contains("already exported"), "\(again.stderr)")
    #expect(try Self.takeRequests(in: directory).allSatisfy { $0["method"] == "GET" })
  }
}
