/// One case of a dataset: what to ask, what to expect, and how to judge it.
public struct TestCase: Sendable, Hashable, Codable {
  /// A stable id, unique within its dataset.
  public var id: String
  /// A single-turn prompt (a template: `{{name}}` is replaced from `variables`).
  public var prompt: String?
  /// A whole conversation, instead of `prompt`.
  public var messages: [Message]?
  /// A system prompt (a template too).
  public var system: String?
  /// Values for the templates.
  public var variables: [String: String]
  /// The expected answer.
  public var expected: String?
  /// Reference answers for overlap metrics.
  public var references: [String]
  /// Passages the answer should be faithful to (RAG-style checks).
  public var context: [String]
  /// Labels for filtering and reports.
  public var tags: [String]
  /// A grouping label.
  public var category: String?
  /// Per-case request settings that override the suite's.
  public var overrides: CaseOverrides
  /// Checks of the answer, as written in the dataset (the evaluation layer interprets them).
  public var assertions: [JSONValue]
  /// Images and audio sent with the prompt.
  public var attachments: [Attachment]
  /// Anything else, kept with the results.
  public var metadata: [String: JSONValue]

  /// Creates a case.
  public init(
    id: String, prompt: String? = nil, messages: [Message]? = nil, system: String? = nil,
    variables: [String: String] = [:],
    expected: String? = nil, references: [String] = [], context: [String] = [], tags: [String] = [],
    category: String? = nil, overrides: CaseOverrides = CaseOverrides(), assertions: [JSONValue] = [],
    attachments: [Attachment] = [], metadata: [String: JSONValue] = [:]
  ) {
    self.id = id
    self.prompt = prompt
    self.messages = messages
    self.system = system
    self.variables = variables
    self.expected = expected
    self.references = references
    self.context = context
    self.tags = tags
    self.category = category
    self.overrides = overrides
    self.assertions = assertions
    self.attachments = attachments
    self.metadata = metadata
  }
}

/// Request settings a case (or a dataset's defaults) may override.
public struct CaseOverrides: Sendable, Hashable, Codable {
  /// The model to ask instead of the target's.
  public var model: String?
  /// Sampling temperature.
  public var temperature: Double?
  /// The most tokens to generate.
  public var maxTokens: Int?
  /// Stop sequences.
  public var stop: [String]?

  /// Creates overrides; `nil` keeps the suite's value.
  public init(model: String? = nil, temperature: Double? = nil, maxTokens: Int? = nil, stop: [String]? = nil)
  {
    self.model = model
    self.temperature = temperature
    self.maxTokens = maxTokens
    self.stop = stop
  }

  /// These overrides with every unset one taken from `defaults`.
  public func filled(from defaults: CaseOverrides) -> CaseOverrides {
    CaseOverrides(
      model: model ?? defaults.model, temperature: temperature ?? defaults.temperature,
      maxTokens: maxTokens ?? defaults.maxTokens, stop: stop ?? defaults.stop)
  }
}

/// An image or a piece of audio attached to a case, by path (relative to the dataset) or URL.
public struct Attachment: Sendable, Hashable, Codable {
  /// What kind of media it is.
  public enum Kind: String, Sendable, Hashable, Codable {
    case image, audio
  }

  /// Image or audio.
  public var kind: Kind
  /// A file path, an `http(s)` URL, or a `data:` URL holding the bytes in base64.
  public var location: String
  /// The detail level asked of an image (`low`, `high`, `auto`), for the vendors that take one.
  public var detail: String?

  /// Creates an attachment.
  public init(kind: Kind, location: String, detail: String? = nil) {
    self.kind = kind
    self.location = location
    self.detail = detail
  }
}
