import Foundation
import LTBCore
import LTBProviders
import Testing

/// LlamaIndex's files, written and read by llama-index-core itself: a `LabelledRagDataset` runs
/// as a dataset as it is, any dataset converts to one, and a session's verdicts export as
/// LlamaIndex `EvaluationResult`s.
@Suite("LlamaIndex datasets and evaluation results", .serialized)
struct LlamaIndexTests {
  @Test(
    "a LabelledRagDataset saved by LlamaIndex benchmarks as it is, converts back, and its verdicts load as EvaluationResults"
  )
  func roundTrip() async throws {
    let directory = try BenchCommandTests.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
    let python = try APIServerTests.python()
    let script = BenchCommandTests.repository.appendingPathComponent("scripts/reference/llamaindex_check.py")
      .path
    let written = try Shell.run(python, [script, "write", path("rag.json")])
    #expect(written.status == 0, "\(written.stderr.suffix(1_500))")

    let validated = try CommandLineTests.run(["dataset", "validate", path("rag.json")])
    #expect(
      validated.status == 0 && validated.stdout.contains("3 valid cases"),
      "\(validated.stdout)\(validated.stderr)")

    // Imported into a JSONL dataset of ltb's own format, with the same cases.
    let imported = try CommandLineTests.run([
      "dataset", "import", "--from", "llamaindex", path("rag.json"), "-o", path("rag.jsonl"),
    ])
    #expect(imported.status == 0 && imported.stdout.contains("wrote 3 cases"), "\(imported.stderr)")
    let firstCase = try JSONValue.parse(
      Data(try String(contentsOfFile: path("rag.jsonl"), encoding: .utf8).split(separator: "\n")[0].utf8))
    #expect(firstCase["prompt"] == "Which city is the capital of country 0?")
    #expect(firstCase["expected"] == "City 0.")
    #expect(firstCase["context"]?.arrayValue?.isEmpty == false)

    // Converted back (through ltb's own cases), LlamaIndex reads the same examples.
    let converted = try CommandLineTests.run([
      "dataset", "convert", path("rag.json"), "--to", "llamaindex", "-o", path("back.json"),
    ])
    #expect(converted.status == 0, "\(converted.stderr)")
    let back = try Shell.run(python, [script, "read-dataset", path("back.json")])
    #expect(back.status == 0, "\(back.stderr.suffix(1_500))")
    let examples = try JSONValue.parse(back.stdout).arrayValue ?? []
    #expect(examples.count == 3)
    #expect(examples.first?["query"] == "Which city is the capital of country 0?")
    #expect(examples.first?["answer"] == "City 0.")
    #expect(
      examples.first?["contexts"] == ["Country 0 has its capital in city 0.", "Capitals host governments."])

    // A benchmark on the file as it is, graded, exported as LlamaIndex evaluation results.
    let fakePort = try FreePort.find()
    let fake = try CommandLineTests.start([
      "fake-server", "--port", String(fakePort), "--ttft-ms", "2", "--itl-ms", "1", "--tokens", "4",
    ])
    defer { fake.process.terminate() }
    try Data(
      """
      [providers.fake]
      type = "openai-compatible"
      base_url = "http://127.0.0.1:\(fakePort)/v1"
      default_model = "fake-model"
      max_retries = 0

      """.utf8
    ).write(to: URL(fileURLWithPath: path("ltb.toml")))
    try Data(
      """
      name: rag
      datasets: [\(path("rag.json"))]
      targets: [{ provider: fake }]
      assertions:
        - { type: contains, value: tok1 }
        - { type: icontains, value: City }

      """.utf8
    ).write(to: URL(fileURLWithPath: path("suite.yaml")))
    let database = "sqlite:" + path("rag.sqlite")
    try await AlertingTests.eventually(10) {
      (try? Shell.run("/usr/bin/curl", ["-fs", "http://127.0.0.1:\(fakePort)/v1/models"]))?.status == 0
    }
    let bench = try CommandLineTests.run([
      "bench", path("suite.yaml"), "--config", path("ltb.toml"), "--database", database,
    ])
    #expect(bench.status == 0, "\(bench.stderr)")
    let session = try #require(BenchCommandTests.sessionID(in: bench.stderr))
    let exported = try CommandLineTests.run([
      "export", session, "--to", "llamaindex", "-o", path("evals.json"), "--database", database,
    ])
    #expect(exported.status == 0, "\(exported.stderr)")
    let read = try Shell.run(python, [script, "read-evals", path("evals.json")])
    #expect(read.status == 0, "\(read.stderr.suffix(1_500))")
    let summary = try JSONValue.parse(read.stdout)
    // The fake answers "tok0 tok1 tok2 tok3": every answer has tok1 and none says City.
    #expect(summary["contains"]?["count"] == 3, "\(summary)")
    #expect(summary["contains"]?["passing"] == 3)
    #expect(summary["contains"]?["invalid"] == 0)
    #expect(summary["contains"]?["scores"] == [.double(1)])
    #expect(summary["icontains"]?["count"] == 3)
    #expect(summary["icontains"]?["passing"] == 0)
    #expect(summary["icontains"]?["scores"] == [.double(0)])
    #expect(summary["contains"]?["queries"]?.arrayValue?.count == 3)
    #expect(
      summary["contains"]?["contexts"]?.arrayValue?.first?.arrayValue?.count == 2, "reference contexts travel"
    )
  }
}
