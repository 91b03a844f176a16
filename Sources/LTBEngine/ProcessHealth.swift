import Foundation
import LTBCore

/// This process's CPU use since the last sample (in cores) and its resident memory (bytes).
public struct ProcessHealth {
  private var lastCPUSeconds = ProcessHealth.cpuSeconds()
  private var lastSample = ContinuousClock.now

  /// CPU cores used since the previous call, and resident bytes now.
  mutating func sample() -> (cpu: Double, memoryBytes: Double) {
    let now = ContinuousClock.now
    let cpu = Self.cpuSeconds()
    let elapsed = (now - lastSample).milliseconds / 1_000
    defer {
      lastCPUSeconds = cpu
      lastSample = now
    }
    return (elapsed > 0 ? (cpu - lastCPUSeconds) / elapsed : 0, Self.residentBytes())
  }

  /// CPU seconds (user + system) this process has used.
  public static func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    let user = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
    let system = Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    return user + system
  }

  /// Resident set size from `/proc/self/statm` (pages × page size); 0 where it is not available.
  public static func residentBytes() -> Double {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = text.split(separator: " ")
    guard fields.count > 1, let pages = Double(fields[1]) else { return 0 }
    return pages * Double(sysconf(Int32(_SC_PAGESIZE)))
  }
}
