public import LTBCore
public import LTBEvaluation

/// The JSON a plugin receives and answers with (plugin ABI 1, docs/plugins.md).
public enum PluginABI {
  /// An evaluator's input. `output` is always the first key (the WebAssembly text example
  /// relies on it); then the prompt, what the case expected, the assertion's value and
  /// threshold, and the plugin's configuration.
  public static func evaluatorInput(_ assertion: AssertionSpec, _ input: EvaluationInput, configuration: JSONValue)
    -> [UInt8]
  {
    var text = #"{"output":"#
    text += JSONValue.string(input.response).serialized()
    text += #","input":"# + JSONValue.string(input.prompt).serialized()
    text += #","expected":"# + (input.expected.map(JSONValue.string) ?? .null).serialized()
    text += #","references":"# + JSONValue.array(input.references.map(JSONValue.string)).serialized()
    text += #","context":"# + JSONValue.array(input.context.map(JSONValue.string)).serialized()
    text += #","value":"# + (assertion.value ?? .null).serialized()
    text += #","threshold":"# + (assertion.threshold.map(JSONValue.double) ?? .null).serialized()
    text += #","options":"# + JSONValue.object(assertion.options).serialized(sortedKeys: true)
    text += #","test_id":"# + JSONValue.string(input.testID).serialized()
    text += #","model":"# + JSONValue.string(input.model).serialized()
    text += #","config":"# + configuration.serialized(sortedKeys: true) + "}"
    return Array(text.utf8)
  }

  /// An evaluator's answer as an outcome: `{"score": 0…1, "passed": bool, "explanation": "…",
  /// "details": {…}}` (passed defaults to score ≥ the assertion's threshold, or 0.5), or
  /// `{"error": "…"}`. Anything else is an error naming what is wrong.
  public static func outcome(_ answer: [UInt8], _ assertion: AssertionSpec, producedBy: String) -> Result<
    EvaluationOutcome, PluginCallError
  > {
    guard let json = try? JSONValue.parse(bytes: answer), let object = json.objectValue else {
      return .failure(PluginCallError(.answer, "its answer is not a JSON object: \(preview(answer))"))
    }
    if let message = object["error"]?.stringValue {
      var outcome = EvaluationOutcome.error("\(producedBy): \(message)")
      outcome.producedBy = producedBy
      return .success(outcome)
    }
    guard let score = object["score"]?.doubleValue, score.isFinite, (0...1).contains(score) else {
      return .failure(
        PluginCallError(.answer, "its answer has no score between 0 and 1: \(preview(answer))"))
    }
    let threshold = assertion.threshold ?? 0.5
    let passed: Bool
    if let given = object["passed"] {
      guard let value = given.boolValue else {
        return .failure(PluginCallError(.answer, "its answer's passed is not a boolean: \(preview(answer))"))
      }
      passed = value
    } else {
      passed = score >= threshold
    }
    let explanation =
      object["explanation"]?.stringValue ?? "\(producedBy) scored \(NumberText.decimal(score))"
    var outcome = EvaluationOutcome.scored(
      score, passed: passed, value: score, threshold: assertion.threshold, explanation,
      details: object["details"])
    outcome.producedBy = producedBy
    return .success(outcome)
  }

  /// A transform's answer: a JSON object (the transform's own keys are checked by its caller).
  static func object(_ answer: [UInt8]) -> Result<[String: JSONValue], PluginCallError> {
    guard let json = try? JSONValue.parse(bytes: answer), let object = json.objectValue else {
      return .failure(PluginCallError(.answer, "its answer is not a JSON object: \(preview(answer))"))
    }
    if let message = object["error"]?.stringValue { return .failure(PluginCallError(.answer, message)) }
    return .success(object)
  }

  /// The start of an answer, for error messages.
  static func preview(_ answer: [UInt8]) -> String {
    let text = String(decoding: answer.prefix(80), as: UTF8.self)
    return answer.count > 80 ? "'\(text)…' (\(answer.count) bytes)" : "'\(text)'"
  }
}
