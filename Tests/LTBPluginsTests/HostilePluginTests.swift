import Foundation
import LTBCore
import LTBEvaluation
import LTBPlugins
import LTBStorage
import Testing

/// Plugins that try to hurt the host: each call ends with an error verdict that names the
/// limit, or the plugin is refused at install, and a well-behaved plugin keeps answering after.
@Suite("Hostile plugins", .serialized)
struct HostilePluginTests {
  /// A registry with a well-behaved plugin, `good`, installed beside the hostile ones.
  static func registry(_ directory: URL, failureLimit: Int = 20) async throws -> (
    PluginRegistry, SQLBenchStore
  ) {
    let (registry, store) = try await PluginFixtures.registry(in: directory, failureLimit: failureLimit)
    try await PluginFixtures.install(
      registry, "good", wat: PluginFixtures.wat(body: PluginFixtures.answering()))
    return (registry, store)
  }

  /// Scores with `good` and expects a pass: the host is healthy.
  static func expectHealthy(_ registry: PluginRegistry) async {
    let outcome = await PluginFixtures.score(registry, "good", "fine")
    #expect(outcome.state == .scored && outcome.passed == true, "\(outcome)")
  }

  @Test("an infinite loop runs out of fuel; with fuel to spare it hits its wall-clock timeout")
  func infiniteLoop() async throws {
    let directory = try PluginFixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let (registry, store) = try await Self.registry(directory)
    defer { Task { await store.close() } }
    let loop = PluginFixtures.wat(body: "(loop $forever (br $forever)) (i64.const 0)")
    try await PluginFixtures.install(registry, "spin", wat: loop, manifestExtra: "[limits]\nfuel = 1_000_000")
    let started = ContinuousClock.now
    let fuel = await PluginFixtures.score(registry, "spin", "x")
    #expect(fuel.state == .error)
    #expect(
      fuel.explanation.contains("ran out of fuel (its limit is 1000000 per call)"), "\(fuel.explanation)")
    #expect(ContinuousClock.now - started < .seconds(2))

    try await PluginFixtures.install(
      registry, "slow", wat: loop, manifestExtra: "[limits]\nfuel = 2_000_000_000\ntimeout_ms = 100")
    let timed = ContinuousClock.now
    let timeout = await PluginFixtures.score(registry, "slow", "x")
    #expect(timeout.state == .error)
    #expect(timeout.explanation.contains("ran past its 100 ms timeout"), "\(timeout.explanation)")
    #expect(ContinuousClock.now - timed < .seconds(1), "answered at the timeout, not when the fuel ran out")
    await Self.expectHealthy(registry)
  }

  @Test("a memory bomb is held at its page limit: growth past it fails inside the plugin")
  func memoryBomb() async throws {
    let directory = try PluginFixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let (registry, store) = try await Self.registry(directory)
    defer { Task { await store.close() } }
    // Grows one page at a time until refused; answers well only if it stopped at exactly 32 pages.
    let bomb = PluginFixtures.wat(
      body: """
        (block $refused (loop $grow (br_if $refused (i32.eq (memory.grow (i32.const 1)) (i32.const -1))) (br $grow)))
        (if (i32.ne (memory.size) (i32.const 32)) (then unreachable))
        \(PluginFixtures.answering())
        """)
    try await PluginFixtures.install(
      registry, "bomb", wat: bomb, manifestExtra: "[limits]\nmemory_pages = 32")
    let outcome = await PluginFixtures.score(registry, "bomb", "x")
    #expect(outcome.state == .scored && outcome.passed == true, "stopped at its 32 pages: \(outcome)")
    // A module that starts beyond its limit is refused at install.
    let big = PluginFixtures.wat(body: PluginFixtures.answering(), pages: 64)
    await #expect(throws: LTBError.self) {
      try await PluginFixtures.install(
        registry, "big", wat: big, manifestExtra: "[limits]\nmemory_pages = 32")
    }
    await Self.expectHealthy(registry)
  }

  @Test("deep recursion exhausts the interpreter stack and traps")
  func recursion() async throws {
    let directory = try PluginFixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let (registry, store) = try await Self.registry(directory)
    defer { Task { await store.close() } }
    let deep = PluginFixtures.wat(
      body: "(drop (call $down (i32.const 0))) (i64.const 0)",
      extra: "(func $down (param i32) (result i32) (call $down (i32.add (local.get 0) (i32.const 1))))")
    try await PluginFixtures.install(registry, "deep", wat: deep)
    let outcome = await PluginFixtures.score(registry, "deep", "x")
    #expect(
      outcome.state == .error && outcome.explanation.contains("call stack exhausted"),
      "\(outcome.explanation)")
    await Self.expectHealthy(registry)
  }

  @Test(
    "imports it was not granted are refused at install: host functions, and WASI's clock without the grant")
  func imports() async throws {
    let directory = try PluginFixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let (registry, store) = try await Self.registry(directory)
    defer { Task { await store.close() } }
    let host = PluginFixtures.wat(
      body: PluginFixtures.answering(), extra: #"(import "env" "read_secrets" (func $steal (result i32)))"#)
    do {
      try await PluginFixtures.install(registry, "thief", wat: host)
      Issue.record("installed a plugin importing env.read_secrets")
    } catch let error as LTBError {
      #expect(error.code == .permissionDenied)
      #expect(
        error.message.contains("imports env.read_secrets, which this host does not provide"),
        "\(error.message)")
    }
    let clock = PluginFixtures.wat(
      body: PluginFixtures.answering(),
      extra:
        #"(import "wasi_snapshot_preview1" "clock_time_get" (func $now (param i32 i64 i32) (result i32)))"#)
    do {
      try await PluginFixtures.install(registry, "clocked", wat: clock)
      Issue.record("installed a plugin importing the clock without the grant")
    } catch let error as LTBError {
      #expect(error.message.contains("needs the 'clock' capability"), "\(error.message)")
    }
    // Asked for in the manifest but not granted: refused; granted: installed and run.
    let asking = "[capabilities]\nrequested = [\"clock\"]"
    await #expect(throws: LTBError.self) {
      try await PluginFixtures.install(registry, "clocked", wat: clock, manifestExtra: asking)
    }
    try await PluginFixtures.install(registry, "clocked", wat: clock, manifestExtra: asking, grant: [.clock])
    #expect(await PluginFixtures.score(registry, "clocked", "x").passed == true)
    #expect(try await registry.require("clocked").granted == ["clock"])
    #expect(try await registry.records().map(\.name) == ["clocked", "good"], "nothing refused was recorded")
  }

  @Test("writing outside its memory traps; an answer outside its memory, too large, or not JSON is an error")
  func brokenAnswers() async throws {
    let directory = try PluginFixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let (registry, store) = try await Self.registry(directory)
    defer { Task { await store.close() } }
    let cases: [(String, String, String)] = [
      (
        "outside", "(i32.store (i32.const 0x7ffffff0) (i32.const 1)) (i64.const 0)",
        "out of bounds memory access"
      ),
      (
        "huge", "(i64.or (i64.shl (i64.const 16) (i64.const 32)) (i64.const 104857600))",
        "its answer is 104857600 bytes, more than its max_output_bytes of 1048576"
      ),
      (
        "beyond", "(i64.or (i64.shl (i64.const 65000) (i64.const 32)) (i64.const 1000))",
        "lies outside its 65536-byte memory"
      ),
      (
        "prose", PluginFixtures.answering("not json at all"),
        "its answer is not a JSON object: 'not json at all'"
      ),
      ("unscored", PluginFixtures.answering(#"{"score":7}"#), "no score between 0 and 1"),
    ]
    for (name, body, expected) in cases {
      let answer = name == "prose" ? "not json at all" : name == "unscored" ? #"{"score":7}"# : "{}"
      try await PluginFixtures.install(registry, name, wat: PluginFixtures.wat(body: body, answer: answer))
      let outcome = await PluginFixtures.score(registry, name, "x")
      #expect(outcome.state == .error, "\(name)")
      #expect(outcome.explanation.contains(expected), "\(name): \(outcome.explanation)")
      #expect(outcome.producedBy == "plugin:\(name)@1.0.0")
    }
    // A plugin that reports its own error is an error verdict too, never a zero.
    let own = PluginFixtures.answering(#"{"error":"no keywords"}"#)
    try await PluginFixtures.install(
      registry, "picky", wat: PluginFixtures.wat(body: own, answer: #"{"error":"no keywords"}"#))
    let picky = await PluginFixtures.score(registry, "picky", "x")
    #expect(picky.state == .error && picky.explanation == "plugin:picky@1.0.0: no keywords")
    await Self.expectHealthy(registry)
  }

  @Test("a module built for another ABI, a wrong sha256 and a configuration outside the schema are refused")
  func refusedAtInstall() async throws {
    let directory = try PluginFixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let (registry, store) = try await Self.registry(directory)
    defer { Task { await store.close() } }
    func refusal(_ work: () async throws -> Void) async -> String {
      do {
        try await work()
        return "accepted"
      } catch let error as LTBError {
        return error.message
      } catch {
        return "\(error)"
      }
    }
    let v2 = PluginFixtures.wat(body: PluginFixtures.answering(), abi: 2)
    #expect(
      await refusal { try await PluginFixtures.install(registry, "future", wat: v2) }
        .contains("was built for plugin ABI 2; this host implements ABI 1"))
    let good = PluginFixtures.wat(body: PluginFixtures.answering())
    let sha = String(repeating: "ab", count: 32)
    #expect(
      await refusal {
        try await PluginFixtures.install(registry, "forged", wat: good, manifestExtra: "sha256 = \"\(sha)\"")
      }.contains("but plugin.toml says \(sha)"))
    let schema = "[config_schema]\ntype = \"object\"\nrequired = [\"keywords\"]"
    let message = await refusal {
      try await registry.install(
        manifest: PluginFixtures.manifest("strict", schema), module: Data(good.utf8),
        configuration: ["words": 1])
    }
    #expect(message.contains("strict's configuration does not fit its schema"), "\(message)")
    #expect(message.contains("keywords"), "\(message)")
    #expect(
      await refusal { try await PluginFixtures.install(registry, "Bad Name", wat: good) }
        .contains("[plugin] name is 'Bad Name'"))
    #expect(try await registry.records().map(\.name) == ["good"])
    await Self.expectHealthy(registry)
  }

  @Test(
    "a plugin failing again and again is disabled with the reason stored; enabling it again resets the count")
  func disabledAfterFailures() async throws {
    let directory = try PluginFixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let (registry, store) = try await Self.registry(directory, failureLimit: 3)
    defer { Task { await store.close() } }
    try await PluginFixtures.install(registry, "crash", wat: PluginFixtures.wat(body: "unreachable"))
    for _ in 0..<3 { #expect(await PluginFixtures.score(registry, "crash", "x").state == .error) }
    let record = try await registry.require("crash")
    #expect(record.enabled == false)
    #expect(
      record.disabledReason == "disabled after 3 consecutive failures; the last: it trapped: unreachable",
      "\(record.disabledReason ?? "")")
    let after = await PluginFixtures.score(registry, "crash", "x")
    #expect(after.explanation.contains("no enabled evaluator plugin named 'crash'"))
    try await registry.setEnabled("crash", true)
    #expect(registry.plugin("crash") != nil)
    await Self.expectHealthy(registry)
  }
}
