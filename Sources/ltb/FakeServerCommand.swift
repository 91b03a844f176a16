import ArgumentParser
import Foundation
import LTBFakeServer

/// `ltb fake-server`: a fake OpenAI-compatible streaming server with fixed timings, for
/// measuring the load generator itself.
struct FakeServerCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "fake-server",
    abstract: "Serve a fake OpenAI-compatible streaming API with fixed TTFT, ITL and length.")

  @Option(name: .long, help: "Port on 127.0.0.1 (0 picks a free one).") var port = 8099
  @Option(name: .long, help: "Time to first token, ms.") var ttftMs: Double = 20
  @Option(name: .long, help: "Inter-token latency, ms.") var itlMs: Double = 2
  @Option(name: .long, help: "Output tokens per answer.") var tokens = 64
  @Option(name: .long, help: "Answer --slow-requests chat requests after this many with --slow-ttft-ms.")
  var slowAfter = 0
  @Option(name: .long, help: "How many chat requests are slow (0: none).") var slowRequests = 0
  @Option(name: .long, help: "The slow requests' time to first token, ms.") var slowTtftMs: Double = 1_000

  func run() async throws {
    let options = FakeOpenAITarget.Options(
      timeToFirstToken: .microseconds(Int64(ttftMs * 1_000)),
      interTokenLatency: .microseconds(Int64(itlMs * 1_000)),
      outputTokens: tokens,
      slowPhase: slowRequests > 0
        ? .init(
          after: slowAfter, count: slowRequests, timeToFirstToken: .microseconds(Int64(slowTtftMs * 1_000)))
        : nil)
    let server = try await FakeTargetServer.start(port: port, options: options)
    let slow =
      slowRequests > 0 ? "; requests \(slowAfter)-\(slowAfter + slowRequests - 1) TTFT \(slowTtftMs) ms" : ""
    let banner =
      "fake OpenAI-compatible server on \(server.baseURL)/v1 (TTFT \(ttftMs) ms, ITL \(itlMs) ms, \(tokens) tokens\(slow))\n"
    FileHandle.standardOutput.write(Data(banner.utf8))
    let signals = SignalHandler(message: "fake server stopping") { Task { await server.stop() } }
    await server.waitUntilStopped()
    signals.stop()
  }
}
