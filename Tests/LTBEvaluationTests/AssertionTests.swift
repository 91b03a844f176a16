import Foundation
import LTBCore
import Testing

@testable import LTBEvaluation

/// Every deterministic assertion, its negation, parsing errors, JSON Schema, and case scoring.
@Suite("Assertions")
struct AssertionTests {
  static let input = EvaluationInput(
    testID: "t", prompt: "What is the capital of France?", response: "The capital of France is Paris.",
    expected: "Paris", references: ["Paris is the capital of France."], latencyMs: 120,
    timeToFirstTokenMs: 30,
    costUSD: 0.002, outputTokens: 8, totalTokens: 20)

  static func spec(_ json: JSONValue) throws -> AssertionSpec {
    try AssertionSpec(parsing: json, location: "test")
  }

  /// (assertion, whether it passes on `input`).
  static let table: [(JSONValue, Bool)] = [
    (["type": "equals", "value": "The capital of France is Paris."], true),
    (["type": "equals", "value": "Paris"], false),
    (["type": "contains", "value": "Paris"], true),
    (["type": "contains", "value": "paris"], false),
    (["type": "icontains", "value": "paris"], true),
    (["type": "contains-any", "value": ["Lyon", "Paris"]], true),
    (["type": "contains-any", "value": ["Lyon", "Nice"]], false),
    (["type": "contains-all", "value": ["France", "Paris"]], true),
    (["type": "contains-all", "value": ["France", "Lyon"]], false),
    (["type": "starts-with", "value": "The capital"], true),
    (["type": "starts-with", "value": "Paris"], false),
    (["type": "regex", "value": "capital of [A-Z][a-z]+ is"], true),
    (["type": "regex", "value": "^Paris"], false),
    (["type": "is-json"], false),
    (["type": "levenshtein", "value": "The capital of France is Paris!", "threshold": 1], true),
    (["type": "levenshtein", "value": "Paris", "threshold": 3], false),
    (["type": "similarity", "threshold": 0.1], true),
    (["type": "length", "min": 10, "max": 40], true),
    (["type": "length", "max": 10], false),
    (["type": "word-count", "min": 6, "max": 6], true),
    (["type": "word-count", "min": 7], false),
    (["type": "latency", "threshold": 200], true),
    (["type": "latency", "threshold": 100], false),
    (["type": "ttft", "threshold": 30], true),
    (["type": "ttft", "threshold": 29.9], false),
    (["type": "cost", "threshold": 0.01], true),
    (["type": "cost", "threshold": 0.001], false),
    (["type": "tokens", "threshold": 8], true),
    (["type": "tokens", "threshold": 7], false),
    (["type": "bleu", "threshold": 10], true),
    (["type": "rouge-l", "threshold": 0.99], false),
    (["type": "wer", "threshold": 1.0], true),
    (["type": "cer", "threshold": 0.01], false),
    (["type": "readability", "threshold": 0], true),
  ]

  @Test("each assertion passes or fails as it should, and its not- form does the opposite")
  func deterministicAndNegated() async throws {
    let service = EvaluationService(evaluators: EvaluationService.standardEvaluators(judge: nil))
    for (json, expected) in Self.table {
      let spec = try Self.spec(json)
      let scored = await service.score([spec], Self.input)[0]
      #expect(scored.outcome.state == .scored, "\(json): \(scored.outcome.explanation)")
      #expect(scored.outcome.passed == expected, "\(json): \(scored.outcome.explanation)")
      guard case .object(var members) = json, let type = members["type"]?.stringValue else { continue }
      members["type"] = .string("not-" + type)
      let negated = await service.score([try Self.spec(.object(members))], Self.input)[0]
      #expect(negated.outcome.passed == !expected, "not-\(type)")
      #expect(negated.spec.name == "not-" + type)
      if let score = scored.outcome.score {
        #expect(abs((negated.outcome.score ?? -1) - (1 - score)) < 1e-12)
      }
    }
  }

  @Test("bad assertions are refused with the problem and the fix")
  func parseErrors() {
    func message(_ json: JSONValue) -> String {
      do {
        _ = try Self.spec(json)
        return "accepted"
      } catch let error as LTBError {
        return error.message + " | " + (error.fix ?? "")
      } catch {
        return "\(error)"
      }
    }
    #expect(message(["type": "contians", "value": "x"]).contains("did you mean 'contains'"))
    #expect(message(["value": "x"]).contains("no 'type'"))
    #expect(message(["type": "contains"]).contains("needs a string 'value'"))
    #expect(message(["type": "regex", "value": "("]).contains("invalid regular expression"))
    #expect(
      message(["type": "k-of-n", "k": 3, "assert": [["type": "is-json"]]]).contains("k between 1 and 1"))
    #expect(message(["type": "latency"]).contains("threshold"))
    #expect(
      message(["type": "json-schema", "value": ["type": "object", "oneOf": []]]).contains("does not support"))
    #expect(message(["type": "answer-relevance", "samples": 50]).contains("1–20"))
    #expect(message(["type": "contains", "value": "x", "weight": -1]).contains("weight"))
  }

  static let schema: JSONValue = [
    "type": "object", "required": ["name", "age"], "additionalProperties": false,
    "properties": [
      "name": ["type": "string", "minLength": 1, "maxLength": 10, "pattern": "^[A-Z]"],
      "age": ["type": "integer", "minimum": 0, "maximum": 150],
      "tags": ["type": "array", "items": ["type": "string", "enum": ["a", "b"]], "maxItems": 2],
      "score": ["type": ["number", "null"], "exclusiveMaximum": 1],
      "kind": ["const": "person"],
    ],
  ]

  @Test("JSON Schema: valid and invalid documents")
  func jsonSchema() throws {
    let schema = try JSONSchema(Self.schema)
    let valid = [
      #"{"name": "Ada", "age": 36}"#, #"{"name": "B", "age": 0, "tags": ["a", "b"]}"#,
      #"{"name": "Cy", "age": 150, "score": null}"#, #"{"name": "Di", "age": 1.0, "score": 0.5}"#,
      #"{"name": "Ed", "age": 20, "kind": "person"}"#, #"{"name": "Flo", "age": 3, "tags": []}"#,
    ]
    let invalid = [
      (#"{"name": "Ada"}"#, "missing required property 'age'"),
      (#"{"name": "ada", "age": 1}"#, "does not match"),
      (#"{"name": "Ada", "age": -1}"#, "minimum"), (#"{"name": "Ada", "age": 1.5}"#, "expected integer"),
      (#"{"name": "Ada", "age": 1, "x": 1}"#, "not allowed"),
      (#"{"name": "Ada", "age": 1, "tags": ["c"]}"#, "not one of"),
      (#"{"name": "Ada", "age": 1, "tags": ["a", "a", "b"]}"#, "more than 2"),
      (#"{"name": "", "age": 1}"#, "shorter"),
      (#"{"name": "Ada", "age": 1, "score": 1}"#, "exclusiveMaximum"), (#"["Ada", 36]"#, "expected object"),
      (#"{"name": "Ada", "age": 1, "kind": "robot"}"#, "must equal"),
      (#"{"name": "Abcdefghijk", "age": 1}"#, "longer"),
      (#"{"name": "Ada", "age": true}"#, "expected integer"),
    ]
    for document in valid {
      #expect(schema.problems(try JSONValue.parse(document)).isEmpty, "\(document)")
    }
    for (document, problem) in invalid {
      let problems = schema.problems(try JSONValue.parse(document))
      #expect(problems.contains { $0.contains(problem) }, "\(document): \(problems)")
    }
  }

  @Test("json-schema and is-json assertions read fenced JSON answers")
  func jsonAssertions() async throws {
    let service = EvaluationService(evaluators: [DeterministicEvaluator()])
    var input = Self.input
    input.response = "```json\n{\"name\": \"Ada\", \"age\": 36}\n```"
    let scored = await service.score(
      [try Self.spec(["type": "is-json"]), try Self.spec(["type": "json-schema", "value": Self.schema])],
      input)
    #expect(scored.map { $0.outcome.passed } == [true, true])
    input.response = "{\"name\": \"Ada\"}"
    let failed = await service.score([try Self.spec(["type": "json-schema", "value": Self.schema])], input)
    #expect(failed[0].outcome.passed == false)
    #expect(failed[0].outcome.explanation.contains("age"))
  }

  @Test("groups, weights and the three case states")
  func caseScoring() async throws {
    let service = EvaluationService(evaluators: EvaluationService.standardEvaluators(judge: nil))
    let result = BenchmarkResult(
      sessionID: UUID(), taskKey: "k", testID: "t", dataset: "d", provider: "p", model: "m", status: .success,
      prompt: "", response: Self.input.response)
    let group = try Self.spec([
      "type": "k-of-n", "k": 2,
      "assert": [
        ["type": "contains", "value": "Paris"], ["type": "contains", "value": "Lyon"], ["type": "is-json"],
      ],
    ])
    let heavy = try Self.spec(["type": "contains", "value": "Paris", "weight": 3])
    var scored = await service.score([group, heavy], Self.input)
    var (records, verdict) = CaseScorer.combine(scored, result: result)
    #expect(verdict.verdict == .fail, "one of three in the group, two needed")
    #expect(
      records.map(\.metric) == [
        "k-of-n", "k-of-n/contains", "k-of-n/contains#2", "k-of-n/is-json", "contains",
      ])
    // Weighted: the group scores 1/3, the heavy check 1 with weight 3 → (1/3 + 3) / 4.
    #expect(abs((verdict.score ?? 0) - (1.0 / 3 + 3) / 4) < 1e-12)
    let any = try Self.spec([
      "type": "any",
      "assert": [["type": "contains", "value": "Lyon"], ["type": "contains", "value": "Paris"]],
    ])
    scored = await service.score([any], Self.input)
    (records, verdict) = CaseScorer.combine(scored, result: result)
    #expect(verdict.verdict == .pass)
    // An evaluator error (no judge configured) with nothing failed is an error, not a pass.
    scored = await service.score([heavy, try Self.spec(["type": "coherence"])], Self.input)
    (records, verdict) = CaseScorer.combine(scored, result: result)
    #expect(verdict.verdict == .error)
    #expect(records.last?.state == .error)
    #expect(records.last?.score == nil, "no made-up score")
    // A failure beats an error.
    scored = await service.score(
      [try Self.spec(["type": "contains", "value": "Lyon"]), try Self.spec(["type": "coherence"])], Self.input
    )
    #expect(CaseScorer.combine(scored, result: result).verdict.verdict == .fail)
    // A failed request is an error whatever the assertions.
    var failedRequest = result
    failedRequest.status = .timeout
    #expect(CaseScorer.combine([], result: failedRequest).verdict.verdict == .error)
    // Unavailable metrics neither pass nor fail the case.
    scored = await service.score([heavy, try Self.spec(["type": "perplexity"])], Self.input)
    (records, verdict) = CaseScorer.combine(scored, result: result)
    #expect(records.last?.state == .unavailable)
    #expect(verdict.verdict == .pass)
  }

  @Test("perplexity is exp(−mean logprob) of the real logprobs, unavailable without them")
  func perplexity() async throws {
    var input = Self.input
    input.logprobs = [-0.1, -2.0, -0.5, -1.2].map { TokenLogprob(token: "x", logprob: $0) }
    let outcome = await SignalEvaluator().evaluate(
      try Self.spec(["type": "perplexity", "threshold": 3]), input)
    let mean = (-0.1 - 2.0 - 0.5 - 1.2) / 4
    #expect(abs((outcome.value ?? 0) - exp(-mean)) < 1e-12)
    #expect(abs((outcome.score ?? 0) - exp(mean)) < 1e-12)
    #expect(outcome.passed == true)
    input.logprobs = nil
    #expect(
      await SignalEvaluator().evaluate(try Self.spec(["type": "perplexity"]), input).state == .unavailable)
  }

  @Test("Flesch reading ease and grade by hand")
  func readability() throws {
    // 2 sentences, 9 words, 10 syllables ("happy" has two).
    let measured = try #require(Readability("The cat sat on the mat. It was happy."))
    #expect(measured.words == 9 && measured.sentences == 2)
    #expect(measured.syllables == 10)
    #expect(abs(measured.readingEase - (206.835 - 1.015 * 4.5 - 84.6 * 10 / 9)) < 1e-9)
    #expect(abs(measured.grade - (0.39 * 4.5 + 11.8 * 10 / 9 - 15.59)) < 1e-9)
    #expect(Readability("  ... ") == nil)
  }
}
