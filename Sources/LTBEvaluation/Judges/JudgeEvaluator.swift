import Foundation
public import LTBCore

/// Model-graded metrics: faithfulness to the context (claims extracted, each verified; score =
/// supported / total, every verdict kept), answer relevance and coherence (1–5 ratings), a
/// G-Eval style rubric (criteria and steps, 1–5), factuality against the reference, and
/// pairwise preference against another answer, asked in both orders to cancel position bias.
/// Ratings normalize as (r − 1) / 4 and pass at 0.5 unless a threshold is given. `samples: n`
/// asks n times and reports the agreement. The judge's reasoning, tokens and cost are kept.
public struct JudgeEvaluator: Evaluator {
  /// The evaluator's id.
  public let id = "judge"
  /// The evaluator's version.
  public let version = 1
  /// The assertion types it handles.
  public let types = AssertionCatalog.judges
  /// Whether outcomes are cached.
  public let cacheable = true
  private let settings: JudgeSettings?
  private let providers: [String: any Provider]

  /// Judges with `settings` by default; an assertion's `provider` option picks another of
  /// `providers`, its `model` option another model.
  public init(settings: JudgeSettings?, providers: [String: any Provider] = [:]) {
    self.settings = settings
    self.providers = providers
  }

  /// What besides the inputs determines the outcome (for the cache key).
  public func cacheKeyParts(_ assertion: AssertionSpec) -> [String] {
    let resolved = try? settingsFor(assertion)
    let prompts = Self.prompts(for: assertion.type).compactMap { try? JudgePrompt.load($0) }
      .map { "\($0.name).v\($0.version)" }
    return [
      resolved?.label ?? "-", "t=\(resolved?.temperature ?? 0)", "st=\(resolved?.sampleTemperature ?? 0)",
      "max=\(resolved?.maxTokens ?? 0)",
    ] + prompts
  }

  /// Scores one response for one assertion.
  public func evaluate(_ assertion: AssertionSpec, _ input: EvaluationInput) async -> EvaluationOutcome {
    if assertion.type == "faithfulness", input.context.isEmpty {
      return .unavailable("the case has no 'context' passages to be faithful to")
    }
    if assertion.type == "pairwise", (assertion.string("against") ?? assertion.text ?? "").isEmpty {
      return .unavailable("no other answer to compare with (is the 'against-model' target in this session?)")
    }
    if assertion.type == "factuality", input.expected == nil, input.references.isEmpty {
      return .unavailable("the case has no 'expected' answer to check the facts against")
    }
    let settings: JudgeSettings
    do { settings = try settingsFor(assertion) } catch {
      return .error(error.message + " — " + (error.fix ?? ""))
    }
    let client = JudgeClient(settings: settings)
    var usage = JudgeUsage(
      provider: settings.provider.name, model: settings.model ?? settings.provider.defaultModel ?? "")
    let samples = assertion.options["samples"]?.intValue ?? 1
    var verdicts: [Verdict] = []
    var failures: [String] = []
    for _ in 0..<samples {
      switch await judgeOnce(assertion, input, client: client, sampled: samples > 1, usage: &usage) {
      case .success(let verdict): verdicts.append(verdict)
      case .failure(let problem): failures.append(problem.message)
      }
    }
    guard !verdicts.isEmpty else {
      return .error(
        "the judge gave no usable verdict: \(failures.first ?? "no reply")",
        details: ["failures": .array(failures.map { .string($0) })], judge: usage)
    }
    let score = verdicts.map(\.score).reduce(0, +) / Double(verdicts.count)
    let threshold = assertion.threshold ?? (assertion.type == "faithfulness" ? 1 : 0.5)
    let passed = assertion.type == "pairwise" && assertion.threshold == nil ? score > 0.5 : score >= threshold
    var details: [String: JSONValue] = [
      "judge": .string(settings.label),
      "samples": .array(verdicts.map(\.details)),
    ]
    if samples > 1 {
      let rounded = verdicts.map { ($0.score * 100).rounded() / 100 }
      let modal = Dictionary(grouping: rounded, by: { $0 }).values.map(\.count).max() ?? 0
      details["agreement"] = .double(Double(modal) / Double(verdicts.count))
      details["failedSamples"] = .int(failures.count)
    }
    let explanation =
      (verdicts.first?.reasoning ?? "")
      + (samples > 1
        ? String(
          format: " [%d samples, agreement %.2f]", verdicts.count, details["agreement"]?.doubleValue ?? 0)
        : "")
    return .scored(
      score, passed: passed, value: score, threshold: threshold, explanation, details: .object(details),
      judge: usage)
  }

  /// One verdict: a score in [0, 1], the judge's reasoning, and the structured detail.
  struct Verdict {
    var score: Double
    var reasoning: String
    var details: JSONValue
  }

  struct Failure: Error {
    var message: String
  }

  private func judgeOnce(
    _ assertion: AssertionSpec, _ input: EvaluationInput, client: JudgeClient, sampled: Bool,
    usage: inout JudgeUsage
  ) async -> Result<Verdict, Failure> {
    let temperature = sampled ? client.settings.sampleTemperature : nil
    let question = input.prompt
    do {
      switch assertion.type {
      case "faithfulness":
        guard !input.context.isEmpty else {
          throw Failure(message: "faithfulness needs the case's 'context' passages")
        }
        let claimsReply = await client.ask(
          try JudgePrompt.load("faithfulness-claims"), ["question": question, "answer": input.response],
          temperature: temperature, usage: &usage)
        guard let claims = claimsReply.value?["claims"]?.arrayValue?.compactMap(\.stringValue) else {
          throw Failure(message: "claim extraction: \(claimsReply.problem ?? "no claims")")
        }
        guard !claims.isEmpty else {
          return .success(
            Verdict(score: 1, reasoning: "the answer makes no factual claims", details: ["claims": []]))
        }
        let context = input.context.enumerated().map { "[\($0.offset + 1)] \($0.element)" }.joined(
          separator: "\n")
        let listed = claims.enumerated().map { "\($0.offset + 1). \($0.element)" }.joined(separator: "\n")
        let verdictReply = await client.ask(
          try JudgePrompt.load("faithfulness-verdicts"), ["context": context, "claims": listed],
          temperature: temperature, usage: &usage)
        guard let verdicts = verdictReply.value?["verdicts"]?.arrayValue, verdicts.count == claims.count
        else {
          throw Failure(
            message:
              "claim verification: \(verdictReply.problem ?? "expected \(claims.count) verdicts, got \(verdictReply.value?["verdicts"]?.arrayValue?.count ?? 0)")"
          )
        }
        let supported = verdicts.filter { $0["supported"]?.boolValue == true }.count
        let unsupported = zip(claims, verdicts).filter { $0.1["supported"]?.boolValue != true }.map(\.0)
        return .success(
          Verdict(
            score: Double(supported) / Double(claims.count),
            reasoning: "\(supported) of \(claims.count) claims supported by the context"
              + (unsupported.isEmpty
                ? "" : "; unsupported: " + unsupported.prefix(3).joined(separator: " | ")),
            details: [
              "claims": .array(
                zip(claims, verdicts).map { claim, verdict in
                  [
                    "claim": .string(claim), "supported": verdict["supported"] ?? false,
                    "reason": verdict["reason"] ?? "",
                  ]
                }),
              "repaired": .bool(claimsReply.repaired || verdictReply.repaired),
            ]))
      case "answer-relevance", "coherence":
        let reply = await client.ask(
          try JudgePrompt.load(assertion.type), ["question": question, "answer": input.response],
          temperature: temperature, usage: &usage)
        return .success(try rating(reply))
      case "rubric":
        let criteria = assertion.string("criteria") ?? assertion.text ?? ""
        var steps = assertion.options["steps"]?.arrayValue?.compactMap(\.stringValue) ?? []
        if steps.isEmpty {
          let reply = await client.ask(
            try JudgePrompt.load("rubric-steps"), ["criteria": criteria], temperature: temperature,
            usage: &usage)
          guard let written = reply.value?["steps"]?.arrayValue?.compactMap(\.stringValue), !written.isEmpty
          else {
            throw Failure(message: "writing evaluation steps: \(reply.problem ?? "no steps")")
          }
          steps = written
        }
        let reply = await client.ask(
          try JudgePrompt.load("rubric"),
          [
            "criteria": criteria,
            "steps": steps.enumerated().map { "\($0.offset + 1). \($0.element)" }.joined(separator: "\n"),
            "question": question, "answer": input.response,
          ], temperature: temperature, usage: &usage)
        var verdict = try rating(reply)
        verdict.details = ["steps": .array(steps.map { .string($0) }), "verdict": verdict.details]
        return .success(verdict)
      case "factuality":
        guard let reference = input.expected ?? input.references.first else {
          throw Failure(message: "factuality needs the case's 'expected' answer")
        }
        let reply = await client.ask(
          try JudgePrompt.load("factuality"),
          ["question": question, "reference": reference, "answer": input.response],
          temperature: temperature, usage: &usage)
        guard let value = reply.value, let verdict = value["verdict"]?.stringValue else {
          throw Failure(message: reply.problem ?? "no verdict")
        }
        let weights: [String: Double] = ["agrees": 1, "partial": 0.5, "contradicts": 0]
        let score = weights[verdict] ?? 0
        return .success(
          Verdict(
            score: score, reasoning: "\(verdict): \(value["reasoning"]?.stringValue ?? "")", details: value))
      case "pairwise":
        let other = assertion.string("against") ?? assertion.text ?? ""
        let prompt = try JudgePrompt.load("pairwise")
        // Both orders: the response as A, then as B. A judge that always picks one position
        // scores 0.5 overall.
        let first = await client.ask(
          prompt, ["question": question, "a": input.response, "b": other], temperature: temperature,
          usage: &usage)
        let second = await client.ask(
          prompt, ["question": question, "a": other, "b": input.response], temperature: temperature,
          usage: &usage)
        guard let firstWinner = first.value?["winner"]?.stringValue,
          let secondWinner = second.value?["winner"]?.stringValue
        else {
          throw Failure(message: first.problem ?? second.problem ?? "no winner")
        }
        let points: [String: Double] = ["A": 1, "tie": 0.5, "B": 0]
        let score = ((points[firstWinner] ?? 0.5) + (1 - (points[secondWinner] ?? 0.5))) / 2
        return .success(
          Verdict(
            score: score,
            reasoning:
              "as A: \(firstWinner == "A" ? "preferred" : firstWinner == "tie" ? "tie" : "not preferred"); as B: \(secondWinner == "B" ? "preferred" : secondWinner == "tie" ? "tie" : "not preferred"). \(first.value?["reasoning"]?.stringValue ?? "")",
            details: ["responseAsA": first.value ?? .null, "responseAsB": second.value ?? .null]))
      default:
        throw Failure(message: "the judge evaluator does not handle '\(assertion.type)'")
      }
    } catch let failure as Failure {
      return .failure(failure)
    } catch {
      return .failure(Failure(message: "\(error)"))
    }
  }

  private func rating(_ reply: JudgeClient.Reply) throws -> Verdict {
    guard let value = reply.value, let rating = reply.rating else {
      throw Failure(message: reply.problem ?? "no score")
    }
    var details = value
    if case .object(var members) = value {
      members["repaired"] = .bool(reply.repaired)
      details = .object(members)
    }
    return Verdict(
      score: rating.score, reasoning: "\(rating.points)/5: \(rating.reasoning)", details: details)
  }

  private func settingsFor(_ assertion: AssertionSpec) throws(LTBError) -> JudgeSettings {
    var resolved: JudgeSettings
    if let name = assertion.string("provider") {
      guard let provider = providers[name] else {
        throw LTBError(
          .configuration, "the judge provider '\(name)' is not configured",
          fix: "configure it in the config's [providers.\(name)], or drop 'provider' to use the suite's judge"
        )
      }
      resolved = JudgeSettings(provider: provider)
    } else if let settings {
      resolved = settings
    } else {
      throw LTBError(
        .configuration, "no judge is configured for '\(assertion.name)'",
        fix: "add [judge] provider = \"...\" to the suite (or pass --judge PROVIDER[/MODEL])")
    }
    if let model = assertion.string("model") { resolved.model = model }
    return resolved
  }

  static func prompts(for type: String) -> [String] {
    switch type {
    case "faithfulness": ["faithfulness-claims", "faithfulness-verdicts"]
    case "rubric": ["rubric-steps", "rubric"]
    default: [type]
    }
  }
}
