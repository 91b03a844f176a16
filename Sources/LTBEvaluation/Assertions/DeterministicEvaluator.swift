import Foundation
public import LTBCore

/// The cheap checks: string matching, JSON, edit distance, length bounds, and limits on the
/// request's latency, TTFT, cost and tokens. Binary checks score 1 or 0; `levenshtein` and
/// `similarity` score the normalized similarity.
public struct DeterministicEvaluator: Evaluator {
  /// The evaluator's id.
  public let id = "deterministic"
  /// The evaluator's version.
  public let version = 1
  /// The assertion types it handles.
  public let types = AssertionCatalog.deterministic
  /// Whether outcomes are cached.
  public let cacheable = false

  /// Creates the evaluator.
  public init() {}

  /// Scores one response for one assertion.
  public func evaluate(_ assertion: AssertionSpec, _ input: EvaluationInput) async -> EvaluationOutcome {
    let response = input.response
    func check(_ passed: Bool, _ explanation: String) -> EvaluationOutcome {
      .scored(passed ? 1 : 0, passed: passed, explanation)
    }
    switch assertion.type {
    case "equals":
      let expected = assertion.text ?? ""
      return check(
        response == expected,
        "response \(response == expected ? "equals" : "differs from") \(quoted(expected))")
    case "contains":
      let needle = assertion.text ?? ""
      return check(
        response.contains(needle), "\(quoted(needle)) \(response.contains(needle) ? "found" : "not found")")
    case "icontains":
      let needle = assertion.text ?? ""
      let found = response.range(of: needle, options: [.caseInsensitive]) != nil
      return check(found, "\(quoted(needle)) \(found ? "found" : "not found") (ignoring case)")
    case "contains-any":
      let found = assertion.texts.filter { response.contains($0) }
      return check(!found.isEmpty, found.isEmpty ? "none of \(assertion.texts) found" : "found \(found)")
    case "contains-all":
      let missing = assertion.texts.filter { !response.contains($0) }
      return check(
        missing.isEmpty, missing.isEmpty ? "all of \(assertion.texts) found" : "missing \(missing)")
    case "starts-with":
      let prefix = assertion.text ?? ""
      return check(
        response.hasPrefix(prefix),
        "response \(response.hasPrefix(prefix) ? "starts" : "does not start") with \(quoted(prefix))")
    case "regex":
      guard let regex = try? NSRegularExpression(pattern: assertion.text ?? "") else {
        return .error("invalid regular expression \(assertion.text ?? "")")
      }
      let matched =
        regex.firstMatch(in: response, range: NSRange(response.startIndex..., in: response)) != nil
      return check(matched, "/\(assertion.text ?? "")/ \(matched ? "matches" : "does not match")")
    case "is-json":
      guard let value = try? JSONValue.parse(Self.jsonBody(response)) else {
        return check(false, "the response is not valid JSON")
      }
      return check(true, "valid JSON (\(value.objectValue != nil ? "object" : "value"))")
    case "json-schema":
      guard let document = try? JSONValue.parse(Self.jsonBody(response)) else {
        return check(false, "the response is not valid JSON")
      }
      guard let schema = try? JSONSchema(assertion.value ?? .null) else { return .error("invalid schema") }
      let problems = schema.problems(document)
      return .scored(
        problems.isEmpty ? 1 : 0, passed: problems.isEmpty,
        problems.isEmpty ? "matches the schema" : problems.prefix(5).joined(separator: "; "),
        details: .array(problems.map { .string($0) }))
    case "levenshtein":
      let expected = assertion.text ?? ""
      let distance = EditDistance.between(response, expected)
      let limit = assertion.threshold ?? 0
      return .scored(
        EditDistance.normalizedSimilarity(response, expected), passed: Double(distance) <= limit,
        value: Double(distance), threshold: limit,
        "\(distance) edits from \(quoted(expected)) (at most \(Int(limit)))")
    case "similarity":
      guard let expected = assertion.text ?? input.expected else {
        return .unavailable("no text to compare with: give 'value' or the case's expected answer")
      }
      let similarity = EditDistance.normalizedSimilarity(response, expected)
      let threshold = assertion.threshold ?? 0.8
      return .scored(
        similarity, passed: similarity >= threshold, value: similarity, threshold: threshold,
        String(format: "normalized similarity %.3f (need ≥ %.3f)", similarity, threshold))
    case "length":
      return bounds(Double(response.count), assertion, unit: "characters")
    case "word-count":
      return bounds(Double(response.split(whereSeparator: \.isWhitespace).count), assertion, unit: "words")
    case "latency":
      return limit(input.latencyMs, assertion, unit: "ms", what: "end-to-end latency")
    case "ttft":
      return limit(input.timeToFirstTokenMs, assertion, unit: "ms", what: "time to first token")
    case "cost":
      return limit(input.costUSD, assertion, unit: "USD", what: "cost")
    case "tokens":
      return limit(input.outputTokens.map(Double.init), assertion, unit: "tokens", what: "output tokens")
    default:
      return .error("the deterministic evaluator does not handle '\(assertion.type)'")
    }
  }

  /// The JSON in a response, without a Markdown code fence around it.
  static func jsonBody(_ response: String) -> String {
    var text = response.trimmingCharacters(in: .whitespacesAndNewlines)
    if text.hasPrefix("```") {
      text = String(text.drop(while: { $0 != "\n" }).dropFirst())
      if let end = text.range(of: "```", options: .backwards) { text = String(text[..<end.lowerBound]) }
    }
    return text
  }

  private func quoted(_ text: String) -> String {
    "\"" + (text.count > 60 ? String(text.prefix(57)) + "…" : text) + "\""
  }

  private func bounds(_ value: Double, _ assertion: AssertionSpec, unit: String) -> EvaluationOutcome {
    let minimum = assertion.number("min") ?? -.infinity
    let maximum = assertion.number("max") ?? .infinity
    let passed = value >= minimum && value <= maximum
    return .scored(
      passed ? 1 : 0, passed: passed, value: value,
      "\(Int(value)) \(unit) (allowed \(minimum.isFinite ? String(Int(minimum)) : "0")–\(maximum.isFinite ? String(Int(maximum)) : "∞"))"
    )
  }

  private func limit(_ value: Double?, _ assertion: AssertionSpec, unit: String, what: String)
    -> EvaluationOutcome
  {
    guard let value else { return .unavailable("the result has no \(what)") }
    let threshold = assertion.threshold ?? assertion.value?.doubleValue ?? 0
    let passed = value <= threshold
    return .scored(
      passed ? 1 : 0, passed: passed, value: value, threshold: threshold,
      "\(what) \(Self.format(value)) \(unit) (at most \(Self.format(threshold)))")
  }

  static func format(_ value: Double) -> String {
    value.rounded() == value && abs(value) < 1e12 ? String(Int(value)) : String(format: "%.4g", value)
  }
}
