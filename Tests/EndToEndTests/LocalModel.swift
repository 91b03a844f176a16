import Foundation
import LTBCore
import LTBProviders

/// The real llama-server + SmolLM2 that `scripts/local-llm start` runs (scripts/test starts it).
enum LocalModel {
  /// Its address: `LTB_LLM_URL`, else the script's default.
  static var url: String { ProcessInfo.processInfo.environment["LTB_LLM_URL"] ?? "http://127.0.0.1:8088" }

  /// Settings for the attached server.
  static func settings(name: String = "llamacpp") -> ProviderSettings {
    ProviderSettings(
      name: name, kind: .llamacpp, baseURL: url, firstByteTimeout: .seconds(60), totalTimeout: .seconds(120),
      maxRetries: 1,
      defaultModel: "smollm2-135m-instruct")
  }

  /// The llama-server binary and model that scripts/local-llm built and downloaded.
  static var launchPaths: (binary: String, model: String) {
    let environment = ProcessInfo.processInfo.environment
    let cache = environment["LTB_CACHE_DIR"] ?? NSHomeDirectory() + "/.cache/ltb"
    return (
      environment["LTB_LLAMA_SERVER_BIN"] ?? cache + "/llama.cpp-0.3.36/build/bin/llama-server",
      environment["LTB_LLAMA_MODEL"] ?? cache + "/models/SmolLM2-135M-Instruct.Q4_1.gguf"
    )
  }

  /// Runs `body` with a provider attached to the running server, failing clearly when it is down.
  static func withProvider<T: Sendable>(_ body: (any Provider) async throws -> T) async throws -> T {
    let provider = try ProviderRegistry.makeProvider(settings(), catalog: ModelCatalog())
    let health = await provider.healthCheck()
    guard health.healthy else {
      await provider.shutdown()
      throw LTBError(
        .network, "the local model at \(url) is not running (\(health.detail))",
        fix: "run scripts/local-llm start")
    }
    do {
      let result = try await body(provider)
      await provider.shutdown()
      return result
    } catch {
      await provider.shutdown()
      throw error
    }
  }
}
