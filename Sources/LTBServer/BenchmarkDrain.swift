public import LTBEngine
public import ServiceLifecycle

/// Runs beside the HTTP server in the service group: on graceful shutdown (SIGTERM, SIGINT) it
/// cancels every running benchmark and waits for them to stop, so each session ends `cancelled`
/// with its finished results stored, and `resumeBenchmark` completes it later.
public struct BenchmarkDrain: Service {
  let benchmarks: BenchmarkService

  /// A drain for `benchmarks`.
  public init(benchmarks: BenchmarkService) { self.benchmarks = benchmarks }

  /// Waits for graceful shutdown, then drains.
  public func run() async throws {
    try? await gracefulShutdown()
    await benchmarks.shutdown()
  }
}
