import Foundation
import LTBCore

/// Turns one record of a dataset (a JSON or YAML object, a CSV row) into a ``TestCase``, applying
/// the dataset's defaults and rendering templates; every problem names file, line and field.
struct CaseDecoder {
  static let caseFields = [
    "id", "prompt", "messages", "system", "vars", "variables", "expected", "references", "context", "tags",
    "category",
    "model", "temperature", "max_tokens", "stop", "assertions", "assert", "images", "audio", "metadata",
  ]
  static let defaultFields = [
    "system", "vars", "variables", "tags", "category", "model", "temperature", "max_tokens", "stop",
    "assertions", "assert",
    "metadata",
  ]

  let file: String
  let directory: URL
  let defaults: DatasetDefaults
  /// The Rust LLM Test Bench's cases: converted by ``RustBenchDataset``, which renders their
  /// prompts its own way, so nothing is rendered again here.
  let isRustBench: Bool

  init(file: String, defaults: DatasetDefaults, isRustBench: Bool = false) {
    self.file = file
    self.directory = URL(fileURLWithPath: file).deletingLastPathComponent()
    self.defaults = defaults
    self.isRustBench = isRustBench
  }

  /// Decodes one case; `index` (1-based) names cases that have no id.
  func decode(_ value: JSONValue, line: Int, index: Int) throws(DatasetIssue) -> TestCase {
    let value = isRustBench ? try RustBenchDataset.nativeRecord(value, file: file, line: line) : value
    guard case .object(let fields) = value else {
      throw issue(
        line, nil, nil, "a case must be an object, found \(Self.describe(value))",
        "write each case as { \"prompt\": ... }")
    }
    var reader = FieldReader(file: file, line: line, fields: fields, caseID: nil)
    try reader.rejectUnknown(Self.caseFields)
    let id =
      try reader.text("id")
      ?? "\(URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent)-\(index)"
    reader.caseID = id
    var variables = defaults.variables
    for (name, value) in try reader.stringMap(anyOf: ["vars", "variables"]) ?? [:] { variables[name] = value }
    let promptTemplate = try reader.text("prompt")
    let messageTemplates = try reader.messages("messages")
    switch (promptTemplate, messageTemplates) {
    case (nil, nil):
      throw reader.issue(
        "prompt", "the case has neither 'prompt' nor 'messages'", "add a prompt, or a list of messages")
    case (.some, .some):
      throw reader.issue("messages", "the case has both 'prompt' and 'messages'", "keep one of them")
    default:
      break
    }
    func render(_ template: String, field: String) throws(DatasetIssue) -> String {
      if isRustBench { return template }
      switch TemplateRenderer.render(template, variables: variables) {
      case .success(let text): return text
      case .failure(let missing):
        throw reader.issue(
          field,
          "the template uses undefined variable\(missing.names.count == 1 ? "" : "s") \(missing.names.map { "'\($0)'" }.joined(separator: ", "))",
          "define \(missing.names.joined(separator: ", ")) under 'vars' in the case or the dataset's defaults"
        )
      }
    }
    let prompt = try promptTemplate.map { template throws(DatasetIssue) in
      try render(template, field: "prompt")
    }
    var messages: [Message]?
    if let messageTemplates {
      var rendered: [Message] = []
      for message in messageTemplates {
        rendered.append(Message(role: message.role, text: try render(message.text, field: "messages")))
      }
      messages = rendered
    }
    let system = try (reader.text("system") ?? defaults.system).map { template throws(DatasetIssue) in
      try render(template, field: "system")
    }
    let temperature = try reader.number("temperature")
    if let temperature, !(0...2).contains(temperature) {
      throw reader.issue("temperature", "\(temperature) is out of range", "use a temperature between 0 and 2")
    }
    let maxTokens = try reader.integer("max_tokens")
    if let maxTokens, maxTokens < 1 {
      throw reader.issue("max_tokens", "\(maxTokens) is below 1", "ask for at least one token")
    }
    let overrides = CaseOverrides(
      model: try reader.text("model"), temperature: temperature, maxTokens: maxTokens,
      stop: try reader.texts("stop"))
    var metadata = defaults.metadata
    for (key, value) in try reader.object("metadata") ?? [:] { metadata[key] = value }
    let attachments = try attachments(reader)
    return TestCase(
      id: id, prompt: prompt, messages: messages, system: system, variables: variables,
      expected: try reader.text("expected"),
      references: try reader.texts("references") ?? [], context: try reader.texts("context") ?? [],
      tags: Self.merged(defaults.tags, try reader.tags("tags")),
      category: try reader.text("category") ?? defaults.category,
      overrides: overrides.filled(from: defaults.overrides),
      assertions: defaults.assertions + (try reader.assertions(anyOf: ["assertions", "assert"]) ?? []),
      attachments: attachments, metadata: metadata)
  }

  /// Decodes a dataset's `defaults` object.
  static func decodeDefaults(_ value: JSONValue, file: String, line: Int) throws(DatasetIssue)
    -> DatasetDefaults
  {
    guard case .object(let fields) = value else {
      throw DatasetIssue(
        file: file, line: line, field: "defaults", problem: "defaults must be an object",
        fix: "write defaults: { ... }")
    }
    let reader = FieldReader(file: file, line: line, fields: fields, caseID: nil, prefix: "defaults.")
    try reader.rejectUnknown(defaultFields)
    var defaults = DatasetDefaults()
    defaults.system = try reader.text("system")
    defaults.variables = try reader.stringMap(anyOf: ["vars", "variables"]) ?? [:]
    defaults.tags = try reader.tags("tags")
    defaults.category = try reader.text("category")
    defaults.overrides = CaseOverrides(
      model: try reader.text("model"), temperature: try reader.number("temperature"),
      maxTokens: try reader.integer("max_tokens"),
      stop: try reader.texts("stop"))
    defaults.assertions = try reader.assertions(anyOf: ["assertions", "assert"]) ?? []
    defaults.metadata = try reader.object("metadata") ?? [:]
    return defaults
  }

  private func issue(_ line: Int, _ field: String?, _ caseID: String?, _ problem: String, _ fix: String)
    -> DatasetIssue
  {
    DatasetIssue(file: file, line: line, field: field, caseID: caseID, problem: problem, fix: fix)
  }

  static func merged(_ first: [String], _ second: [String]) -> [String] {
    var seen = Set<String>()
    return (first + second).filter { seen.insert($0).inserted }
  }

  static func describe(_ value: JSONValue) -> String {
    switch value {
    case .null: "null"
    case .bool: "a boolean"
    case .int, .double: "a number"
    case .string: "a string"
    case .array: "a list"
    case .object: "an object"
    }
  }
}
