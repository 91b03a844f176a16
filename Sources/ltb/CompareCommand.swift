import ArgumentParser
import Foundation
import LTBConfig
import LTBCore
import LTBEngine
import LTBEvaluation
import LTBProviders
import LTBStorage

/// `ltb compare SESSION_A SESSION_B`, `ltb compare --session S --models a,b`, and
/// `ltb compare --models a,b --dataset FILE` (runs both models on the dataset first).
struct CompareCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "compare",
    abstract:
      "Compare two sessions, or two models, case by case: differences, intervals, p-values, a verdict per metric."
  )

  @OptionGroup var global: GlobalOptions
  @OptionGroup var storage: DatabaseOption
  @OptionGroup var evaluation: EvaluationOptions
  @Argument(help: "Two session ids (A, then B).") var sessions: [String] = []
  @Option(name: .long, help: "Two models, A,B: each PROVIDER/MODEL, or MODEL with --provider.") var models:
    String?
  @Option(name: .long, help: "With --models: the session holding both (instead of running --dataset).")
  var session: String?
  @Option(name: .long, help: "With --models: run both on this dataset first.") var dataset: String?
  @Option(name: .long, help: "With --models and --dataset: the provider of bare model names.") var provider:
    String?
  @Option(name: .long, help: "With --dataset: repeats of each case.") var repeats = 1
  @Option(name: .long, help: "With --dataset: metrics for every case (as for `ltb eval`).") var metrics:
    String?
  @Option(name: .long, help: "Significance level.") var alpha = 0.05
  @Flag(name: .long, help: "Print the comparison as JSON.") var json = false

  func validate() throws {
    if models == nil, sessions.count != 2 {
      throw ValidationError("give two session ids, or --models A,B with --session or --dataset")
    }
    if models != nil, (session == nil) == (dataset == nil) {
      throw ValidationError("with --models, give exactly one of --session and --dataset")
    }
    if !(0.0001...0.5).contains(alpha) { throw ValidationError("--alpha must be between 0.0001 and 0.5") }
  }

  func run() async throws {
    let configuration = try global.loadConfiguration()
    let store = try await global.openStore(configuration, database: storage.database)
    do {
      let comparison: SessionComparison
      if let models {
        let labels = models.split(separator: ",").map(String.init)
        guard labels.count == 2 else {
          throw LTBError(.invalidInput, "--models needs exactly two models", fix: "write --models a,b")
        }
        let id: UUID
        if let session {
          id = try SessionID.parse(session)
        } else {
          id = try await runBoth(labels, configuration: configuration, store: store)
        }
        let qualified = labels.map { $0.contains("/") || provider == nil ? $0 : "\(provider ?? "")/\($0)" }
        comparison = SessionComparison(
          try await SessionComparison.side(session: id, label: qualified[0], store: store),
          try await SessionComparison.side(session: id, label: qualified[1], store: store), alpha: alpha)
      } else {
        comparison = SessionComparison(
          try await SessionComparison.side(session: try SessionID.parse(sessions[0]), store: store),
          try await SessionComparison.side(session: try SessionID.parse(sessions[1]), store: store),
          alpha: alpha)
      }
      if json { print(try Console.json(comparison)) } else { EvaluationPrinter.print(comparison) }
      await store.close()
    } catch {
      await store.close()
      throw error
    }
  }

  /// Runs both models on the dataset in one session and evaluates it.
  private func runBoth(_ labels: [String], configuration: LTBConfiguration, store: SQLBenchStore) async throws
    -> UUID
  {
    guard let dataset, FileManager.default.fileExists(atPath: dataset) else {
      throw LTBError(
        .invalidInput, "the dataset \(dataset ?? "") does not exist", fix: "check the --dataset path")
    }
    let targets = try labels.map { label -> BenchmarkTarget in
      let parts = label.split(separator: "/", maxSplits: 1).map(String.init)
      if parts.count == 2 { return BenchmarkTarget(provider: parts[0], model: parts[1]) }
      guard let provider else {
        throw LTBError(
          .invalidInput, "'\(label)' names no provider", fix: "write PROVIDER/MODEL or add --provider")
      }
      return BenchmarkTarget(provider: provider, model: label)
    }
    let extra = try EvaluationOptions.metrics(metrics)
    var suite = BenchmarkSuite(
      name: "compare \(labels.joined(separator: " vs "))",
      datasets: [URL(fileURLWithPath: dataset).standardizedFileURL.path], targets: targets,
      repeats: repeats)
    suite.evaluation = evaluation.settings
    let service = BenchmarkService(
      store: store, providers: configuration.providers, catalog: configuration.catalog)
    let session = try await service.createSession(suite)
    Console.writeError(
      "session \(session.id.uuidString.lowercased()): running \(labels.joined(separator: " and "))")
    let finished = try await service.run(sessionID: session.id)
    guard finished.status == .completed else {
      throw LTBError(
        .server, "the comparison run ended \(finished.status.rawValue)",
        fix: "see `ltb sessions show \(session.id)`")
    }
    let registry = try await global.makeRegistry(configuration)
    let evaluator = try await evaluation.service(
      configuration: configuration, registry: registry, store: store, suite: suite.evaluation)
    _ = try await evaluator.evaluateSession(session.id, extra: extra)
    await registry.shutdown()
    return session.id
  }
}
