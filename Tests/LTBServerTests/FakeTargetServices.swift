import Foundation
import LTBAPI
import LTBAuth
import LTBConfig
import LTBCore
import LTBEngine
import LTBEvaluation
import LTBProviders
import LTBStorage

/// The services of an in-process gateway over a fresh SQLite store in `folder`, with one
/// provider, `fake`, pointed at a fake OpenAI-compatible target, and sign-in (`SignedIn`).
enum FakeTargetServices {
  static func make(folder: URL, targetBaseURL: String) async throws -> (
    services: APIServices, store: SQLBenchStore
  ) {
    let store = try await SQLBenchStore.open(.sqlite(path: folder.appendingPathComponent("api.sqlite").path))
    var configuration = try ConfigLoader().load()
    configuration.features = .all
    configuration.plugins.directory = folder.appendingPathComponent("plugins").path
    // Exports are only queued here (no queue runs), so the tracker needs no server; imports land
    // in the folder, with a LlamaIndex file to import.
    configuration.mlflow = MLflowSettings(trackingURI: "http://127.0.0.1:9")
    configuration.exports.importDirectory = folder.appendingPathComponent("imported").path
    try Data(#"{"examples": [{"query": "One?", "reference_answer": "1"}]}"#.utf8).write(
      to: folder.appendingPathComponent("rag.json"))
    let settings = ProviderSettings(
      name: "fake", kind: .openaiCompatible, baseURL: targetBaseURL + "/v1", firstByteTimeout: .seconds(10),
      totalTimeout: .seconds(30), maxRetries: 0, defaultModel: "fake-model")
    let services = try await APIServices.build(
      store: store, configuration: configuration, providers: [settings], version: "test",
      auth: try await SignedIn.service(store))
    return (services, store)
  }
}
