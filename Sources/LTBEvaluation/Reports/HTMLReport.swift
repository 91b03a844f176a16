import Foundation
import LTBCore

/// One self-contained HTML page: summary cards, latency percentile and TTFT distribution
/// charts, score distributions, the case × model matrix with pass/fail, and the cost breakdown
/// with the judge's cost apart. Inline CSS and SVG only: no scripts, no external resources,
/// every value escaped.
enum HTMLReport {
  static func render(_ data: ReportData) -> String {
    let e = Escaping.xml
    var sections: [String] = []
    let total = data.results.count
    let passed = data.results.filter { data.verdict($0) == "pass" }.count
    let failed = data.results.filter { data.verdict($0) == "fail" }.count
    let errored = data.results.filter { data.verdict($0) == "error" }.count
    let modelCost = data.evaluation.groups.reduce(0) { $0 + $1.modelCost }
    let judgeCost = data.evaluation.groups.reduce(0) { $0 + $1.judgeCost }
    let cards = [
      ("responses", String(total)), ("pass", String(passed)), ("fail", String(failed)),
      ("error", String(errored)),
      ("models", String(data.labels.count)), ("model cost", String(format: "$%.4f", modelCost)),
      ("judge cost", String(format: "$%.4f", judgeCost)),
    ]
    sections.append(
      "<section class=\"cards\">"
        + cards.map {
          "<div class=\"card\"><div class=\"value\">\(e($0.1))</div><div class=\"label\">\(e($0.0))</div></div>"
        }
        .joined() + "</section>")
    let series = ["p50", "p90", "p95", "p99"]
    sections.append(
      SVGChart.groupedBars(
        title: "End-to-end latency percentiles", unit: "ms", series: series,
        groups: data.labels.map { label in
          let values = data.percentiles(label) { $0.endToEndMs }
          return (label, series.map { values[$0] ?? 0 })
        }))
    for label in data.labels {
      let ttfts = data.results.filter { SessionRecords.label($0) == label }.compactMap(\.timeToFirstTokenMs)
      if !ttfts.isEmpty {
        sections.append(SVGChart.histogram(title: "TTFT distribution: \(label)", unit: "ms", values: ttfts))
      }
      let scores = data.results.filter { SessionRecords.label($0) == label }.compactMap {
        data.cases[$0.id]?.score
      }
      if !scores.isEmpty {
        sections.append(
          SVGChart.histogram(
            title: "Case score distribution: \(label)", unit: "score", values: scores, bins: 10))
      }
    }
    var summary =
      "<table><tr><th>model</th><th>pass</th><th>fail</th><th>error</th><th>case score (95% CI)</th><th>metric</th><th>mean ± SE</th><th>pass rate (95% CI)</th></tr>"
    for group in data.evaluation.groups {
      let score = group.caseScore.map { String(format: "%.3f (%.3f–%.3f)", $0.mean, $0.low, $0.high) } ?? "–"
      let metrics = group.metrics.sorted { $0.key < $1.key }
      let rows = max(1, metrics.count)
      summary +=
        "<tr><td rowspan=\"\(rows)\">\(e(group.label))</td><td rowspan=\"\(rows)\">\(group.pass)</td><td rowspan=\"\(rows)\">\(group.fail)</td><td rowspan=\"\(rows)\">\(group.error)</td><td rowspan=\"\(rows)\">\(e(score))</td>"
      if metrics.isEmpty { summary += "<td>–</td><td></td><td></td></tr>" }
      for (index, (name, metric)) in metrics.enumerated() {
        if index > 0 { summary += "<tr>" }
        summary +=
          "<td>\(e(name))</td><td>\(e(String(format: "%.3f ± %.3f", metric.mean, metric.standardError)))</td><td>\(e(String(format: "%.0f%% (%.0f–%.0f%%)", metric.passRate * 100, metric.passLow * 100, metric.passHigh * 100)))</td></tr>"
      }
    }
    sections.append("<h2>Scores</h2>" + summary + "</table>")
    for group in data.evaluation.groups {
      for (name, classes) in group.classifications.sorted(by: { $0.key < $1.key }) {
        var table =
          "<h3>\(e(group.label)) · \(e(name)): accuracy \(e(String(format: "%.3f", classes.accuracy))), macro-F1 \(e(String(format: "%.3f", classes.macroF1))) over \(classes.count) answers</h3>"
          + "<table class=\"confusion\"><tr><th>expected \\ said</th>"
          + classes.labels.map { "<th>\(e($0))</th>" }.joined() + "</tr>"
        for (row, label) in classes.labels.enumerated() {
          table +=
            "<tr><th>\(e(label))</th>"
            + classes.matrix[row].enumerated().map { column, count in
              "<td class=\"\(column == row ? "pass" : count > 0 ? "fail" : "none")\">\(count)</td>"
            }.joined() + "</tr>"
        }
        sections.append(table + "</table>")
      }
    }
    let testIDs = Array(Set(data.results.map(\.testID))).sorted()
    var matrix =
      "<table class=\"matrix\"><tr><th>case</th>" + data.labels.map { "<th>\(e($0))</th>" }.joined() + "</tr>"
    for id in testIDs.prefix(500) {
      matrix += "<tr><td>\(e(id))</td>"
      for label in data.labels {
        let repeats = data.results.filter { $0.testID == id && SessionRecords.label($0) == label }
        let verdicts = repeats.map(data.verdict)
        let shown = verdicts.isEmpty ? "" : verdicts.joined(separator: " ")
        let style =
          verdicts.contains("fail")
          ? "fail" : verdicts.contains("error") ? "error" : verdicts.contains("pass") ? "pass" : "none"
        let tip = repeats.compactMap { data.cases[$0.id]?.reason ?? $0.response }.first ?? ""
        matrix += "<td class=\"\(style)\" title=\"\(e(String(tip.prefix(300))))\">\(e(shown))</td>"
      }
      matrix += "</tr>"
    }
    if testIDs.count > 500 {
      matrix += "<tr><td colspan=\"\(data.labels.count + 1)\">… \(testIDs.count - 500) more cases</td></tr>"
    }
    sections.append("<h2>Cases × models</h2>" + matrix + "</table>")
    var costs =
      "<table><tr><th>model</th><th>requests</th><th>model cost USD</th><th>of which images</th><th>of which audio</th><th>judge cost USD</th><th>judge calls</th><th>judge tokens in / out</th></tr>"
    for group in data.evaluation.groups {
      let requests = data.results.filter { SessionRecords.label($0) == group.label }.count
      costs +=
        "<tr><td>\(e(group.label))</td><td>\(requests)</td><td>\(e(String(format: "%.6f", group.modelCost)))</td><td>\(e(String(format: "%.6f", group.imageCost)))</td><td>\(e(String(format: "%.6f", group.audioCost)))</td><td>\(e(String(format: "%.6f", group.judgeCost)))</td><td>\(group.judgeCalls)</td><td>\(group.judgeInputTokens) / \(group.judgeOutputTokens)</td></tr>"
    }
    sections.append("<h2>Cost</h2>" + costs + "</table>")
    return """
      <!DOCTYPE html>
      <html lang="en"><head><meta charset="utf-8">
      <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
      <title>\(e(data.session.name)) — LLM Test Bench report</title>
      <style>
      body{font-family:system-ui,sans-serif;margin:24px;color:#222}h1{font-size:22px}h2{font-size:17px;margin-top:28px}
      .cards{display:flex;flex-wrap:wrap;gap:12px}.card{border:1px solid #ddd;border-radius:6px;padding:10px 16px;min-width:90px}
      .value{font-size:20px;font-weight:600}.label{color:#666;font-size:12px}table{border-collapse:collapse;margin:8px 0}
      td,th{border:1px solid #ddd;padding:4px 8px;font-size:13px;text-align:left}figure{margin:16px 0}figcaption{font-weight:600;font-size:13px}
      td.pass{background:#dff0d8}td.fail{background:#f2dede}td.error{background:#fcf8e3}td.none{color:#999}
      </style></head><body>
      <h1>\(e(data.session.name))</h1>
      <p>Session \(e(data.session.id.uuidString)) · status \(e(data.session.status.rawValue)) · \(total) responses</p>
      \(sections.joined(separator: "\n"))
      </body></html>

      """
  }
}
