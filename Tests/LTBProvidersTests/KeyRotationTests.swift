import Foundation
import LTBCore
import LTBFakeServer
import LTBProviders
import Synchronization
import Testing

/// Provider keys read from files (how Kubernetes mounts secrets) are read again when the file
/// changes, without restarting anything.
@Suite("Secrets rotation")
struct KeyRotationTests {
  @Test("a provider's api_key_file is re-read per request: a rotated key is sent at once")
  func providerKeyFile() async throws {
    let seen = Mutex<[String]>([])
    let server = try await LoopbackHTTPServer.start { request, writer in
      seen.withLock { $0.append(request.header("authorization") ?? "") }
      try await writer.respond(
        status: 200,
        body:
          #"{"id":"c","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}"#
      )
    }
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "ltb-keys-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let keyFile = folder.appendingPathComponent("key").path
    try "sk-first-key\n".write(toFile: keyFile, atomically: true, encoding: .utf8)
    var settings = ProviderSettings(
      name: "rotating", kind: .openai, baseURL: server.baseURL + "/v1", apiKey: Secret("sk-first-key"),
      maxRetries: 0, defaultModel: "m")
    settings.apiKeyFile = keyFile
    let provider = OpenAIProvider(settings: settings, catalog: ModelCatalog([]))
    _ = try await provider.complete(CompletionRequest(prompt: "hi"))
    try "sk-second-key\n".write(toFile: keyFile, atomically: true, encoding: .utf8)
    try await Task.sleep(for: .milliseconds(300))  // FileSecrets.shared looks at most every 250 ms
    _ = try await provider.complete(CompletionRequest(prompt: "hi"))
    await provider.shutdown()
    await server.stop()
    #expect(seen.withLock { $0 } == ["Bearer sk-first-key", "Bearer sk-second-key"])
  }

  @Test("FileSecrets follows a Kubernetes-style link swap and keeps the last value while the file is gone")
  func fileSecrets() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "ltb-mount-\(UUID().uuidString)")
    let manager = FileManager.default
    try manager.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? manager.removeItem(at: folder) }
    // The kubelet's layout: key -> ..data/key, ..data -> ..2026_01_01_v1 (swapped on update).
    func version(_ name: String, _ value: String) throws {
      let directory = folder.appendingPathComponent(name)
      try manager.createDirectory(at: directory, withIntermediateDirectories: true)
      try value.write(to: directory.appendingPathComponent("key"), atomically: true, encoding: .utf8)
    }
    try version("..v1", "first-value")
    try manager.createSymbolicLink(
      atPath: folder.appendingPathComponent("..data").path, withDestinationPath: "..v1")
    try manager.createSymbolicLink(
      atPath: folder.appendingPathComponent("key").path, withDestinationPath: "..data/key")
    let secrets = FileSecrets(checkInterval: .zero)
    let path = folder.appendingPathComponent("key").path
    #expect(try secrets.secret(path).value == "first-value")
    try version("..v2", "second-value")
    try manager.createSymbolicLink(
      atPath: folder.appendingPathComponent("..tmp").path, withDestinationPath: "..v2")
    _ = rename(folder.appendingPathComponent("..tmp").path, folder.appendingPathComponent("..data").path)
    #expect(try secrets.secret(path).value == "second-value")
    try manager.removeItem(at: folder.appendingPathComponent("..v2"))
    #expect(try secrets.secret(path).value == "second-value")
    #expect(throws: LTBError.self) { try FileSecrets().secret(folder.appendingPathComponent("none").path) }
    #expect(try EnvironmentSecrets(environment: ["K": "v"]).secret("K").value == "v")
    #expect(throws: LTBError.self) { try EnvironmentSecrets(environment: [:]).secret("K") }
  }
}
