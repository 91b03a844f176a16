/// The bounds of one call into a plugin. A manifest may lower them or raise them up to
/// ``ceiling``; the host enforces them on every call.
public struct PluginLimits: Sendable, Codable, Hashable {
  /// Fuel per call (about one WebAssembly operator per unit); an exhausted budget traps.
  public var fuel: UInt64
  /// The most linear memory, in 64 KiB pages; growth beyond fails (`memory.grow` returns -1).
  public var memoryPages: Int
  /// The wall-clock time a call may take, in milliseconds.
  public var timeoutMilliseconds: Int
  /// The interpreter stack, in bytes (deep recursion traps with "call stack exhausted").
  public var stackBytes: Int
  /// The largest answer, in bytes.
  public var maxOutputBytes: Int

  /// Creates limits.
  public init(
    fuel: UInt64 = 2_000_000, memoryPages: Int = 256, timeoutMilliseconds: Int = 2_000,
    stackBytes: Int = 512 * 1024, maxOutputBytes: Int = 1 << 20
  ) {
    self.fuel = fuel
    self.memoryPages = memoryPages
    self.timeoutMilliseconds = timeoutMilliseconds
    self.stackBytes = stackBytes
    self.maxOutputBytes = maxOutputBytes
  }

  /// The defaults: 2 million fuel (about 5 ms of CPU here), 16 MiB of memory, 2 s, a 512 KiB stack, 1 MiB answers.
  public static let defaults = PluginLimits()

  /// The most a manifest may ask for: 2 billion fuel, 256 MiB, 30 s, 8 MiB of stack, 16 MiB answers.
  public static let ceiling = PluginLimits(
    fuel: 2_000_000_000, memoryPages: 4_096, timeoutMilliseconds: 30_000, stackBytes: 8 << 20,
    maxOutputBytes: 16 << 20)

  enum CodingKeys: String, CodingKey {
    case fuel
    case memoryPages = "memory_pages"
    case timeoutMilliseconds = "timeout_ms"
    case stackBytes = "stack_bytes"
    case maxOutputBytes = "max_output_bytes"
  }
}
