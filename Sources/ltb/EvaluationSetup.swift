import ArgumentParser
import Foundation
import LTBConfig
import LTBCore
import LTBEvaluation
import LTBProviders
import LTBStorage

/// The options that choose the judge and embedding models (over the suite's and the
/// configuration's), and the metrics of `--metrics`.
struct EvaluationOptions: ParsableArguments {
  @Option(name: .long, help: "The judge: PROVIDER or PROVIDER/MODEL (overrides the suite's judge).")
  var judge: String?
  @Option(name: .long, help: "The embedding provider for embedding-similarity: PROVIDER or PROVIDER/MODEL.")
  var embedding: String?

  /// The judge and embedding given on the command line, as a suite would carry them.
  var settings: EvaluationSettings { EvaluationSettings(judge: judge, embedder: embedding) }

  /// `--metrics bleu,rouge-l:0.4,wer:0.3`: each a type, optionally with a threshold.
  static func metrics(_ text: String?) throws -> [AssertionSpec] {
    try AssertionSpec.metrics(metricNames(text)).map { try AssertionSpec(parsing: $0, location: "--metrics") }
  }

  /// The items of `--metrics`.
  static func metricNames(_ text: String?) -> [String] {
    (text ?? "").split(separator: ",").map(String.init)
  }
}
