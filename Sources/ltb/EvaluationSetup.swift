import ArgumentParser
import Foundation
import LTBConfig
import LTBCore
import LTBEvaluation
import LTBProviders
import LTBStorage

/// The options that choose the judge and embedding models, and the evaluation service built
/// from them, the configuration and a suite's settings.
struct EvaluationOptions: ParsableArguments {
  @Option(name: .long, help: "The judge: PROVIDER or PROVIDER/MODEL (overrides the suite's judge).")
  var judge: String?
  @Option(name: .long, help: "The embedding provider for embedding-similarity: PROVIDER or PROVIDER/MODEL.")
  var embedding: String?

  /// A service over `store`, with providers from the configuration.
  func service(
    configuration: LTBConfiguration, registry: ProviderRegistry, store: any BenchStore,
    suite: EvaluationSettings?
  ) async throws -> EvaluationService {
    let (judgeName, judgeModel) = judge.map { Self.split($0) } ?? (suite?.judgeProvider, suite?.judgeModel)
    let (embeddingName, embeddingModel) =
      embedding.map { Self.split($0) } ?? (suite?.embeddingProvider, suite?.embeddingModel)
    var providers: [String: any Provider] = [:]
    for name in await registry.list() { providers[name] = await registry.get(name) }
    var settings: JudgeSettings?
    if let judgeName {
      settings = JudgeSettings(
        provider: try await registry.require(judgeName), model: judgeModel,
        temperature: suite?.judgeTemperature ?? 0)
    }
    var embedder: (any Provider)?
    if let embeddingName { embedder = try await registry.require(embeddingName) }
    return EvaluationService(
      store: store,
      evaluators: EvaluationService.standardEvaluators(
        judge: settings, providers: providers, embedding: embedder, embeddingModel: embeddingModel))
  }

  /// `PROVIDER/MODEL` as its two parts (the model is optional).
  static func split(_ text: String) -> (String?, String?) {
    let parts = text.split(separator: "/", maxSplits: 1).map(String.init)
    return (parts.first, parts.count > 1 ? parts[1] : nil)
  }

  /// The judge and embedding given on the command line, as a suite would carry them.
  var settings: EvaluationSettings {
    let (judgeName, judgeModel) = judge.map(Self.split) ?? (nil, nil)
    let (embeddingName, embeddingModel) = embedding.map(Self.split) ?? (nil, nil)
    return EvaluationSettings(
      judgeProvider: judgeName, judgeModel: judgeModel, embeddingProvider: embeddingName,
      embeddingModel: embeddingModel)
  }

  /// `--metrics bleu,rouge-l:0.4,wer:0.3`: each a type, optionally with a threshold.
  static func metrics(_ text: String?) throws -> [AssertionSpec] {
    guard let text, !text.isEmpty else { return [] }
    return try text.split(separator: ",").map { item in
      let parts = item.split(separator: ":", maxSplits: 1).map {
        String($0).trimmingCharacters(in: .whitespaces)
      }
      var json: [String: JSONValue] = ["type": .string(parts[0])]
      if parts.count > 1 {
        guard let threshold = Double(parts[1]) else {
          throw LTBError(
            .invalidInput, "--metrics: '\(item)' has a threshold that is not a number", fix: "write bleu:30")
        }
        json["threshold"] = .double(threshold)
      }
      return try AssertionSpec(parsing: .object(json), location: "--metrics '\(item)'")
    }
  }
}
