import Foundation
import LTBCore

/// A Markdown summary sized for a pull-request comment: one table of models (verdicts, case
/// score with its interval, latency, cost, judge cost), one of metrics, and the first failures.
enum MarkdownReport {
  static func render(_ data: ReportData) -> String {
    var lines = [
      "## LLM Test Bench: \(cell(data.session.name))", "",
      "Session `\(data.session.id.uuidString)` · \(data.results.count) responses · status \(data.session.status.rawValue)",
      "",
      "| model | pass | fail | error | case score (95% CI) | latency p50 / p95 ms | TTFT p50 ms | cost USD | judge cost USD |",
      "|---|---:|---:|---:|---|---:|---:|---:|---:|",
    ]
    for group in data.evaluation.groups {
      let latency = data.percentiles(group.label) { $0.endToEndMs }
      let ttft = data.percentiles(group.label) { $0.timeToFirstTokenMs }
      let score = group.caseScore.map { String(format: "%.3f (%.3f–%.3f)", $0.mean, $0.low, $0.high) } ?? "–"
      lines.append(
        "| \(cell(group.label)) | \(group.pass) | \(group.fail) | \(group.error) | \(score) | \(format(latency["p50"])) / \(format(latency["p95"])) | \(format(ttft["p50"])) | \(String(format: "%.4f", group.modelCost)) | \(String(format: "%.4f", group.judgeCost)) |"
      )
    }
    let metricRows = data.evaluation.groups.flatMap { group in
      group.metrics.sorted { $0.key < $1.key }.map { name, summary in
        "| \(cell(group.label)) | \(cell(name)) | \(summary.count) | \(String(format: "%.3f ± %.3f", summary.mean, summary.standardError)) | \(String(format: "%.0f%% (%.0f–%.0f%%)", summary.passRate * 100, summary.passLow * 100, summary.passHigh * 100)) | \(summary.errors) |"
      }
    }
    if !metricRows.isEmpty {
      lines += [
        "", "| model | metric | n | mean ± SE | pass rate (95% CI) | errors |", "|---|---|---:|---|---|---:|",
      ]
      lines += metricRows
    }
    for group in data.evaluation.groups {
      for (name, summary) in group.classifications.sorted(by: { $0.key < $1.key }) {
        lines += [
          "",
          "**\(cell(group.label)) · \(cell(name))**: accuracy \(String(format: "%.3f", summary.accuracy)), macro-F1 \(String(format: "%.3f", summary.macroF1)) over \(summary.count) answers",
          "",
          "| expected \\ said | " + summary.labels.map(cell).joined(separator: " | ") + " |",
          "|---|" + summary.labels.map { _ in "---:" }.joined(separator: "|") + "|",
        ]
        for (row, label) in summary.labels.enumerated() {
          lines.append(
            "| \(cell(label)) | " + summary.matrix[row].map(String.init).joined(separator: " | ") + " |")
        }
      }
    }
    let failures = data.results.filter { data.verdict($0) == "fail" || data.verdict($0) == "error" }
    if !failures.isEmpty {
      lines += ["", "<details><summary>\(failures.count) failing or erroring responses</summary>", ""]
      for result in failures.prefix(20) {
        lines.append(
          "- `\(cell(result.testID))` on \(cell(SessionRecords.label(result))): **\(data.verdict(result))**: \(cell(data.cases[result.id]?.reason ?? result.error ?? ""))"
        )
      }
      if failures.count > 20 { lines.append("- … and \(failures.count - 20) more") }
      lines += ["", "</details>"]
    }
    return lines.joined(separator: "\n") + "\n"
  }

  /// Text safe inside a table cell: pipes escaped, newlines flattened, HTML neutralized.
  static func cell(_ text: String) -> String {
    Escaping.xml(text).replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
      .replacingOccurrences(of: "\r", with: " ")
  }

  static func format(_ value: Double?) -> String { value.map { String(format: "%.1f", $0) } ?? "–" }
}
