import Foundation
import LTBCore

/// A `llama-server` process that the llama.cpp provider launched and owns.
actor LlamaServerProcess {
  private let launch: LlamaServerLaunch
  private let port: Int
  private let providerName: String
  private var process: Process?
  private var logURL: URL?

  init(launch: LlamaServerLaunch, port: Int, providerName: String) {
    self.launch = launch
    self.port = port
    self.providerName = providerName
  }

  /// Starts the server unless it runs, then waits until `isHealthy` says yes.
  func ensureRunning(isHealthy: @Sendable () async -> Bool) async throws {
    if let process, process.isRunning { return }
    let fileManager = FileManager.default
    guard fileManager.isExecutableFile(atPath: launch.binary) else {
      throw LTBError(
        .configuration, "providers.\(providerName).binary '\(launch.binary)' is not an executable file",
        fix: "build it with scripts/local-llm build and point binary at it (scripts/local-llm path prints it)"
      )
    }
    guard fileManager.fileExists(atPath: launch.modelPath) else {
      throw LTBError(
        .configuration, "providers.\(providerName).model_path '\(launch.modelPath)' does not exist",
        fix: "point model_path at a GGUF file (scripts/local-llm path prints the SmolLM2 one)")
    }
    let log = fileManager.temporaryDirectory.appendingPathComponent("ltb-llama-server-\(port).log")
    _ = fileManager.createFile(atPath: log.path, contents: nil)
    let handle = try FileHandle(forWritingTo: log)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: launch.binary)
    process.arguments =
      ["-m", launch.modelPath, "--host", "127.0.0.1", "--port", String(port), "--metrics"]
      + launch.extraArguments
    process.standardOutput = handle
    process.standardError = handle
    do {
      try process.run()
    } catch {
      throw LTBError(
        .configuration, "could not launch \(launch.binary): \(error)",
        fix: "check the binary path and permissions")
    }
    self.process = process
    self.logURL = log
    let deadline = ContinuousClock.now + launch.startupTimeout
    while ContinuousClock.now < deadline {
      if !process.isRunning {
        let tail =
          (try? String(contentsOf: log, encoding: .utf8))?.split(separator: "\n").suffix(5).joined(
            separator: " | ") ?? ""
        self.process = nil
        throw LTBError(
          .server, "llama-server exited during start-up (status \(process.terminationStatus)): \(tail)",
          fix: "check the model file and arguments; full log at \(log.path)")
      }
      if await isHealthy() { return }
      try await Task.sleep(for: .milliseconds(100))
    }
    await stop()
    throw LTBError(
      .timeout, "llama-server did not become healthy within \(launch.startupTimeout)",
      fix: "raise providers.\(providerName).startup_timeout_ms; log at \(log.path)")
  }

  /// Stops the server: SIGTERM, then SIGKILL after five seconds.
  func stop() async {
    guard let process, process.isRunning else {
      self.process = nil
      return
    }
    process.terminate()
    let deadline = ContinuousClock.now + .seconds(5)
    while process.isRunning, ContinuousClock.now < deadline {
      try? await Task.sleep(for: .milliseconds(50))
    }
    if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    process.waitUntilExit()
    self.process = nil
  }
}
