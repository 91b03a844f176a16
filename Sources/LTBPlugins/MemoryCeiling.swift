@_spi(Fuzzing) import WasmKit

/// Refuses linear memory (and tables) beyond a plugin's limit: `memory.grow` past it returns -1,
/// and a module whose initial memory is larger cannot be instantiated.
final class MemoryCeiling: ResourceLimiter {
  let bytes: Int

  init(pages: Int) { bytes = pages * 65_536 }

  func limitMemoryGrowth(to desired: Int) throws -> Bool { desired <= bytes }

  func limitTableGrowth(to desired: Int) throws -> Bool { desired <= 100_000 }
}
