import Foundation
import LTBCore
import LTBEvaluation
import LTBPlugins
import LTBStorage
import Testing

/// The repository's example plugins, compiled from C (and one in WebAssembly text), installed
/// and called through the evaluator and the transform path.
@Suite("Example plugins", .serialized)
struct PluginExampleTests {
  @Test("keyword-coverage (C): the share of keywords found, from its configuration or the assertion's value")
  func keywordCoverage() async throws {
    let directory = try PluginFixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let (registry, store) = try await PluginFixtures.registry(in: directory)
    defer { Task { await store.close() } }
    let record = try await registry.install(
      folder: PluginFixtures.examples.appendingPathComponent("keyword-coverage"),
      configuration: ["keywords": ["Paris", "France", "Seine"], "min_coverage": 0.6])
    #expect(record.version == "1.0.0" && record.kind == "evaluator" && record.sha256.count == 64)

    let two = await PluginFixtures.score(registry, "keyword-coverage", "Paris is the capital of FRANCE.")
    #expect(two.state == .scored)
    #expect(abs((two.score ?? 0) - 2.0 / 3.0) < 1e-9)
    #expect(two.passed == true, "2/3 ≥ min_coverage 0.6")
    #expect(two.details?["matched"] == ["Paris", "France"])
    #expect(two.details?["missing"] == ["Seine"])
    #expect(two.producedBy == "plugin:keyword-coverage@1.0.0")

    let one = await PluginFixtures.score(registry, "keyword-coverage", "It is Paris.")
    #expect(abs((one.score ?? 0) - 1.0 / 3.0) < 1e-9 && one.passed == false)

    // The assertion's own keywords and threshold win over the configuration.
    let own = await PluginFixtures.score(
      registry, "keyword-coverage", "Ünïcode \"quoted\" Paris\nLouvre",
      value: ["louvre", "quoted", "Eiffel"],
      threshold: 0.5)
    #expect(abs((own.score ?? 0) - 2.0 / 3.0) < 1e-9 && own.passed == true)
    #expect(own.details?["missing"] == ["Eiffel"])

    // Escapes in the answer and in the keywords, on both sides of the SDK's eight-byte scans; a
    // keyword with a control character is reported back intact.
    let escaped = await PluginFixtures.score(
      registry, "keyword-coverage", #"a\b "c:\dir\" say "hi" \\ twelve bytes "end""#,
      value: [#"c:\dir\""#, #""hi""#, "tab\there", #"end""#], threshold: 0.5)
    #expect(abs((escaped.score ?? 0) - 0.75) < 1e-9)
    #expect(escaped.details?["matched"] == [#"c:\dir\""#, #""hi""#, #"end""#])
    #expect(escaped.details?["missing"] == ["tab\there"])

    // The plugin keeps the last keywords it parsed: each change of value or configuration is
    // seen, and a bad list is reported every time, never remembered as the last good one.
    let back = await PluginFixtures.score(registry, "keyword-coverage", "Paris, France")
    #expect(abs((back.score ?? 0) - 2.0 / 3.0) < 1e-9 && back.details?["missing"] == ["Seine"])
    for _ in 0..<2 {
      let bad = await PluginFixtures.score(registry, "keyword-coverage", "Paris", value: ["Paris", 3])
      #expect(bad.state == .error && bad.explanation.contains("every keyword must be a string"))
    }
    _ = try await registry.configure("keyword-coverage", ["keywords": ["Seine"], "case_sensitive": true])
    let sensitive = await PluginFixtures.score(registry, "keyword-coverage", "the seine, the Seine")
    #expect(sensitive.score == 1 && sensitive.details?["matched"] == ["Seine"])
    let lower = await PluginFixtures.score(registry, "keyword-coverage", "the seine")
    #expect(lower.score == 0 && lower.passed == false)
  }

  @Test("json-structure (C): required keys and their types in the answer's JSON object")
  func jsonStructure() async throws {
    let directory = try PluginFixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let (registry, store) = try await PluginFixtures.registry(in: directory)
    defer { Task { await store.close() } }
    try await registry.install(
      folder: PluginFixtures.examples.appendingPathComponent("json-structure"),
      configuration: ["required": ["name", "age"], "types": ["name": "string", "age": "number"]])
    let good = await PluginFixtures.score(
      registry, "json-structure", "Here it is:\n```json\n{\"name\": \"Ada\", \"age\": 36}\n```")
    #expect(good.state == .scored && good.score == 1 && good.passed == true, "\(good)")
    let wrong = await PluginFixtures.score(registry, "json-structure", #"{"name": 7}"#)
    #expect(abs((wrong.score ?? 0) - 1.0 / 4.0) < 1e-9 && wrong.passed == false, "\(wrong)")
    #expect(wrong.details?["problems"] == ["age", "age is missing", "name is number"], "types in key order")
    let prose = await PluginFixtures.score(registry, "json-structure", "I cannot answer in JSON.")
    #expect(prose.state == .scored && prose.score == 0 && prose.passed == false)
  }

  @Test("short-answer (WebAssembly text): passes answers of at most 280 bytes, escapes counted once")
  func shortAnswer() async throws {
    let directory = try PluginFixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let (registry, store) = try await PluginFixtures.registry(in: directory)
    defer { Task { await store.close() } }
    try await registry.install(folder: PluginFixtures.examples.appendingPathComponent("short-answer"))
    let short = await PluginFixtures.score(registry, "short-answer", String(repeating: "\"", count: 280))
    #expect(short.state == .scored && short.passed == true, "\(short)")
    let long = await PluginFixtures.score(registry, "short-answer", String(repeating: "a", count: 281))
    #expect(long.state == .scored && long.passed == false && long.explanation == "longer than 280 bytes")
  }

  @Test(
    "prompt-template (C): the request transform rewrites the last user message and sets the system prompt")
  func promptTemplate() async throws {
    let directory = try PluginFixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let (registry, store) = try await PluginFixtures.registry(in: directory)
    defer { Task { await store.close() } }
    try await registry.install(
      folder: PluginFixtures.examples.appendingPathComponent("prompt-template"),
      configuration: ["template": "Answer in one word.\nQuestion: {{prompt}}", "system": "Be terse."])
    let transforms = PluginTransforms(registry: registry)
    let request = CompletionRequest(
      system: nil,
      messages: [
        Message(role: .user, text: "Hello"), Message(role: .assistant, text: "Hi"),
        Message(role: .user, text: "Capital of \"France\"?"),
      ])
    let rewritten = try await transforms.request(request, through: ["prompt-template"])
    #expect(rewritten.system == "Be terse.")
    #expect(
      rewritten.messages.map(\.text) == [
        "Hello", "Hi", "Answer in one word.\nQuestion: Capital of \"France\"?",
      ])
    #expect(rewritten.messages.map(\.role) == [.user, .assistant, .user])
    // A template that never includes the prompt does not fit the schema.
    await #expect(throws: LTBError.self) {
      try await registry.configure("prompt-template", ["template": "Answer in one word."])
    }
  }
}
