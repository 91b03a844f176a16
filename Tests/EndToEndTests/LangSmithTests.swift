import Foundation
import LTBCore
import Testing

/// A LangSmith dataset pulled with `ltb dataset import --from langsmith`, against
/// `scripts/reference/langsmith_server.py`: a local stand-in for LangSmith's dataset endpoints
/// that the official `langsmith` client reads first, so the shapes are the ones that client
/// expects. `ltb`'s requests are then compared with the client's.
@Suite("LangSmith datasets", .serialized)
struct LangSmithTests {
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
    let server = Process()
    server.executableURL = URL(fileURLWithPath: python)
    server.arguments = [
      BenchCommandTests.repository.appendingPathComponent("scripts/reference/langsmith_server.py").path,
      path("seed.json"), path("requests.jsonl"), "ls-test-key",
    ]
    let output = Pipe()
    server.standardOutput = output
    server.standardError = FileHandle.nullDevice
    try server.run()
    defer { kill(server.processIdentifier, SIGKILL) }
    let ready = String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
    let port = try #require(
      ready.split(separator: " ").last.flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) })
    let url = "http://127.0.0.1:\(port)"

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
}
