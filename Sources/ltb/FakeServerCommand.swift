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

  func run() async throws {
    let options = FakeOpenAITarget.Options(
      timeToFirstToken: .microseconds(Int64(ttftMs * 1_000)),
      interTokenLatency: .microseconds(Int64(itlMs * 1_000)),
      outputTokens: tokens)
    let server = try await FakeTargetServer.start(port: port, options: options)
    let banner =
      "fake OpenAI-compatible server on \(server.baseURL)/v1 (TTFT \(ttftMs) ms, ITL \(itlMs) ms, \(tokens) tokens)\n"
    FileHandle.standardOutput.write(Data(banner.utf8))
    let signals = SignalHandler(message: "fake server stopping") { Task { await server.stop() } }
    await server.waitUntilStopped()
    signals.stop()
  }
}
