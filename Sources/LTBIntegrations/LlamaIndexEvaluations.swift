public import LTBCore
public import LTBEvaluation

/// A session's verdicts in the shape LlamaIndex's evaluators produce: what `BatchEvalRunner`
/// returns, one list of `EvaluationResult`s per evaluator (here per metric), each with `query`,
/// `contexts`, `response`, `passing`, `feedback`, `score`, `pairwise_source`, `invalid_result` and
/// `invalid_reason`. A verdict that could not be given (an error, or a metric that did not
/// apply) is an invalid result with its reason.
public enum LlamaIndexEvaluations {
  /// The document: `{"METRIC": [EvaluationResult, ...], ...}`, metrics in name order.
  public static func document(_ data: ReportData) -> JSONValue {
    var byMetric: [String: [JSONValue]] = [:]
    for result in data.results where !result.warmup {
      for record in data.records[result.id] ?? [] {
        let valid = record.state == .scored
        byMetric[record.metric, default: []].append([
          "query": .string(result.prompt),
          "contexts": result.expectations.map { .array($0.context.map(JSONValue.string)) } ?? .null,
          "response": result.response.map(JSONValue.string) ?? .null,
          "passing": record.passed.map(JSONValue.bool) ?? .null,
          "feedback": .string(record.explanation),
          "score": record.score.map(JSONValue.double) ?? .null,
          "pairwise_source": .null,
          "invalid_result": .bool(!valid),
          "invalid_reason": valid ? .null : .string(record.explanation),
        ])
      }
    }
    return .object(byMetric.mapValues(JSONValue.array))
  }
}
