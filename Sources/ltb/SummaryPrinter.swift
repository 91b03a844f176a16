import Foundation
import LTBCore
import LTBEngine

/// The console table printed at the end of a run and by `ltb sessions show`.
enum SummaryPrinter {
  static func print(_ summary: BenchmarkSummary, suite: BenchmarkSuite) {
    for group in summary.groups {
      let phase =
        suite.load.phases.indices.contains(group.phase)
        ? suite.load.phases[group.phase].label : "phase \(group.phase)"
      Swift.print("")
      let parameters = group.parameters.label
      Swift.print(
        "\(group.provider)/\(group.model)  [\(phase)]\(parameters.isEmpty ? "" : "  {\(parameters)}")")
      Swift.print(
        "  requests \(group.requests)  ok \(group.succeeded) (\(String(format: "%.1f", group.successRate * 100))%)  failed \(group.failed)  "
          + "timeout \(group.timedOut)  skipped \(group.skipped)  warm-up \(group.warmup)  cache hits \(group.cacheHits)"
      )
      if !group.errorsByCode.isEmpty {
        Swift.print(
          "  errors: "
            + group.errorsByCode.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(
              separator: ", "))
      }
      Swift.print(
        "  " + "metric (ms)".padding(toLength: 14, withPad: " ", startingAt: 0)
          + ["n", "mean", "p50", "p90", "p95", "p99", "max"].map(pad).joined())
      for (name, distribution) in [
        ("TTFT", group.timeToFirstToken), ("E2E", group.endToEnd), ("TPOT", group.timePerOutputToken),
        ("ITL", group.interTokenLatency), ("schedule lag", group.scheduleLag),
        ("from schedule", group.latencyFromSchedule),
      ] {
        guard let distribution else { continue }
        let values = [
          distribution.mean, distribution.p50, distribution.p90, distribution.p95, distribution.p99,
          distribution.max,
        ]
        Swift.print(
          "  " + name.padding(toLength: 14, withPad: " ", startingAt: 0) + pad(String(distribution.count))
            + values.map { pad(String(format: "%.2f", $0)) }.joined())
      }
      var throughput = String(
        format: "  throughput %.2f req/s  %.1f output tok/s over %.2f s", group.requestThroughput,
        group.outputTokenThroughput, group.windowSeconds)
      if let goodput = group.goodput, let attainment = group.sloAttainment {
        throughput += String(format: "  goodput %.2f req/s (%.1f%% within SLOs)", goodput, attainment * 100)
      }
      Swift.print(throughput)
      var cost = group.costUSD.map(Console.dollars) ?? "unknown (model not in the catalogue)"
      if group.imageCostUSD > 0 || group.audioCostUSD > 0 {
        cost +=
          " (images \(Console.dollars(group.imageCostUSD)), audio \(Console.dollars(group.audioCostUSD)))"
      }
      Swift.print(
        "  tokens \(group.inputTokens) in / \(group.outputTokens) out\(group.estimatedUsage > 0 ? " (\(group.estimatedUsage) estimated)" : "")  cost \(cost)"
      )
      if group.serverGenerationMs != nil || group.serverPromptMs != nil {
        var parts: [String] = []
        if let value = group.serverPromptMs { parts.append("prompt \(Console.milliseconds(value))") }
        if let value = group.serverGenerationMs { parts.append("generation \(Console.milliseconds(value))") }
        if let value = group.serverTokensPerSecond { parts.append(String(format: "%.1f tok/s", value)) }
        Swift.print("  server-reported (mean): " + parts.joined(separator: "  "))
      }
    }
  }

  private static func pad(_ text: String) -> String {
    String(repeating: " ", count: max(1, 10 - text.count)) + text
  }
}
