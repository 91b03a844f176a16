import Foundation
import LTBCore
import LTBEvaluation

/// Plain-text tables for evaluations and comparisons.
enum EvaluationPrinter {
  static func print(_ evaluation: SessionEvaluation) {
    for group in evaluation.groups {
      Swift.print(
        "\n\(group.label): \(group.evaluated) responses evaluated: \(group.pass) pass, \(group.fail) fail, \(group.error) error"
      )
      if let score = group.caseScore {
        Swift.print(
          String(
            format: "  case score %.3f (95%% CI %.3f–%.3f), pass rate %.1f%% (%.1f–%.1f%%)", score.mean,
            score.low, score.high, score.passRate * 100, score.passLow * 100, score.passHigh * 100))
      }
      for (name, metric) in group.metrics.sorted(by: { $0.key < $1.key }) {
        Swift.print(
          "  " + name.padding(toLength: 26, withPad: " ", startingAt: 0)
            + String(
              format: " n=%-5d mean %.3f ± %.3f  pass %5.1f%%", metric.count, metric.mean,
              metric.standardError, metric.passRate * 100)
            + (metric.errors > 0 ? "  errors \(metric.errors)" : "")
            + (metric.unavailable > 0 ? "  unavailable \(metric.unavailable)" : ""))
      }
      for (name, summary) in group.classifications.sorted(by: { $0.key < $1.key }) {
        Swift.print(
          String(
            format: "  %@: accuracy %.3f, macro-F1 %.3f over %d answers", name, summary.accuracy,
            summary.macroF1,
            summary.count))
        let width = max(8, (summary.labels.map(\.count).max() ?? 0) + 1)
        Swift.print(
          "    " + "expected \\ said".padding(toLength: width + 8, withPad: " ", startingAt: 0)
            + summary.labels.map { $0.padding(toLength: width, withPad: " ", startingAt: 0) }.joined())
        for (row, label) in summary.labels.enumerated() {
          Swift.print(
            "    " + label.padding(toLength: width + 8, withPad: " ", startingAt: 0)
              + summary.matrix[row].map { String($0).padding(toLength: width, withPad: " ", startingAt: 0) }
              .joined())
        }
      }
      let media =
        group.imageCost > 0 || group.audioCost > 0
        ? String(format: " (images $%.6f, audio $%.6f)", group.imageCost, group.audioCost) : ""
      Swift.print(
        String(format: "  cost: models $%.6f", group.modelCost) + media
          + String(
            format: ", judge $%.6f (%d calls, %d+%d tokens)", group.judgeCost, group.judgeCalls,
            group.judgeInputTokens, group.judgeOutputTokens))
    }
    let cache = evaluation.cache
    Swift.print(
      String(
        format: "\nevaluation cache: %d hits (%d memory, %d stored), %d misses, hit rate %.1f%%", cache.hits,
        cache.memoryHits, cache.storeHits, cache.misses, cache.hitRate * 100))
  }

  static func print(_ comparison: SessionComparison) {
    Swift.print("A: \(comparison.labelA)\nB: \(comparison.labelB)")
    Swift.print(
      "\(comparison.pairedCases) paired cases (\(comparison.unpaired) unpaired); α = \(comparison.alpha)")
    Swift.print(
      "metric".padding(toLength: 22, withPad: " ", startingAt: 0)
        + "      A         B      B−A   95% CI of B−A          Wilcoxon p  pass A→B       McNemar p  d_z    verdict"
    )
    for metric in comparison.metrics {
      let passes =
        metric.passRateA.map { a in String(format: "%4.0f%%→%4.0f%%", a * 100, (metric.passRateB ?? 0) * 100)
        } ?? "      –     "
      Swift.print(
        metric.name.padding(toLength: 22, withPad: " ", startingAt: 0)
          + String(
            format: " %9.4g %9.4g %8.3g  [%8.3g, %8.3g]  %9.4f  ", metric.meanA, metric.meanB,
            metric.difference, metric.low, metric.high, metric.wilcoxonP)
          + passes + "  " + (metric.mcnemarP.map { String(format: "%9.4f", $0) } ?? "        –")
          + "  " + (metric.effectSize.map { String(format: "%5.2f", $0) } ?? "    –") + "  " + metric.verdict)
    }
    if !comparison.flaky.isEmpty {
      Swift.print(
        "flaky cases (repeats disagree): \(comparison.flaky.prefix(20).joined(separator: ", "))\(comparison.flaky.count > 20 ? " …" : "")"
      )
    }
  }
}
