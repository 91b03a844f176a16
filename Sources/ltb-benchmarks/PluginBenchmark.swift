import ArgumentParser
import Foundation
import LTBCore
import LTBEngine
import LTBEvaluation
import LTBPlugins
import LTBStorage
import Logging

/// What a WebAssembly metric costs: the keyword-coverage example plugin (C, built by
/// scripts/build-plugins) against the same metric written in Swift, on one thread, verdict by
/// verdict (input JSON built, plugin called, answer parsed into an outcome); then through the
/// evaluator's path (a thread hop and a timeout timer per call); and the CPU an endless loop
/// burns before its fuel budget stops it.
struct PluginBenchmark: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "plugins",
    abstract: "Verdicts per second of a WebAssembly metric beside Swift; fuel stop time.")

  @Option(name: .long, help: "Verdicts per round.") var verdicts = 200_000
  @Option(name: .long, help: "Rounds of each, alternated.") var rounds = 3
  @Option(name: .long, help: "The example plugins folder (built).") var examples = "examples/plugins"

  func run() async throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "ltb-plugins-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let store = try await SQLBenchStore.open(.sqlite(path: folder.appendingPathComponent("p.sqlite").path))
    var logger = Logger(label: "bench")
    logger.logLevel = .error
    let registry = PluginRegistry(
      directory: folder.appendingPathComponent("plugins"), store: store, logger: logger)
    let keywords: JSONValue = ["keywords": ["Paris", "France", "Seine"]]
    try await registry.install(
      folder: URL(fileURLWithPath: examples).appendingPathComponent("keyword-coverage"),
      configuration: keywords)
    let plugin = try require(registry.plugin("keyword-coverage"))
    try await registry.install(folder: URL(fileURLWithPath: examples).appendingPathComponent("short-answer"))
    let floor = try require(registry.plugin("short-answer"))
    let spec = AssertionSpec(type: "plugin:keyword-coverage", name: "keywords")
    let response =
      "The capital of France is Paris, a city on the river Seine in the north of the country. It has been the "
      + "seat of government for centuries and is known for its museums, its cafés and its architecture, "
      + "from the Louvre to the Eiffel Tower, which was built for the 1889 World's Fair."
    let input = EvaluationInput(
      testID: "case-1", prompt: "What is the capital of France? Answer in a paragraph.", response: response,
      expected: "Paris", model: "m")
    let swift = SwiftKeywordCoverage(keywords: ["Paris", "France", "Seine"])
    // The second call's fuel: the first also pays for the plugin's first allocations.
    let firstCall = PluginABI.evaluatorInput(spec, input, configuration: plugin.configurationText)
    _ = try plugin.callDirect(firstCall)
    let fuel = try plugin.callDirect(firstCall).fuel
    print(
      "\(verdicts) verdicts per round, answers of \(response.utf8.count) bytes, 3 keywords, one thread; "
        + "\(fuel) fuel per call after the first")
    var check: Double = 0
    for round in 1...rounds {
      let wasm = try measure {
        let request = PluginABI.evaluatorInput(spec, input, configuration: plugin.configurationText)
        let answer = try plugin.callDirect(request).answer
        check += try PluginABI.outcome(answer, spec, producedBy: plugin.label).get().score ?? 0
      }
      let native = try measure { check += swift.evaluate(input.response).score ?? 0 }
      // The host's share: the same path with the WebAssembly-text plugin, which only counts bytes.
      let host = try measure {
        let request = PluginABI.evaluatorInput(spec, input, configuration: floor.configurationText)
        let answer = try floor.callDirect(request).answer
        check += try PluginABI.outcome(answer, spec, producedBy: floor.label).get().score ?? 0
      }
      print(
        String(
          format:
            "round %d: plugin %.0f verdicts/s, Swift %.0f verdicts/s (Swift / plugin = %.1f); the host path with a byte-counting plugin %.0f verdicts/s",
          round, wasm, native, native / wasm, host))
    }
    precondition(check > 0, "the plugin and the Swift metric scored nothing")
    // Through the evaluator: a thread hop and a timeout timer per call, 16 in flight.
    let evaluator = PluginEvaluator(registry: registry)
    let count = verdicts / 10
    let started = ContinuousClock.now
    await withTaskGroup(of: Void.self) { group in
      var next = 0
      for _ in 0..<16 {
        group.addTask { _ = await evaluator.evaluate(spec, input) }
        next += 1
      }
      for await _ in group where next < count {
        group.addTask { _ = await evaluator.evaluate(spec, input) }
        next += 1
      }
    }
    let elapsed = ContinuousClock.now - started
    print(
      String(
        format: "evaluator path: %.0f verdicts/s (16 in flight, %d verdicts)",
        Double(count) / (Double(elapsed.components.attoseconds) / 1e18 + Double(elapsed.components.seconds)),
        count))
    try await fuelStop(registry)
    await store.close()
  }

  /// Verdicts per second of `body` over `verdicts` calls, by process CPU.
  private func measure(_ body: () throws -> Void) throws -> Double {
    let before = ProcessHealth.cpuSeconds()
    for _ in 0..<verdicts { try body() }
    return Double(verdicts) / max(1e-9, ProcessHealth.cpuSeconds() - before)
  }

  /// CPU from the call into an endless loop to its out-of-fuel trap, at the default budget.
  private func fuelStop(_ registry: PluginRegistry) async throws {
    let loop = """
      (module (memory (export "memory") 1)
        (func (export "ltb_abi_version") (result i32) (i32.const 1))
        (func (export "ltb_alloc") (param i32) (result i32) (i32.const 1024))
        (func (export "ltb_evaluate") (param i32 i32) (result i64) (loop $l (br $l)) (i64.const 0)))
      """
    try await registry.install(
      manifest:
        "[plugin]\nname = \"spin\"\nversion = \"1.0.0\"\nkind = \"evaluator\"\nabi = 1\nmodule = \"spin.wat\"\n",
      module: Data(loop.utf8))
    let spin = try require(registry.plugin("spin"))
    var worst = 0.0
    for _ in 0..<5 {
      let before = ProcessHealth.cpuSeconds()
      do {
        _ = try spin.callDirect(Array(#"{"output":""}"#.utf8))
      } catch {
        precondition(error.kind == .fuel, "expected out of fuel: \(error)")
      }
      worst = max(worst, ProcessHealth.cpuSeconds() - before)
    }
    print(
      String(
        format: "endless loop stopped by its fuel (%d): slowest of 5 after %.2f ms of CPU",
        Int(spin.manifest.limits.fuel), worst * 1_000))
  }
}

/// keyword-coverage in Swift, as the plugin computes it (case-insensitive ASCII match).
struct SwiftKeywordCoverage {
  let keywords: [String]

  func evaluate(_ response: String) -> EvaluationOutcome {
    let text = response.lowercased()
    var matched: [JSONValue] = []
    var missing: [JSONValue] = []
    for keyword in keywords {
      if text.contains(keyword.lowercased()) {
        matched.append(.string(keyword))
      } else {
        missing.append(.string(keyword))
      }
    }
    let score = Double(matched.count) / Double(keywords.count)
    return .scored(
      score, passed: score >= 1, value: score, "scored \(score)",
      details: .object(["matched": .array(matched), "missing": .array(missing)]))
  }
}
