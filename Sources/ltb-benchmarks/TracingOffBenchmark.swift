import ArgumentParser
import Foundation
import LTBCore
import LTBEngine
import Tracing

/// What the tracing instrumentation costs a request when no tracer is installed (the default):
/// the calls a local request makes on that path — its task span, its provider call's client span,
/// the propagation headers the transport asks for, the IDs the result asks for, and a share of a
/// batch insert's database span — each against the no-op tracer, timed in process CPU.
struct TracingOffBenchmark: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "tracing-off", abstract: "CPU per request of the span calls with tracing off.")

  @Option(name: .long, help: "Simulated requests per round.") var requests = 1_000_000
  @Option(name: .long, help: "Rounds.") var rounds = 3

  func run() async throws {
    precondition(!TraceContext.isTracing, "run without OTEL_* variables: this measures the off path")
    for round in 1...rounds {
      let before = ProcessHealth.cpuSeconds()
      var kept = 0
      for index in 0..<requests {
        kept &+= await Self.request(index)
      }
      let used = ProcessHealth.cpuSeconds() - before
      print(
        String(
          format: "round %d: %.3f CPU s for %d requests: %.3f µs per request (checksum %d)", round, used,
          requests, used / Double(requests) * 1e6, kept))
    }
  }

  /// One request's span calls, in the order the engine makes them.
  static func request(_ index: Int) async -> Int {
    await withSpan("benchmark task") { span in
      if span.isRecording { span.updateAttributes { $0["ltb.task.key"] = "\(index)" } }
      let ids = TraceContext.currentSampledIDs()
      let headers = await withSpan("chat fake-model", ofKind: .client) { span in
        if span.isRecording { span.updateAttributes { $0["gen_ai.operation.name"] = "chat" } }
        return TraceContext.headers()
      }
      // A batch of 256 results is one insert span.
      if index % 256 == 0 {
        await withSpan("sqlite insertResults", ofKind: .client) { _ in }
      }
      return headers.count + (ids == nil ? 1 : 0)
    }
  }
}
