import Foundation
import LTBCore

/// The CSV report (RFC 4180): one row per response, one score column per metric.
enum CSVReport {
  static func render(_ data: ReportData) -> String {
    let fixed = [
      "result_id", "test_id", "provider", "model", "repeat", "status", "verdict", "case_score", "latency_ms",
      "ttft_ms",
      "cost_usd", "output_tokens",
    ]
    var lines = [(fixed + data.metricNames).map(CSVField.quoted).joined(separator: ",")]
    for result in data.results {
      let scores = Dictionary(
        (data.records[result.id] ?? []).map { ($0.metric, $0) }, uniquingKeysWith: { $1 })
      let row: [String] =
        [
          result.id.uuidString, result.testID, result.provider, result.model, String(result.repeatIndex),
          result.status.rawValue, data.verdict(result), number(data.cases[result.id]?.score),
          number(result.endToEndMs),
          number(result.timeToFirstTokenMs), number(result.cost?.total),
          result.usage.map { String($0.outputTokens) } ?? "",
        ]
        + data.metricNames.map {
          scores[$0].flatMap { $0.state == .scored ? number($0.score) : $0.state.rawValue } ?? ""
        }
      lines.append(row.map(CSVField.quoted).joined(separator: ","))
    }
    return lines.joined(separator: "\r\n") + "\r\n"
  }

  static func number(_ value: Double?) -> String {
    guard let value else { return "" }
    return NumberText.decimal(value)
  }
}
