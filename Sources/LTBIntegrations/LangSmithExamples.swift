public import LTBCore

/// LangSmith examples as cases of this project's dataset format:
/// - **The prompt:** a chat example's `messages` (or `input` holding messages) become the case's
///   messages. Otherwise the prompt is the first string of `input`, `question`, `query`, `prompt`
///   or `text`, else the only string input, else every input as `key: value` lines.
/// - **Context:** `context` or `contexts` become the case's context, which the faithfulness
///   judge reads.
/// - **Expected answer:** the first string of `output`, `answer`, `expected`, `reference` or
///   `result`, or a message's `content`, else the only string output.
/// - **Variables:** every string input.
/// - **Metadata:** the example's metadata, plus its LangSmith id and dataset.
public enum LangSmithExamples {
  static let promptKeys = ["input", "question", "query", "prompt", "text"]
  static let answerKeys = ["output", "answer", "expected", "reference", "result"]

  /// The cases of `examples`, one JSON object each, in order.
  public static func cases(_ examples: [JSONValue], dataset: String) -> [JSONValue] {
    examples.enumerated().map { index, example in
      let inputs = example["inputs"]?.objectValue ?? [:]
      let outputs = example["outputs"]?.objectValue ?? [:]
      var record: [String: JSONValue] = [
        "id": .string(example["id"]?.stringValue ?? "\(dataset)-\(index + 1)")
      ]
      if let messages = messages(inputs["messages"] ?? inputs["input"]) {
        record["messages"] = .array(messages)
      } else {
        record["prompt"] = .string(prompt(inputs))
      }
      let strings = inputs.compactMapValues(\.stringValue)
      if !strings.isEmpty { record["vars"] = .object(strings.mapValues(JSONValue.string)) }
      switch inputs["context"] ?? inputs["contexts"] {
      case .string(let text)?: record["context"] = [.string(text)]
      case .array(let items)?: record["context"] = .array(items.filter { $0.stringValue != nil })
      default: break
      }
      if let expected = answer(outputs) { record["expected"] = .string(expected) }
      var metadata = example["metadata"]?.objectValue ?? [:]
      metadata["langsmith_example_id"] = example["id"] ?? .null
      metadata["langsmith_dataset"] = .string(dataset)
      record["metadata"] = .object(metadata)
      return .object(record)
    }
  }

  private static func prompt(_ inputs: [String: JSONValue]) -> String {
    if let key = promptKeys.first(where: { inputs[$0]?.stringValue != nil }) {
      return inputs[key]!.stringValue!
    }
    let strings = inputs.compactMapValues(\.stringValue)
    if strings.count == 1 { return strings.values.first! }
    return inputs.keys.sorted().map { "\($0): \(inputs[$0]!.stringValue ?? inputs[$0]!.serialized())" }
      .joined(separator: "\n")
  }

  private static func answer(_ outputs: [String: JSONValue]) -> String? {
    for key in answerKeys {
      if let text = outputs[key]?.stringValue { return text }
      if let text = content(outputs[key]) { return text }
    }
    let strings = outputs.compactMapValues(\.stringValue)
    return strings.count == 1 ? strings.values.first : nil
  }

  /// Messages as `{role, content}` objects, from OpenAI-style or LangChain-serialized messages.
  private static func messages(_ value: JSONValue?) -> [JSONValue]? {
    guard let items = value?.arrayValue, !items.isEmpty else { return nil }
    var messages: [JSONValue] = []
    for item in items {
      let kind = item["role"]?.stringValue ?? item["type"]?.stringValue ?? item["data"]?["type"]?.stringValue
      guard let kind, let text = content(item) else { return nil }
      let role =
        switch kind {
        case "human", "user": "user"
        case "ai", "assistant": "assistant"
        case "system": "system"
        default: kind
        }
      messages.append(["role": .string(role), "content": .string(text)])
    }
    return messages
  }

  private static func content(_ value: JSONValue?) -> String? {
    value?["content"]?.stringValue ?? value?["data"]?["content"]?.stringValue
  }
}
