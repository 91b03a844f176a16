import Foundation
import WASI
@_spi(Fuzzing) import WasmKit
import WasmKitWASI

/// One instantiated plugin: its own store (fuel, memory ceiling), engine (stack size) and, when
/// the module imports WASI, a WASI bridge with no files, no arguments, no environment and only
/// the granted clock and random functions. Thread-confined: the pool hands it to one call at a
/// time, which is what makes `@unchecked Sendable` true.
final class PluginInstance: @unchecked Sendable {
  private let store: Store
  private let instance: Instance
  private let memory: Memory
  private let alloc: Function
  private let entry: Function
  private let wasi: WASIBridgeToHost?
  private let limits: PluginLimits
  /// The stack every call runs on, allocated once (`Function.invoke(_:)` would allocate one per
  /// call); a call that traps poisons the instance, so a stack is never reused after a trap.
  private var stack: ExecutionStack
  /// Whether it trapped or timed out: its state is no longer trusted and it is not reused.
  private(set) var poisoned = false
  /// The fuel its last call used.
  private(set) var lastFuel: UInt64 = 0

  /// Instantiates `module` (already checked by ``PluginModule``).
  init(module: Module, manifest: PluginManifest, granted: Set<PluginCapability>) throws(PluginCallError) {
    limits = manifest.limits
    let engine = Engine(
      configuration: EngineConfiguration(stackSize: manifest.limits.stackBytes, fuelMetering: true))
    store = Store(engine: engine)
    stack = ExecutionStack(engine: engine)
    store.resourceLimiter = MemoryCeiling(pages: manifest.limits.memoryPages)
    var imports = Imports()
    let importsWASI = module.imports.contains { $0.module == "wasi_snapshot_preview1" }
    var bridge: WASIBridgeToHost?
    do {
      if importsWASI {
        let created = try WASIBridgeToHost(fileSystem: .memory(try MemoryFileSystem()))
        var capabilities: [WasmKitWASI.WASICapability] = [.environment, .process, .stdio]
        if granted.contains(.clock) { capabilities.append(.clocks) }
        if granted.contains(.random) { capabilities.append(.random) }
        created.link(to: &imports, store: store, capabilities: capabilities, stubUnlinked: true)
        bridge = created
      }
      wasi = bridge
      // No start function runs at instantiation: `_initialize` is called below, under fuel.
      var runnable = module
      runnable.dropStartFunction()
      store.fuel = Fuel(remaining: manifest.limits.fuel)
      instance = try runnable.instantiate(store: store, imports: imports)
    } catch {
      try? bridge?.close()
      throw PluginCallError(.instantiation, "\(manifest.name) could not be instantiated: \(error)")
    }
    let instance = self.instance
    func function(_ name: String) -> Function? {
      if case .function(let function) = instance.export(name) { return function }
      return nil
    }
    guard case .memory(let memory) = instance.export("memory"), let alloc = function("ltb_alloc"),
      let entry = function(manifest.entry)
    else {
      try? bridge?.close()
      throw PluginCallError(
        .instantiation, "\(manifest.name) does not export memory, ltb_alloc and \(manifest.entry)")
    }
    self.memory = memory
    self.alloc = alloc
    self.entry = entry
    if let initialize = function("_initialize") {
      do {
        _ = try initialize.invoke([])
      } catch {
        try? bridge?.close()
        throw PluginCallError(.instantiation, "\(manifest.name)'s _initialize failed: \(error)")
      }
    }
  }

  deinit { try? wasi?.close() }

  /// The ABI version the module says it was built for.
  func abiVersion() throws(PluginCallError) -> Int {
    guard case .function(let function) = instance.export("ltb_abi_version") else {
      throw PluginCallError(.answer, "it does not export ltb_abi_version")
    }
    store.fuel = Fuel(remaining: limits.fuel)
    do {
      guard case .i32(let version) = try function.invoke([]).first else {
        throw PluginCallError(.answer, "ltb_abi_version does not return an i32")
      }
      return Int(Int32(bitPattern: version))
    } catch let error as PluginCallError {
      throw error
    } catch {
      throw PluginCallError(.trap, "ltb_abi_version trapped: \(error)")
    }
  }

  /// Calls the entry point with `input` (JSON) and returns its answer's bytes: the input is
  /// written into memory the plugin allocates with `ltb_alloc`, the answer is read from the
  /// `(pointer << 32) | length` the entry point returns, checked against the memory and the
  /// answer limit before a byte is copied.
  func call(_ input: [UInt8]) throws(PluginCallError) -> [UInt8] {
    store.fuel = Fuel(remaining: limits.fuel)
    defer { lastFuel = limits.fuel - (store.fuel?.remaining ?? 0) }
    do {
      guard input.count <= Int(UInt32.max) / 2,
        case .i32(let pointer) = try alloc.invoke([.i32(UInt32(input.count))], on: &stack).first
      else { throw PluginCallError(.answer, "ltb_alloc does not return an i32") }
      guard pointer != 0, Int(pointer) + input.count <= memory.byteCount else {
        throw PluginCallError(
          .answer, "ltb_alloc(\(input.count)) returned \(pointer), which is not inside its memory")
      }
      memory.withUnsafeMutableBufferPointer(offset: UInt(pointer), count: input.count) { buffer in
        buffer.copyBytes(from: input)
      }
      guard
        case .i64(let packed) = try entry.invoke([.i32(pointer), .i32(UInt32(input.count))], on: &stack).first
      else {
        throw PluginCallError(.answer, "its entry point does not return an i64")
      }
      let (start, length) = (Int(packed >> 32), Int(packed & 0xFFFF_FFFF))
      guard length <= limits.maxOutputBytes else {
        throw PluginCallError(
          .answer,
          "its answer is \(length) bytes, more than its max_output_bytes of \(limits.maxOutputBytes)")
      }
      guard start + length <= memory.byteCount else {
        throw PluginCallError(
          .answer, "its answer (\(length) bytes at \(start)) lies outside its \(memory.byteCount)-byte memory"
        )
      }
      return memory.withUnsafeBufferPointer(offset: UInt(start), count: length) { Array($0) }
    } catch let error as PluginCallError {
      throw error
    } catch let trap as Trap {
      poisoned = true
      // The first line names the reason ("Trap: out of fuel"); the backtrace follows.
      let reason = trap.description.split(separator: "\n").first.map(String.init) ?? "\(trap)"
      if reason.hasSuffix("out of fuel") {
        throw PluginCallError(.fuel, "it ran out of fuel (its limit is \(limits.fuel) per call)")
      }
      throw PluginCallError(.trap, "it trapped: \(reason.replacingOccurrences(of: "Trap: ", with: ""))")
    } catch {
      poisoned = true
      throw PluginCallError(.trap, "it failed: \(error)")
    }
  }

  /// Marks it not reusable (a call that timed out may still be running in it).
  func poison() { poisoned = true }
}
