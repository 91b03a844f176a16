import ArgumentParser
import Foundation
import LTBConfig
import LTBCore
import LTBEngine
import LTBEvaluation
import LTBIntegrations
import LTBProviders
import LTBStorage

/// `ltb compare SESSION_A SESSION_B`, `ltb compare --session S --models a,b`,
/// `ltb compare --models a,b --dataset FILE` (runs both models on the dataset first), and
/// `ltb compare --from mlflow RUN_A RUN_B` (two exported sessions read back from MLflow).
struct CompareCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "compare",
    abstract:
      "Compare two sessions, or two models, case by case: differences, intervals, p-values, a verdict per metric."
  )

  @OptionGroup var global: GlobalOptions
  @OptionGroup var storage: DatabaseOption
  @OptionGroup var evaluation: EvaluationOptions
  @Argument(help: "Two session ids (A, then B), or with --from mlflow two MLflow run ids.") var sessions:
    [String] = []
  @Option(
    name: .long,
    help:
      "mlflow: the two ids are session runs `ltb export --to mlflow` wrote, read back from [integrations.mlflow]."
  )
  var from: String?
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
    if let from, from != "mlflow" { throw ValidationError("--from takes mlflow") }
    if from != nil, models != nil { throw ValidationError("--from mlflow compares two runs: drop --models") }
    if !(0.0001...0.5).contains(alpha) { throw ValidationError("--alpha must be between 0.0001 and 0.5") }
  }

  func run() async throws {
    let configuration = try global.loadConfiguration()
    if from == "mlflow" {
      let client = try MLflowClient(settings: configuration.mlflow)
      return try show(
        SessionComparison(
          try await MLflowComparison.side(run: sessions[0], client: client),
          try await MLflowComparison.side(run: sessions[1], client: client), alpha: alpha))
    }
    let comparison = try await global.withStore(configuration, database: storage.database) { store in
      guard let models else {
        return SessionComparison(
          try await SessionComparison.side(session: try SessionID.parse(sessions[0]), store: store),
          try await SessionComparison.side(session: try SessionID.parse(sessions[1]), store: store),
          alpha: alpha)
      }
      let pair = try ModelComparison(
        models: models.split(separator: ",").map(String.init), provider: provider)
      let id: UUID
      if let session {
        id = try SessionID.parse(session)
      } else {
        id = try await runBoth(pair, configuration: configuration, store: store)
      }
      return try await pair.compare(session: id, store: store, alpha: alpha)
    }
    try show(comparison)
  }

  private func show(_ comparison: SessionComparison) throws {
    if json { print(try Console.json(comparison)) } else { EvaluationPrinter.print(comparison) }
  }

  /// Runs both models on the dataset in one session, grading every answer.
  private func runBoth(_ pair: ModelComparison, configuration: LTBConfiguration, store: SQLBenchStore)
    async throws -> UUID
  {
    let suite = try pair.suite(
      dataset: dataset ?? "", repeats: repeats, metrics: EvaluationOptions.metricNames(metrics),
      evaluation: evaluation.settings)
    return try await global.withBenchmarks(configuration, store: store) { service in
      let session = try await service.createSession(suite)
      Console.writeError(
        "session \(session.id.uuidString.lowercased()): running \(pair.labels.joined(separator: " and "))")
      let outcome = try await service.run(sessionID: session.id)
      guard outcome.session.status == .completed else {
        throw LTBError(
          .server, "the comparison run ended \(outcome.session.status.rawValue)",
          fix: "see `ltb sessions show \(session.id.uuidString.lowercased())`")
      }
      if let failure = outcome.gradingFailure { throw failure }
      return session.id
    }
  }
}
