import ArgumentParser
import Foundation
import LTBCore
import LTBEngine
import LTBEvaluation
import LTBProviders
import LTBStorage

/// `ltb eval SESSION`: (re)scores a session's stored responses without calling the models again.
struct EvalCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "eval",
    abstract:
      "Score a session's stored responses (the cases' assertions, plus --metrics) without calling the models."
  )

  @OptionGroup var global: GlobalOptions
  @OptionGroup var storage: DatabaseOption
  @OptionGroup var evaluation: EvaluationOptions
  @Argument(help: "The session id.") var session: String
  @Option(
    name: .long,
    help:
      "Metrics for every case, comma-separated, each TYPE or TYPE:THRESHOLD (e.g. bleu:30,rouge-l,wer:0.2); an installed evaluator plugin is plugin:NAME or plugin:NAME:THRESHOLD."
  )
  var metrics: String?
  @Flag(name: .long, help: "Use only --metrics, not the assertions stored with the cases.") var only = false
  @Flag(name: .long, help: "Print the evaluation as JSON.") var json = false

  func run() async throws {
    let configuration = try global.loadConfiguration()
    let extra = try EvaluationOptions.metrics(metrics)
    if only, extra.isEmpty {
      throw LTBError(.invalidInput, "--only needs --metrics", fix: "add --metrics bleu,...")
    }
    let id = try SessionID.parse(session)
    let result = try await global.traced(configuration, rootSpan: "ltb eval") {
      try await global.withStore(configuration, database: storage.database) { store in
        try await global.withBenchmarks(configuration, store: store) { service in
          try await service.grade(
            sessionID: id, extra: extra, onlyExtra: only, evaluation: evaluation.settings)
        }
      }
    }
    if json { print(try Console.json(result)) } else { EvaluationPrinter.print(result) }
  }
}
