import ArgumentParser
import Foundation
import LTBCore
import LTBEvaluation
import LTBStorage

/// `ltb analyze --baseline A --candidate B --fail-on-regression`: exits 2 when a metric got
/// significantly worse beyond the margin, for CI gates.
struct AnalyzeCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "analyze",
    abstract:
      "Compare a candidate session with a baseline; with --fail-on-regression exit 2 on a significant regression."
  )

  @OptionGroup var global: GlobalOptions
  @OptionGroup var storage: DatabaseOption
  @Option(name: .long, help: "The baseline session id.") var baseline: String
  @Option(name: .long, help: "The candidate session id.") var candidate: String
  @Flag(name: .long, help: "Exit with status 2 when a metric regressed.") var failOnRegression = false
  @Option(name: .long, help: "Smallest score drop (0–1 scale) that counts as a regression.") var margin = 0.02
  @Option(
    name: .long, help: "Smallest relative rise of latency, TTFT, cost or tokens that counts (0.1 = 10%).")
  var latencyMargin = 0.10
  @Option(name: .long, help: "Significance level.") var alpha = 0.05
  @Flag(name: .long, help: "Print the analysis as JSON.") var json = false

  func validate() throws {
    if margin < 0 || latencyMargin < 0 { throw ValidationError("margins must not be negative") }
    if !(0.0001...0.5).contains(alpha) { throw ValidationError("--alpha must be between 0.0001 and 0.5") }
  }

  struct Analysis: Encodable {
    var comparison: SessionComparison
    var regressions: [String]
  }

  func run() async throws {
    let configuration = try global.loadConfiguration()
    let comparison = try await global.withStore(configuration, database: storage.database) { store in
      SessionComparison(
        try await SessionComparison.side(session: try SessionID.parse(baseline), store: store),
        try await SessionComparison.side(session: try SessionID.parse(candidate), store: store), alpha: alpha)
    }
    let regressions = comparison.regressions(margin: margin, relativeMargin: latencyMargin)
    if json {
      print(try Console.json(Analysis(comparison: comparison, regressions: regressions.map(\.name))))
    } else {
      EvaluationPrinter.print(comparison)
      print(
        regressions.isEmpty
          ? "\nno significant regression (margin \(margin), latency margin \(Int(latencyMargin * 100))%)"
          : "\nREGRESSION in \(regressions.map(\.name).joined(separator: ", "))")
    }
    if failOnRegression, !regressions.isEmpty { throw ExitCode(2) }
  }
}
