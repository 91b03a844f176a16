public import Foundation
public import LTBCore
public import LTBEvaluation
public import LTBStorage

/// Two models on the same cases: the suite that runs both in one session (so every case is
/// answered by each, repeat for repeat), and the paired comparison of their answers once graded.
/// `ltb compare --models` and the API's `createModelComparison` / `compareModels` share it.
public struct ModelComparison: Sendable {
  /// The two sides, each a provider and a model.
  public var targets: [BenchmarkTarget]

  /// The sides from `PROVIDER/MODEL` labels (or bare models of `provider`); exactly two.
  public init(models: [String], provider: String? = nil) throws {
    guard models.count == 2 else {
      throw LTBError(
        .invalidInput, "a comparison needs exactly two models, not \(models.count)",
        fix: "name two, e.g. llamacpp/a,llamacpp/b")
    }
    targets = try models.map { label in
      let parts = label.split(separator: "/", maxSplits: 1).map(String.init)
      if parts.count == 2 { return BenchmarkTarget(provider: parts[0], model: parts[1]) }
      guard let provider else {
        throw LTBError(.invalidInput, "'\(label)' names no provider", fix: "write PROVIDER/MODEL")
      }
      return BenchmarkTarget(provider: provider, model: label)
    }
  }

  /// The sides as `provider/model`.
  public var labels: [String] { targets.map { "\($0.provider)/\($0.model ?? "")" } }

  /// The suite that runs both models on `dataset` (`repeats` times per case), grading every
  /// answer with `metrics` (`TYPE` or `TYPE:THRESHOLD`) besides the cases' own assertions.
  public func suite(
    dataset: String, repeats: Int = 1, metrics: [String] = [],
    evaluation: EvaluationSettings? = nil
  ) throws -> BenchmarkSuite {
    guard FileManager.default.fileExists(atPath: dataset) else {
      throw LTBError(.invalidInput, "the dataset \(dataset) does not exist", fix: "check the dataset path")
    }
    guard repeats >= 1 else {
      throw LTBError(
        .invalidInput, "repeats must be at least 1, not \(repeats)", fix: "pass repeats: 1 or more")
    }
    return BenchmarkSuite(
      name: "compare \(labels.joined(separator: " vs "))",
      datasets: [URL(fileURLWithPath: dataset).standardizedFileURL.path], targets: targets,
      assertions: try AssertionSpec.metrics(metrics), repeats: repeats, evaluation: evaluation)
  }

  /// The two models' answers in `session` compared case by case.
  public func compare(session: UUID, store: any BenchStore, alpha: Double = 0.05) async throws
    -> SessionComparison
  {
    guard (0.0001...0.5).contains(alpha) else {
      throw LTBError(.invalidInput, "alpha must be between 0.0001 and 0.5", fix: "pass alpha 0.05")
    }
    return SessionComparison(
      try await SessionComparison.side(session: session, label: labels[0], store: store),
      try await SessionComparison.side(session: session, label: labels[1], store: store), alpha: alpha)
  }
}
