import Foundation
import LTBCore
import LTBProviders
import Testing

/// A LangChain chain behind a real LangServe app (`scripts/reference/langserve_app.py`: langserve,
/// langchain-core's fake chat model, uvicorn) benchmarked like any provider.
@Suite("LangServe as a target", .serialized)
struct LangServeTests {
  static let answer = "Paris is the capital of France."

  @Test(
    "streamed chains (message and string chunks, an object input and a messages input), /invoke, /batch, a failing chain, health"
  )
  func langServe() async throws {
    let directory = try BenchCommandTests.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
    let port = try FreePort.find()
    let app = Process()
    app.executableURL = URL(fileURLWithPath: try APIServerTests.python())
    app.arguments = [
      BenchCommandTests.repository.appendingPathComponent("scripts/reference/langserve_app.py").path,
      String(port),
    ]
    app.standardOutput = FileHandle.nullDevice
    app.standardError = FileHandle.nullDevice
    try app.run()
    defer { kill(app.processIdentifier, SIGKILL) }
    let base = "http://127.0.0.1:\(port)"
    try await AlertingTests.eventually(30) {
      (try? Shell.run("/usr/bin/curl", ["-fs", base + "/qa/input_schema"]))?.status == 0
    }

    func provider(_ name: String, _ route: String, inputKey: String?) -> String {
      """
      [providers.\(name)]
      type = "langserve"
      base_url = "\(base)/\(route)"
      default_model = "\(route)-chain"
      max_retries = 0
      \(inputKey.map { "input_key = \"\($0)\"" } ?? "")

      """
    }
    try Data(
      (provider("ls-qa", "qa", inputKey: "question") + provider("ls-text", "text", inputKey: "question")
        + provider("ls-chat", "chat", inputKey: nil) + provider("ls-broken", "broken", inputKey: "question"))
        .utf8
    ).write(to: URL(fileURLWithPath: path("ltb.toml")))
    try Data(
      (0..<3).map { #"{"id": "q\#($0)", "prompt": "What is the capital of France? (\#($0))"}"# }
        .joined(separator: "\n").utf8
    ).write(to: URL(fileURLWithPath: path("cases.jsonl")))
    func suite(_ name: String, _ targets: [String], stream: Bool = true) throws -> String {
      let file = path(name + ".yaml")
      try Data(
        """
        name: \(name)
        datasets: [\(path("cases.jsonl"))]
        targets: [\(targets.map { "{ provider: \($0) }" }.joined(separator: ", "))]
        concurrency: 1
        stream: \(stream)

        """.utf8
      ).write(to: URL(fileURLWithPath: file))
      return file
    }
    func bench(_ suiteFile: String, _ output: String) throws -> [JSONValue] {
      let run = try CommandLineTests.run([
        "bench", suiteFile, "--config", path("ltb.toml"), "--database", "sqlite:" + path("ls.sqlite"),
        "--output", path(output), "--no-eval",
      ])
      #expect(run.status == 0 || output == "broken", "\(run.stderr)")
      let text = (try? String(contentsOfFile: path(output) + "/results.jsonl", encoding: .utf8)) ?? ""
      return try text.split(separator: "\n").map { try JSONValue.parse(Data($0.utf8)) }
    }

    // Streamed: every chunk is a timed content event; TTFT is the first chunk's arrival.
    let streamed = try bench(try suite("streamed", ["ls-qa", "ls-text", "ls-chat"]), "streamed")
    #expect(streamed.count == 9)
    for row in streamed {
      #expect(row["status"] == "success", "\(row["error"] ?? .null)")
      #expect(row["response"]?.stringValue == Self.answer, "\(row["provider"] ?? .null)")
      let offsets = row["timing"]?["contentEventOffsetsNanos"]?.arrayValue?.compactMap(\.doubleValue) ?? []
      #expect(offsets.count == Self.answer.count, "one event per streamed character")
      // The fake model waits 20 ms before each chunk: the first arrives after 20 ms, the last
      // after 31 of them.
      #expect((offsets.first ?? 0) >= 19e6, "TTFT \((offsets.first ?? 0) / 1e6) ms")
      #expect((offsets.last ?? 0) >= 31 * 19e6)
      #expect(row["usage"]?["source"] == "estimated", "the fake model reports no usage")
    }
    #expect(
      Set(streamed.compactMap { $0["model"]?.stringValue }) == ["qa-chain", "text-chain", "chat-chain"])

    // Not streamed: /invoke, one answer.
    let invoked = try bench(try suite("invoked", ["ls-qa"], stream: false), "invoked")
    #expect(invoked.count == 3)
    #expect(invoked.allSatisfy { $0["status"] == "success" && $0["response"]?.stringValue == Self.answer })

    // A chain that raises: LangServe's error event becomes a failed result, not a crash.
    let broken = try bench(try suite("broken", ["ls-broken"]), "broken")
    #expect(broken.count == 3)
    #expect(broken.allSatisfy { $0["status"] == "failure" }, "\(broken.first ?? .null)")
    #expect(broken.first?["error"]?.stringValue?.contains("Internal Server Error") == true)

    // Health reads the input schema; a route that is not there fails the check.
    let healthy = try CommandLineTests.run(["providers", "check", "ls-qa", "--config", path("ltb.toml")])
    #expect(healthy.status == 0, "\(healthy.stdout)\(healthy.stderr)")

    // /batch: several inputs in one call, in order.
    let qa = LangServeProvider(
      settings: ProviderSettings(
        name: "ls-qa", kind: .langserve, baseURL: base + "/qa", inputKey: "question"),
      catalog: ModelCatalog())
    let outputs = try await qa.batch([
      CompletionRequest(messages: [Message(role: .user, text: "first")]),
      CompletionRequest(messages: [Message(role: .user, text: "second")]),
    ])
    await qa.shutdown()
    #expect(outputs == [Self.answer, Self.answer])
    let missing = LangServeProvider(
      settings: ProviderSettings(name: "ls-missing", kind: .langserve, baseURL: base + "/nothing-here"),
      catalog: ModelCatalog())
    #expect(await missing.healthCheck().healthy == false)
    await missing.shutdown()
  }
}
