public import LTBCore
public import LTBEvaluation

/// The JSON a plugin receives and answers with (plugin ABI 1, docs/plugins.md).
public enum PluginABI {
  /// An evaluator's input. `output` is always the first key (the WebAssembly text example
  /// relies on it); then the prompt, what the case expected, the assertion's value and
  /// threshold, and the plugin's configuration (its JSON text, ``LoadedPlugin/configurationText``).
  public static func evaluatorInput(
    _ assertion: AssertionSpec, _ input: EvaluationInput, configuration: [UInt8]
  )
    -> [UInt8]
  {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(
      input.response.utf8.count + input.prompt.utf8.count + (input.expected?.utf8.count ?? 0)
        + configuration.count + 256)
    func raw(_ text: String) { bytes.append(contentsOf: text.utf8) }
    func string(_ text: String) { JSONText.appendString(text, to: &bytes) }
    raw(#"{"output":"#)
    string(input.response)
    raw(#","input":"#)
    string(input.prompt)
    raw(#","expected":"#)
    if let expected = input.expected { string(expected) } else { raw("null") }
    raw(#","references":["#)
    for (index, reference) in input.references.enumerated() {
      if index > 0 { raw(",") }
      string(reference)
    }
    raw(#"],"context":["#)
    for (index, passage) in input.context.enumerated() {
      if index > 0 { raw(",") }
      string(passage)
    }
    raw(#"],"value":"#)
    raw(assertion.value?.serialized() ?? "null")
    raw(#","threshold":"#)
    raw(assertion.threshold.map { JSONValue.double($0).serialized() } ?? "null")
    raw(#","options":"#)
    raw(assertion.options.isEmpty ? "{}" : JSONValue.object(assertion.options).serialized(sortedKeys: true))
    raw(#","test_id":"#)
    string(input.testID)
    raw(#","model":"#)
    string(input.model)
    raw(#","config":"#)
    bytes.append(contentsOf: configuration)
    raw("}")
    return bytes
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
