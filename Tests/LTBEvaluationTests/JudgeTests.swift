import Foundation
import LTBCore
import Testing

@testable import LTBEvaluation

/// The judge pipeline with a scripted judge: strict JSON, the one repair request, the error
/// state (never a made-up score), both orders for pairwise, faithfulness per claim, samples and
/// agreement, and the judge's tokens and cost.
@Suite("LLM judges")
struct JudgeTests {
  static let input = EvaluationInput(
    testID: "t", prompt: "What is the capital of France?",
    response: "Paris is the capital. It has 2 million people.",
    expected: "Paris", references: ["Paris"], context: ["Paris is the capital of France."])

  static func spec(_ json: JSONValue) throws -> AssertionSpec {
    try AssertionSpec(parsing: json, location: "test")
  }

  static func judge(_ replies: [String], fallback: String? = nil) -> (ScriptedJudge, JudgeEvaluator) {
    let provider = ScriptedJudge(replies, fallback: fallback)
    return (provider, JudgeEvaluator(settings: JudgeSettings(provider: provider)))
  }

  @Test("a valid reply is scored, normalized, and its reasoning, tokens and cost kept")
  func validReply() async throws {
    let (provider, evaluator) = Self.judge([#"{"reasoning": "It answers directly.", "score": 5}"#])
    let outcome = await evaluator.evaluate(try Self.spec(["type": "answer-relevance"]), Self.input)
    #expect(outcome.state == .scored)
    #expect(outcome.score == 1)
    #expect(outcome.passed == true)
    #expect(outcome.explanation.contains("It answers directly."))
    #expect(outcome.judge?.calls == 1)
    #expect(outcome.judge?.inputTokens == 10 && outcome.judge?.outputTokens == 5)
    #expect(outcome.judge?.cost == 1)
    let request = try #require(provider.requests.first)
    #expect(request.messages.first?.text.contains("What is the capital of France?") == true)
    guard case .jsonSchema(let name, _) = request.responseFormat else {
      Issue.record("the reply schema was not sent")
      return
    }
    #expect(name == "answer-relevance")
  }

  @Test("a malformed reply gets one repair request naming the problem, then is used")
  func repaired() async throws {
    let (provider, evaluator) = Self.judge([
      "Sure! The answer is relevant, I'd say 4.", #"{"reasoning": "Relevant.", "score": 4}"#,
    ])
    let outcome = await evaluator.evaluate(try Self.spec(["type": "coherence"]), Self.input)
    #expect(outcome.state == .scored)
    #expect(outcome.score == 0.75)
    #expect(outcome.judge?.calls == 2)
    #expect(provider.requests.count == 2)
    let repair = try #require(provider.requests.last)
    #expect(repair.messages.count == 3)
    #expect(repair.messages[1].role == .assistant)
    #expect(repair.messages[2].text.contains("not valid JSON"))
    #expect(outcome.details?["samples"]?.arrayValue?.first?["repaired"] == true)
  }

  @Test("a reply that breaks the schema twice is an error state with no score")
  func brokenTwice() async throws {
    let (_, evaluator) = Self.judge([#"{"score": 9}"#, #"{"reasoning": "x", "score": "five"}"#])
    let outcome = await evaluator.evaluate(try Self.spec(["type": "answer-relevance"]), Self.input)
    #expect(outcome.state == .error)
    #expect(outcome.score == nil && outcome.passed == nil)
    #expect(outcome.explanation.contains("after one repair request"))
    #expect(outcome.judge?.calls == 2, "the spend is still reported")
  }

  @Test("without a judge the metric is an error that says how to configure one")
  func noJudge() async throws {
    let outcome = await JudgeEvaluator(settings: nil).evaluate(
      try Self.spec(["type": "coherence"]), Self.input)
    #expect(outcome.state == .error)
    #expect(outcome.explanation.contains("[judge]"))
  }

  @Test("faithfulness: claims extracted, each verified, score = supported / total, verdicts kept")
  func faithfulness() async throws {
    let (_, evaluator) = Self.judge([
      #"{"claims": ["Paris is the capital of France.", "Paris has 2 million people."]}"#,
      #"{"verdicts": [{"claim": "Paris is the capital of France.", "supported": true, "reason": "stated"}, {"claim": "Paris has 2 million people.", "supported": false, "reason": "not in the context"}]}"#,
    ])
    let outcome = await evaluator.evaluate(try Self.spec(["type": "faithfulness"]), Self.input)
    #expect(outcome.state == .scored)
    #expect(outcome.score == 0.5)
    #expect(outcome.passed == false, "the default threshold is every claim supported")
    let claims = outcome.details?["samples"]?.arrayValue?.first?["claims"]?.arrayValue ?? []
    #expect(claims.count == 2)
    #expect(claims.last?["supported"] == false)
    #expect(claims.last?["reason"] == "not in the context")
    #expect(outcome.judge?.calls == 2)
    var noContext = Self.input
    noContext.context = []
    #expect(
      await evaluator.evaluate(try Self.spec(["type": "faithfulness"]), noContext).state == .unavailable)
  }

  @Test("pairwise asks both orders: a judge that always picks the first answer scores 0.5")
  func pairwise() async throws {
    let (provider, biased) = Self.judge([], fallback: #"{"reasoning": "first is better", "winner": "A"}"#)
    let spec = try Self.spec(["type": "pairwise", "against": "Lyon."])
    let outcome = await biased.evaluate(spec, Self.input)
    #expect(outcome.score == 0.5)
    #expect(outcome.passed == false)
    #expect(provider.requests.count == 2)
    #expect(provider.requests[0].messages[0].text.contains("Answer A:\n\(Self.input.response)"))
    #expect(provider.requests[1].messages[0].text.contains("Answer B:\n\(Self.input.response)"))
    let (_, consistent) = Self.judge([
      #"{"reasoning": "A", "winner": "A"}"#, #"{"reasoning": "B", "winner": "B"}"#,
    ])
    let preferred = await consistent.evaluate(spec, Self.input)
    #expect(preferred.score == 1)
    #expect(preferred.passed == true)
  }

  @Test("rubric writes its evaluation steps when none are given; factuality maps verdicts")
  func rubricAndFactuality() async throws {
    let (provider, evaluator) = Self.judge([
      #"{"steps": ["Check politeness.", "Check clarity."]}"#,
      #"{"reasoning": "Polite and clear.", "score": 4}"#,
    ])
    let rubric = await evaluator.evaluate(
      try Self.spec(["type": "rubric", "criteria": "The answer is polite"]), Self.input)
    #expect(rubric.score == 0.75)
    #expect(provider.requests[1].messages[0].text.contains("1. Check politeness."))
    let (_, judge) = Self.judge([#"{"reasoning": "Same fact.", "verdict": "partial"}"#])
    let factuality = await judge.evaluate(try Self.spec(["type": "factuality"]), Self.input)
    #expect(factuality.score == 0.5)
  }

  @Test("samples: n asks n times and reports the agreement")
  func samples() async throws {
    let (provider, evaluator) = Self.judge([
      #"{"reasoning": "a", "score": 5}"#, #"{"reasoning": "b", "score": 5}"#,
      #"{"reasoning": "c", "score": 1}"#,
    ])
    let outcome = await evaluator.evaluate(try Self.spec(["type": "coherence", "samples": 3]), Self.input)
    #expect(abs((outcome.score ?? 0) - 2.0 / 3) < 1e-12)
    #expect(abs((outcome.details?["agreement"]?.doubleValue ?? 0) - 2.0 / 3) < 1e-12)
    #expect(provider.requests.allSatisfy { $0.parameters.temperature == 0.7 })
    #expect(outcome.judge?.calls == 3)
  }
}
