import Foundation
import LTBCore
import LTBEvaluation
import LTBPlugins
import LTBStorage
import Logging
import Testing

/// Plugins for the tests: the repository's examples built from source (C with clang, the
/// WebAssembly text one as is), and small hostile modules written here in WebAssembly text.
enum PluginFixtures {
  static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

  /// The examples folder, with every C example compiled (once per test process).
  static let examples: URL = {
    let process = Process()
    process.executableURL = repository.appendingPathComponent("scripts/build-plugins")
    let errors = Pipe()
    process.standardError = errors
    process.standardOutput = FileHandle.nullDevice
    try? process.run()
    process.waitUntilExit()
    precondition(
      process.terminationStatus == 0,
      "scripts/build-plugins failed: \(String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))"
    )
    return repository.appendingPathComponent("examples/plugins")
  }()

  /// A fresh directory.
  static func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent(
      "ltb-plugins-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }

  /// A registry over a new SQLite store and plugin directory in `directory`.
  static func registry(in directory: URL, failureLimit: Int = 20) async throws -> (
    PluginRegistry, SQLBenchStore
  ) {
    let store = try await SQLBenchStore.open(
      .sqlite(path: directory.appendingPathComponent("ltb.sqlite").path))
    let registry = PluginRegistry(
      directory: directory.appendingPathComponent("plugins"), store: store, failureLimit: failureLimit,
      logger: Logger(label: "test"))
    return (registry, store)
  }

  /// A manifest for an evaluator named `name` whose module is `module`, with extra TOML.
  static func manifest(
    _ name: String, module: String = "plugin.wat", kind: String = "evaluator", _ extra: String = ""
  )
    -> String
  {
    """
    [plugin]
    name = "\(name)"
    version = "1.0.0"
    kind = "\(kind)"
    abi = 1
    module = "\(module)"
    \(extra)
    """
  }

  /// A module in WebAssembly text exporting the ABI around `body`, the entry point's code
  /// (params $input and $length, result i64), with `answer` as data at address 16.
  static func wat(
    entry: String = "ltb_evaluate", body: String, answer: String = #"{"score":1,"passed":true}"#,
    pages: Int = 1,
    abi: Int = 1, extra: String = ""
  ) -> String {
    let escaped = answer.replacingOccurrences(of: "\"", with: "\\22")
    return """
      (module
        \(extra)
        (memory (export "memory") \(pages))
        (data (i32.const 16) "\(escaped)")
        (func (export "ltb_abi_version") (result i32) (i32.const \(abi)))
        (func (export "ltb_alloc") (param i32) (result i32) (i32.const 4096))
        (func (export "\(entry)") (param $input i32) (param $length i32) (result i64)
          \(body)))
      """
  }

  /// The entry body answering with the data at 16 (`answer`'s length).
  static func answering(_ answer: String = #"{"score":1,"passed":true}"#) -> String {
    "(i64.or (i64.shl (i64.const 16) (i64.const 32)) (i64.const \(answer.utf8.count)))"
  }

  /// Installs a plugin written in WebAssembly text.
  @discardableResult
  static func install(
    _ registry: PluginRegistry, _ name: String, wat: String, manifestExtra: String = "",
    grant: Set<PluginCapability> = [], kind: String = "evaluator"
  ) async throws -> PluginRecord {
    try await registry.install(
      manifest: manifest(name, kind: kind, manifestExtra), module: Data(wat.utf8), grant: grant)
  }

  /// An input for scoring `response`.
  static func input(_ response: String, prompt: String = "What is the capital of France?") -> EvaluationInput
  {
    EvaluationInput(testID: "case-1", prompt: prompt, response: response, expected: "Paris", model: "m")
  }

  /// Scores `response` with `plugin:NAME` (threshold and value optional).
  static func score(
    _ registry: PluginRegistry, _ name: String, _ response: String, value: JSONValue? = nil,
    threshold: Double? = nil
  ) async -> EvaluationOutcome {
    let spec = AssertionSpec(type: "plugin:\(name)", name: name, value: value, threshold: threshold)
    return await PluginEvaluator(registry: registry).evaluate(spec, input(response))
  }
}
