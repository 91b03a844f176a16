import ArgumentParser
import Foundation
import LTBCore
import LTBEvaluation
import LTBStorage

/// `ltb optimize --min-quality X`: the cheapest (or fastest) model that meets the bar on your data.
struct OptimizeCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "optimize",
    abstract:
      "Recommend the cheapest (or fastest) model whose measured quality meets a bar, with the evidence.")

  @OptionGroup var global: GlobalOptions
  @OptionGroup var storage: DatabaseOption
  @Option(name: .long, help: "The quality bar, 0–1: the lower end of the 95% interval must reach it.")
  var minQuality: Double
  @Option(name: .long, help: "The metric (default: the case score, `case`).") var metric = "case"
  @Flag(name: .long, help: "Pick the fastest (p50 latency) instead of the cheapest.") var fastest = false
  @Flag(name: .long, help: "Print as JSON.") var json = false

  func validate() throws {
    if !(0...1).contains(minQuality) { throw ValidationError("--min-quality must be between 0 and 1") }
  }

  func run() async throws {
    let configuration = try global.loadConfiguration()
    let profiles = try await global.withStore(configuration, database: storage.database) {
      try await $0.modelProfiles()
    }
    guard !profiles.isEmpty else {
      throw LTBError(.notFound, "no model profiles yet", fix: "evaluate a session first: ltb eval SESSION")
    }
    let recommendation = ModelProfiler.recommend(
      profiles, minimumQuality: minQuality, metric: metric, byLatency: fastest)
    if json {
      print(try Console.json(Output(recommendation: recommendation, profiles: profiles)))
    } else {
      for profile in profiles {
        let quality = profile.quality[metric]
        print(
          "\(profile.provider)/\(profile.model)".padding(toLength: 40, withPad: " ", startingAt: 0)
            + (quality.map {
              String(format: " %@ %.3f [%.3f, %.3f] n=%d", metric, $0.mean, $0.low, $0.high, $0.count)
            }
              ?? " no \(metric) scores")
            + (profile.costPer1kTokens.map { String(format: "  $%.5f/1k tokens", $0) } ?? "  unpriced")
            + (profile.latency["p50"].map { String(format: "  p50 %.0f ms", $0) } ?? ""))
      }
      if let best = recommendation.profile {
        print(
          "\nrecommended: \(best.provider)/\(best.model) (\(fastest ? "fastest" : "cheapest") of \(recommendation.qualifying.count) that meet \(metric) ≥ \(minQuality))"
        )
      } else {
        print("\nno model meets \(metric) ≥ \(minQuality) with confidence")
      }
      for (label, reason) in recommendation.rejected.sorted(by: { $0.key < $1.key }) {
        print("  not \(label): \(reason)")
      }
      if recommendation.profile == nil { throw ExitCode(1) }
    }
  }

  struct Output: Encodable {
    var recommendation: ModelProfiler.Recommendation
    var profiles: [ModelProfile]
  }
}
