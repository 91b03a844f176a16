import Foundation
import LTBCore
import LTBEvaluation
import LTBStorage
import Logging
import Testing

@testable import LTBPlugins

/// Installing, configuring, hot reloading and caching.
@Suite("Plugin registry", .serialized)
struct PluginRegistryTests {
  /// An evaluator module answering `score` after spinning `spins` times (to be slow on purpose).
  static func scoring(_ score: String, spins: Int = 0) -> String {
    let answer = #"{"score":\#(score)}"#
    return PluginFixtures.wat(
      body: """
        (local $i i32)
        (block $done (loop $spin
          (br_if $done (i32.ge_u (local.get $i) (i32.const \(spins))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $spin)))
        \(PluginFixtures.answering(answer))
        """, answer: answer)
  }

  static func manifest(version: String) -> String {
    PluginFixtures.manifest("scorer", "[limits]\nfuel = 100_000_000")
      .replacingOccurrences(of: #"version = "1.0.0""#, with: #"version = "\#(version)""#)
  }

  @Test(
    "a module replaced on disk is checked, swapped in and recorded; a broken replacement keeps the last good one"
  )
  func replacedOnDisk() async throws {
    let directory = try PluginFixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let (registry, store) = try await PluginFixtures.registry(in: directory)
    defer { Task { await store.close() } }
    let first = try await registry.install(
      manifest: Self.manifest(version: "1.0.0"), module: Data(Self.scoring("1").utf8))
    #expect(await PluginFixtures.score(registry, "scorer", "x").score == 1)

    let folder = registry.directory.appendingPathComponent("scorer")
    try Data(Self.scoring("0.25").utf8).write(to: folder.appendingPathComponent("plugin.wat"))
    try Data(Self.manifest(version: "1.1.0").utf8).write(to: folder.appendingPathComponent("plugin.toml"))
    await registry.refresh()
    let second = await PluginFixtures.score(registry, "scorer", "x")
    #expect(second.score == 0.25 && second.producedBy == "plugin:scorer@1.1.0")
    let row = try await registry.require("scorer")
    #expect(row.version == "1.1.0" && row.sha256 != first.sha256)

    try Data("(module broken".utf8).write(to: folder.appendingPathComponent("plugin.wat"))
    await registry.refresh()
    #expect(await PluginFixtures.score(registry, "scorer", "x").score == 0.25, "still the last good version")
    #expect(registry.problem("scorer")?.contains("plugin.wat") == true, "\(registry.problem("scorer") ?? "")")
  }

  @Test(
    "a new version installed while grading: no verdict lost, each tagged with the version that produced it")
  func upgradeWhileGrading() async throws {
    let directory = try PluginFixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let (registry, store) = try await PluginFixtures.registry(in: directory)
    defer { Task { await store.close() } }
    try await registry.install(
      manifest: Self.manifest(version: "1.0.0"), module: Data(Self.scoring("1", spins: 200_000).utf8))
    let service = EvaluationService(evaluators: [PluginEvaluator(registry: registry)], cache: nil)
    let spec = try AssertionSpec(parsing: ["type": "plugin:scorer"], location: "test")
    // Twelve gradings in flight while the new version installs, then twelve after it: however
    // long the install takes on a loaded machine, both versions grade and nothing is lost.
    var outcomes = try await withThrowingTaskGroup(of: CaseScorer.Scored.self) { group in
      for index in 0..<12 {
        group.addTask {
          try await Task.sleep(for: .milliseconds(index * 15))
          return await service.score([spec], PluginFixtures.input("answer \(index)"))[0]
        }
      }
      group.addTask {
        try await Task.sleep(for: .milliseconds(60))
        try await registry.install(
          manifest: Self.manifest(version: "2.0.0"), module: Data(Self.scoring("0.5", spins: 200_000).utf8))
        return CaseScorer.Scored(
          spec: spec, outcome: .unavailable("install"), evaluator: "install", version: 0)
      }
      var all: [CaseScorer.Scored] = []
      for try await one in group where one.evaluator != "install" { all.append(one) }
      return all
    }
    for index in 12..<24 {
      outcomes.append(await service.score([spec], PluginFixtures.input("answer \(index)"))[0])
    }
    #expect(outcomes.count == 24)
    #expect(outcomes.allSatisfy { $0.outcome.state == .scored }, "\(outcomes.map(\.outcome.explanation))")
    let byVersion = Dictionary(grouping: outcomes, by: \.evaluator)
    #expect(Set(byVersion.keys) == ["plugin:scorer@1.0.0", "plugin:scorer@2.0.0"], "\(byVersion.keys)")
    #expect(byVersion["plugin:scorer@1.0.0"]?.allSatisfy { $0.outcome.score == 1 } == true)
    #expect(byVersion["plugin:scorer@2.0.0"]?.allSatisfy { $0.outcome.score == 0.5 } == true)
  }

  @Test("verdicts are cached under the module's hash and the configuration: a change scores afresh")
  func caching() async throws {
    let directory = try PluginFixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let (registry, store) = try await PluginFixtures.registry(in: directory)
    defer { Task { await store.close() } }
    try await registry.install(
      folder: PluginFixtures.examples.appendingPathComponent("keyword-coverage"),
      configuration: ["keywords": ["Paris"]])
    let cache = EvaluationCache(store: store)
    let service = EvaluationService(
      store: store, evaluators: [PluginEvaluator(registry: registry)], cache: cache)
    let spec = try AssertionSpec(parsing: ["type": "plugin:keyword-coverage"], location: "test")
    let input = PluginFixtures.input("Paris, of course")
    let first = await service.score([spec], input)[0]
    let again = await service.score([spec], input)[0]
    #expect(first.cacheSource == .miss && again.cacheSource == .memory)
    #expect(again.outcome.score == 1 && again.evaluator == "plugin:keyword-coverage@1.0.0")
    try await registry.configure("keyword-coverage", ["keywords": ["Paris", "Rome"]])
    let reconfigured = await service.score([spec], input)[0]
    #expect(reconfigured.cacheSource == .miss && reconfigured.outcome.score == 0.5)
    // A second cache over the same store (another process) finds it there.
    let other = EvaluationService(
      store: store, evaluators: [PluginEvaluator(registry: registry)], cache: EvaluationCache(store: store))
    #expect(await other.score([spec], input)[0].cacheSource == .store)
  }

  @Test("configure, disable, enable and remove; a removed plugin's files are gone")
  func lifecycle() async throws {
    let directory = try PluginFixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let (registry, store) = try await PluginFixtures.registry(in: directory)
    defer { Task { await store.close() } }
    try await registry.install(folder: PluginFixtures.examples.appendingPathComponent("keyword-coverage"))
    let disabled = try await registry.setEnabled("keyword-coverage", false)
    #expect(disabled.enabled == false && disabled.disabledReason == "disabled by an operator")
    #expect(registry.plugin("keyword-coverage") == nil)
    // A second registry over the same store and directory (another process) agrees after a refresh.
    let twin = PluginRegistry(directory: registry.directory, store: store, logger: .init(label: "twin"))
    await twin.refresh()
    #expect(twin.plugin("keyword-coverage") == nil)
    try await registry.setEnabled("keyword-coverage", true)
    await twin.refresh()
    #expect(twin.plugin("keyword-coverage")?.manifest.version == "1.0.0")
    try await registry.remove("keyword-coverage")
    await twin.refresh()
    #expect(twin.plugin("keyword-coverage") == nil)
    #expect(
      !FileManager.default.fileExists(
        atPath: registry.directory.appendingPathComponent("keyword-coverage").path))
    await #expect(throws: LTBError.self) { try await registry.remove("keyword-coverage") }
  }
}

/// `--metrics` and suite assertions name plugins.
@Suite("Plugin assertion types")
struct PluginAssertionTypeTests {
  @Test(
    "plugin:NAME parses in suites and --metrics (with plugin:NAME:THRESHOLD); a malformed name is refused")
  func parsing() throws {
    let parsed = try AssertionSpec.metrics(["plugin:keyword-coverage", "plugin:short-answer:0.75", "bleu:30"])
    #expect(
      parsed.map { $0["type"]?.stringValue } == ["plugin:keyword-coverage", "plugin:short-answer", "bleu"])
    #expect(parsed[1]["threshold"] == 0.75 && parsed[0]["threshold"] == nil)
    #expect(throws: LTBError.self) {
      try AssertionSpec(parsing: ["type": "plugin:Bad Name"], location: "case")
    }
    let negated = try AssertionSpec(parsing: ["type": "not-plugin:keyword-coverage"], location: "case")
    #expect(negated.type == "plugin:keyword-coverage" && negated.negated)
  }
}

/// The evaluator input is JSON whatever the answer holds.
@Suite("Plugin ABI input")
struct PluginInputTests {
  @Test("the evaluator input parses back to what was given: quotes, backslashes, control characters, Unicode")
  func roundTrip() throws {
    let awkward = "a \"quote\", a \\ backslash,\n\t\u{01} control, Ünïcode 東京 🎉"
    let input = EvaluationInput(
      testID: "t\"1", prompt: awkward, response: awkward, expected: nil, references: ["r1", awkward],
      context: ["c"], model: "m")
    let spec = AssertionSpec(type: "plugin:x", value: ["k"], threshold: 0.5, options: ["mode": "strict"])
    let bytes = PluginABI.evaluatorInput(
      spec, input, configuration: Array(#"{"keywords":["Paris"]}"#.utf8))
    #expect(String(decoding: bytes.prefix(11), as: UTF8.self) == #"{"output":""#)
    let parsed = try JSONValue.parse(bytes: bytes)
    #expect(parsed["output"]?.stringValue == awkward && parsed["input"]?.stringValue == awkward)
    #expect(parsed["expected"] == .null && parsed["references"] == ["r1", .string(awkward)])
    #expect(parsed["value"] == ["k"] && parsed["threshold"] == 0.5 && parsed["options"] == ["mode": "strict"])
    #expect(parsed["test_id"] == "t\"1" && parsed["config"] == ["keywords": ["Paris"]])
  }

  @Test("every character from U+0000 to U+00FF, alone, first, last and between runs, parses back")
  func everyByte() throws {
    for code in 0...0xFF {
      let character = String(UnicodeScalar(UInt8(code)))
      for text in [character, character + "abc", "abc" + character, "ab" + character + "cd" + character] {
        var bytes: [UInt8] = []
        JSONText.appendString(text, to: &bytes)
        #expect(try JSONValue.parse(bytes: bytes).stringValue == text, "U+\(String(code, radix: 16))")
      }
    }
  }
}

/// `plugin.toml` problems, each with its line.
@Suite("Plugin manifest")
struct PluginManifestTests {
  @Test(
    "every problem is reported at once with its line: kind, ABI, a limit over its ceiling, an unknown section"
  )
  func located() {
    let text = """
      [plugin]
      name = "ok-name"
      version = "1.0"
      kind = "scorer"
      abi = 2
      module = "m.wasm"

      [limits]
      fuel = 9_000_000_000

      [extras]
      x = 1
      """
    do {
      _ = try PluginManifest.parse(text)
      Issue.record("an invalid manifest parsed")
    } catch {
      #expect(error.message.contains("line 3: [plugin] version is '1.0'"), "\(error.message)")
      #expect(error.message.contains("line 4: [plugin] kind is 'scorer'"), "\(error.message)")
      #expect(
        error.message.contains("line 5: [plugin] abi is 2; this host implements ABI 1"), "\(error.message)")
      #expect(error.message.contains("line 9: [limits] fuel is 9000000000"), "\(error.message)")
      #expect(error.message.contains("line 11: [extras] is not a section"), "\(error.message)")
    }
  }
}
