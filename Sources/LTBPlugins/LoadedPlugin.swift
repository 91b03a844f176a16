public import Foundation
public import LTBCore
import Synchronization
import WAT
import WasmKit

/// One version of a plugin, checked and ready to call: its manifest, module hash, granted
/// capabilities and configuration, and a pool of instances (instantiate once, call many). A
/// call that traps or times out discards its instance; the others are reused.
public final class LoadedPlugin: Sendable {
  /// The manifest.
  public let manifest: PluginManifest
  /// The module's SHA-256, hex.
  public let sha256: String
  /// What the operator granted.
  public let granted: Set<PluginCapability>
  /// The configuration every call gets.
  public let configuration: JSONValue
  /// `configuration` as the JSON text an evaluator's input carries (keys sorted), serialized once.
  public let configurationText: [UInt8]
  /// `plugin:NAME@VERSION`, stored with every verdict it produces.
  public var label: String { "plugin:\(manifest.name)@\(manifest.version)" }
  private let module: Module
  private let idle = Mutex<[PluginInstance]>([])
  private static let maxIdle = 8

  /// Checks `bytes` against `manifest` and what was `granted`: the hash when the manifest gives
  /// one, the imports (only WASI preview 1, and its clock and random functions only when
  /// granted), the exports and their types, and the ABI version the module reports.
  public init(
    manifest: PluginManifest, bytes: [UInt8], granted: Set<PluginCapability>, configuration: JSONValue
  ) throws(LTBError) {
    self.manifest = manifest
    self.granted = granted
    self.configuration = configuration
    configurationText = Array(configuration.serialized(sortedKeys: true).utf8)
    sha256 = PluginDigest.hex(bytes)
    let name = manifest.name
    if let expected = manifest.sha256, expected != sha256 {
      throw LTBError(
        .invalidInput, "\(name): the module's SHA-256 is \(sha256), but plugin.toml says \(expected)",
        fix: "install the module the manifest was written for, or correct sha256 in plugin.toml")
    }
    for capability in manifest.capabilities where !granted.contains(capability) {
      throw LTBError(
        .permissionDenied, "\(name) asks for the '\(capability.rawValue)' capability, which was not granted",
        fix:
          "grant it at install (--grant \(capability.rawValue), or grant: [\(capability.rawValue)] in the API) if you trust the plugin"
      )
    }
    do {
      module = try parseWasm(bytes: bytes)
    } catch {
      throw LTBError(
        .invalidInput, "\(name): the module is not valid WebAssembly: \(error)",
        fix: "build it for wasm32 (clang --target=wasm32-wasi, see docs/plugins.md)")
    }
    try Self.checkImports(module, name: name, granted: granted)
    try Self.checkExports(module, manifest: manifest)
    let probe: PluginInstance
    let version: Int
    do {
      probe = try PluginInstance(module: module, manifest: manifest, granted: granted)
      version = try probe.abiVersion()
    } catch {
      throw LTBError(
        .invalidInput, "\(name): \(error.message)", fix: "check the module against docs/plugins.md")
    }
    guard version == PluginManifest.abiVersion else {
      throw LTBError(
        .invalidInput,
        "\(name) was built for plugin ABI \(version); this host implements ABI \(PluginManifest.abiVersion)",
        fix: "rebuild it with the ABI \(PluginManifest.abiVersion) SDK (sdk/c/ltb_plugin.h)")
    }
    idle.withLock { $0.append(probe) }
  }

  /// A module from WebAssembly text (`.wat`) or binary bytes.
  public static func moduleBytes(_ data: Data, fileName: String) throws(LTBError) -> [UInt8] {
    guard fileName.hasSuffix(".wat") else { return [UInt8](data) }
    do {
      return try wat2wasm(String(decoding: data, as: UTF8.self))
    } catch {
      throw LTBError(.invalidInput, "\(fileName): \(error)", fix: "correct the WebAssembly text")
    }
  }

  private static func checkImports(_ module: Module, name: String, granted: Set<PluginCapability>)
    throws(LTBError)
  {
    for item in module.imports {
      let label = "\(item.module).\(item.name)"
      guard item.module == "wasi_snapshot_preview1", case .function = item.descriptor else {
        throw LTBError(
          .permissionDenied, "\(name) imports \(label), which this host does not provide",
          fix: "plugins may import only WASI preview 1 functions; remove the import")
      }
      if let capability = PluginCapability.needed(by: item.name), !granted.contains(capability) {
        throw LTBError(
          .permissionDenied,
          "\(name) imports \(label), which needs the '\(capability.rawValue)' capability, not granted",
          fix:
            "request it in plugin.toml ([capabilities] requested = [\"\(capability.rawValue)\"]) and grant it at install"
        )
      }
    }
  }

  private static func checkExports(_ module: Module, manifest: PluginManifest) throws(LTBError) {
    let exports = Set(module.exports.map(\.name))
    let missing = ["memory", "ltb_abi_version", "ltb_alloc", manifest.entry].filter { !exports.contains($0) }
    guard missing.isEmpty else {
      throw LTBError(
        .invalidInput, "\(manifest.name) does not export \(missing.joined(separator: ", "))",
        fix: "export them as docs/plugins.md describes (the C SDK does with LTB_PLUGIN_EVALUATOR and friends)"
      )
    }
  }

  /// Calls the plugin with `input` (JSON) on a thread of its own and returns the answer's bytes;
  /// a call past the manifest's timeout is answered with a timeout error at once, and its
  /// instance (which stops when its fuel runs out) is discarded.
  public func call(_ input: [UInt8]) async throws(PluginCallError) -> [UInt8] {
    let result: Result<[UInt8], PluginCallError> = await withCheckedContinuation { continuation in
      let resumed = Mutex(false)
      let finish: @Sendable (Result<[UInt8], PluginCallError>) -> Bool = { result in
        let first = resumed.withLock { done in
          defer { done = true }
          return !done
        }
        if first { continuation.resume(returning: result) }
        return first
      }
      DispatchQueue.global().async {
        let acquired = Result { () throws(PluginCallError) in try self.acquire() }
        guard case .success(let instance) = acquired else {
          if case .failure(let error) = acquired { _ = finish(.failure(error)) }
          return
        }
        let result = Result { () throws(PluginCallError) in try instance.call(input) }
        if finish(result) { self.release(instance) }
      }
      let timeout = manifest.limits.timeoutMilliseconds
      DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(timeout)) {
        _ = finish(
          .failure(PluginCallError(.timeout, "it ran past its \(timeout) ms timeout")))
      }
    }
    return try result.get()
  }

  /// Calls the plugin on the calling thread (no timeout beyond the fuel budget) and returns
  /// its answer and the fuel the call used: for the benchmarks and `ltb plugins test`.
  public func callDirect(_ input: [UInt8]) throws(PluginCallError) -> (answer: [UInt8], fuel: UInt64) {
    let instance = try acquire()
    defer { release(instance) }
    let answer = try instance.call(input)
    return (answer, instance.lastFuel)
  }

  private func acquire() throws(PluginCallError) -> PluginInstance {
    if let instance = idle.withLock({ $0.popLast() }) { return instance }
    return try PluginInstance(module: module, manifest: manifest, granted: granted)
  }

  private func release(_ instance: PluginInstance) {
    guard !instance.poisoned else { return }
    idle.withLock { if $0.count < Self.maxIdle { $0.append(instance) } }
  }
}
