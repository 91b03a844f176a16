import Foundation
import LTBCore

/// The JSON report: the session, the evaluation summary and every response with its verdicts.
enum JSONReport {
  static func render(_ data: ReportData) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    encoder.dateEncodingStrategy = .iso8601
    struct Response: Encodable {
      var id: UUID
      var testID: String
      var provider: String
      var model: String
      var repeatIndex: Int
      var status: String
      var verdict: String
      var caseScore: Double?
      var reason: String?
      var latencyMs: Double?
      var ttftMs: Double?
      var costUSD: Double?
      var cost: Cost?
      var outputTokens: Int?
      var response: String?
      var metrics: [String: EvaluationRecord]
    }
    struct Document: Encodable {
      var session: BenchmarkSession
      var evaluation: SessionEvaluation
      var responses: [Response]
    }
    let responses = data.results.map { result in
      Response(
        id: result.id, testID: result.testID, provider: result.provider, model: result.model,
        repeatIndex: result.repeatIndex, status: result.status.rawValue, verdict: data.verdict(result),
        caseScore: data.cases[result.id]?.score, reason: data.cases[result.id]?.reason,
        latencyMs: result.endToEndMs,
        ttftMs: result.timeToFirstTokenMs, costUSD: result.cost?.total, cost: result.cost,
        outputTokens: result.usage?.outputTokens,
        response: result.response,
        metrics: Dictionary((data.records[result.id] ?? []).map { ($0.metric, $0) }, uniquingKeysWith: { $1 })
      )
    }
    let document = Document(session: data.session, evaluation: data.evaluation, responses: responses)
    return (try? encoder.encode(document)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
  }
}
