import Foundation
public import LTBCore

/// The dataset format of the earlier Rust LLM Test Bench, read as it is (JSON or YAML, detected by
/// its `test_cases` list): `name`, `description`, `version`, `defaults` (`temperature`,
/// `max_tokens`, `top_p`, `stop`), `metadata`, and cases with `id`, `category`, `prompt`,
/// `variables`, `expected`, `references`, `config` (`model`, `temperature`, `max_tokens`,
/// `top_p`, `stop`) and `metadata`.
///
/// Prompts are rendered the way that project documents its template engine: `{{name}}` where
/// `name` is letters, digits and underscores (no spaces inside the braces), only for a case that
/// has `variables`, and a variable the prompt names but the case lacks is an error naming it.
/// `top_p` has no per-case setting here; it is kept in the case's metadata (`rust_top_p`).
public enum RustBenchDataset {
  static let headerFields = ["name", "description", "version", "defaults", "metadata", "test_cases"]
  static let caseFields = [
    "id", "category", "prompt", "variables", "expected", "references", "config", "metadata",
  ]
  static let settingFields = ["model", "temperature", "max_tokens", "top_p", "stop"]

  /// The dataset's name, description (with its version) and defaults.
  static func header(_ members: [String: JSONValue], file: String) throws(DatasetIssue) -> (
    name: String?, description: String?, defaults: DatasetDefaults
  ) {
    for key in members.keys.sorted() where !headerFields.contains(key) {
      throw DatasetIssue(
        file: file, line: 1, field: key, problem: "unknown top-level field '\(key)'",
        fix: "an LLM Test Bench dataset holds \(headerFields.joined(separator: ", "))")
    }
    var defaults = DatasetDefaults()
    if let value = members["defaults"], value != .null {
      guard case .object(let fields) = value else {
        throw DatasetIssue(
          file: file, line: 1, field: "defaults", problem: "defaults must be an object",
          fix: "write defaults: {temperature: ..., max_tokens: ...}")
      }
      let settings = try self.settings(fields, field: "defaults", file: file, line: 1, allowsModel: false)
      defaults.overrides = CaseOverrides(
        temperature: settings.temperature, maxTokens: settings.maxTokens, stop: settings.stop)
      if let topP = settings.topP { defaults.metadata["rust_top_p"] = .double(topP) }
    }
    let version = members["version"].flatMap { $0.stringValue ?? ($0.intValue.map(String.init)) }
    let description = [members["description"]?.stringValue, version.map { "version \($0)" }]
      .compactMap { $0 }.joined(separator: ", ")
    return (members["name"]?.stringValue, description.isEmpty ? nil : description, defaults)
  }

  /// One case as a case of this project's format, its prompt rendered.
  static func nativeRecord(_ value: JSONValue, file: String, line: Int) throws(DatasetIssue) -> JSONValue {
    guard case .object(let fields) = value else {
      throw DatasetIssue(
        file: file, line: line, problem: "a test case must be an object",
        fix: "write each case as {id, prompt}")
    }
    let id = fields["id"]?.stringValue
    func issue(_ field: String, _ problem: String, _ fix: String) -> DatasetIssue {
      DatasetIssue(file: file, line: line, field: field, caseID: id, problem: problem, fix: fix)
    }
    for key in fields.keys.sorted() where !caseFields.contains(key) {
      throw issue(key, "unknown field '\(key)'", "a test case holds \(caseFields.joined(separator: ", "))")
    }
    guard let id, !id.isEmpty else { throw issue("id", "the case has no id", "give every test case an id") }
    guard let prompt = fields["prompt"]?.stringValue, !prompt.isEmpty else {
      throw issue("prompt", "the case has no prompt", "give every test case a prompt")
    }
    var record: [String: JSONValue] = ["id": .string(id)]
    var metadata: [String: JSONValue] = [:]
    if case .object(let members)? = fields["metadata"] { metadata = members }
    if let value = fields["variables"], value != .null {
      guard case .object(let members) = value else {
        throw issue("variables", "variables must be a map of strings", "write variables: {name: value}")
      }
      var variables: [String: String] = [:]
      for (name, member) in members {
        guard let text = member.stringValue else {
          throw issue("variables.\(name)", "the variable '\(name)' is not a string", "quote its value")
        }
        variables[name] = text
      }
      switch render(prompt, variables: variables) {
      case .success(let text): record["prompt"] = .string(text)
      case .failure(let missing):
        let names = missing.names.joined(separator: ", ")
        throw issue("prompt", "Missing variables: \(names)", "add \(names) to the case's variables")
      }
      record["variables"] = .object(variables.mapValues(JSONValue.string))
    } else {
      record["prompt"] = .string(prompt)
    }
    for key in ["category", "expected"] {
      if let text = fields[key]?.stringValue { record[key] = .string(text) }
    }
    if case .array(let references)? = fields["references"] { record["references"] = .array(references) }
    if let value = fields["config"], value != .null {
      guard case .object(let members) = value else {
        throw issue("config", "config must be an object", "write config: {model: ..., temperature: ...}")
      }
      let settings = try self.settings(members, field: "config", file: file, line: line, allowsModel: true)
      if let model = settings.model { record["model"] = .string(model) }
      if let temperature = settings.temperature { record["temperature"] = .double(temperature) }
      if let maxTokens = settings.maxTokens { record["max_tokens"] = .int(maxTokens) }
      if let stop = settings.stop { record["stop"] = .array(stop.map(JSONValue.string)) }
      if let topP = settings.topP { metadata["rust_top_p"] = .double(topP) }
    }
    if !metadata.isEmpty { record["metadata"] = .object(metadata) }
    return .object(record)
  }

  private struct Settings {
    var model: String?
    var temperature: Double?
    var maxTokens: Int?
    var topP: Double?
    var stop: [String]?
  }

  private static func settings(
    _ fields: [String: JSONValue], field: String, file: String, line: Int, allowsModel: Bool
  ) throws(DatasetIssue) -> Settings {
    let allowed = allowsModel ? settingFields : settingFields.filter { $0 != "model" }
    for key in fields.keys.sorted() where !allowed.contains(key) {
      throw DatasetIssue(
        file: file, line: line, field: "\(field).\(key)", problem: "unknown setting '\(key)'",
        fix: "\(field) holds \(allowed.joined(separator: ", "))")
    }
    var settings = Settings()
    settings.model = fields["model"]?.stringValue
    settings.temperature = fields["temperature"]?.doubleValue
    settings.maxTokens = fields["max_tokens"]?.intValue
    settings.topP = fields["top_p"]?.doubleValue
    settings.stop = fields["stop"]?.arrayValue?.compactMap(\.stringValue)
    return settings
  }

  /// `{{name}}` replaced by its variable, for names of letters, digits and underscores; the
  /// names a template uses but `variables` lacks, in order, when there are any.
  public static func render(_ template: String, variables: [String: String]) -> Result<String, MissingNames> {
    var output = ""
    var missing: [String] = []
    var rest = Substring(template)
    while let open = rest.range(of: "{{") {
      output += rest[..<open.lowerBound]
      let afterOpen = rest[open.upperBound...]
      if let close = afterOpen.range(of: "}}"), case let name = afterOpen[..<close.lowerBound], !name.isEmpty,
        name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" })
      {
        if let value = variables[String(name)] {
          output += value
        } else {
          if !missing.contains(String(name)) { missing.append(String(name)) }
          output += rest[open.lowerBound..<close.upperBound]
        }
        rest = afterOpen[close.upperBound...]
      } else {
        output += "{{"
        rest = afterOpen
      }
    }
    output += rest
    return missing.isEmpty ? .success(output) : .failure(MissingNames(names: missing))
  }

  /// Variables a template names but does not have.
  public struct MissingNames: Error, Sendable, Hashable {
    /// The names, in order of first appearance.
    public var names: [String]

    /// Names missing.
    public init(names: [String]) { self.names = names }
  }
}
