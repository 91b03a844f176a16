import Foundation
public import LTBCore

/// Asks the judge for a reply that must be strict JSON following the prompt's schema: the schema
/// is sent as a structured-output constraint where the provider supports one, the reply is
/// validated against it, and an invalid reply gets exactly one repair request naming the
/// problem. A reply still invalid after that is a failure, never a guessed verdict.
struct JudgeClient: Sendable {
  let settings: JudgeSettings

  /// One exchange's outcome.
  struct Reply {
    /// The validated JSON, or `nil` when the judge failed.
    var value: JSONValue?
    /// Why it failed.
    var problem: String?
    /// Whether the repair request was needed.
    var repaired: Bool
    /// The judge's raw replies, for the record.
    var raw: [String]

    /// The 1–5 rating a rating prompt asks for (`score`), normalised to (r − 1) / 4, with the
    /// judge's reasoning; `nil` when the reply carries no score.
    var rating: (points: Int, score: Double, reasoning: String)? {
      guard let points = value?["score"]?.intValue else { return nil }
      return (points, Double(points - 1) / 4, value?["reasoning"]?.stringValue ?? "")
    }
  }

  /// Sends `prompt` filled with `values`, with `images` after its text; adds every call's tokens
  /// and cost to `usage`.
  func ask(
    _ prompt: JudgePrompt, _ values: [String: String], images: [ContentPart] = [], temperature: Double? = nil,
    usage: inout JudgeUsage
  ) async -> Reply {
    let schema: JSONSchema
    do { schema = try JSONSchema(prompt.schema) } catch {
      return Reply(problem: "\(error)", repaired: false, raw: [])
    }
    var messages = [Message(role: .user, content: [.text(prompt.render(values))] + images)]
    var raw: [String] = []
    for attempt in 0..<2 {
      let request = CompletionRequest(
        model: settings.model, messages: messages,
        parameters: SamplingParameters(
          temperature: temperature ?? settings.temperature, maxTokens: settings.maxTokens),
        responseFormat: settings.provider.capabilities.jsonMode
          ? .jsonSchema(name: prompt.name, schema: prompt.schema) : .text)
      let response: CompletionResponse
      do {
        response =
          images.isEmpty
          ? try await settings.provider.complete(request)
          : try await settings.provider.completeMultimodal(request, options: RequestOptions(stream: false))
      } catch {
        return Reply(problem: "the judge request failed: \(error)", repaired: attempt > 0, raw: raw)
      }
      usage.calls += 1
      usage.inputTokens += response.usage.inputTokens
      usage.outputTokens += response.usage.outputTokens
      if let cost = response.cost?.total { usage.cost = (usage.cost ?? 0) + cost }
      if usage.model.isEmpty || usage.model == "default" { usage.model = response.model }
      raw.append(response.text)
      let problem: String
      do {
        let value = try JSONValue.parse(DeterministicEvaluator.jsonBody(response.text))
        let problems = schema.problems(value)
        if problems.isEmpty { return Reply(value: value, repaired: attempt > 0, raw: raw) }
        problem = problems.prefix(3).joined(separator: "; ")
      } catch {
        problem = "the reply is not valid JSON"
      }
      if attempt == 1 {
        return Reply(problem: "after one repair request: \(problem)", repaired: true, raw: raw)
      }
      messages.append(Message(role: .assistant, text: response.text))
      messages.append(
        Message(
          role: .user,
          text:
            "Your reply could not be used: \(problem). Reply again with only a JSON object that follows this JSON Schema, and nothing else:\n\(prompt.schema.serialized(sortedKeys: true))"
        ))
    }
    return Reply(problem: "unreachable", repaired: true, raw: raw)
  }
}
