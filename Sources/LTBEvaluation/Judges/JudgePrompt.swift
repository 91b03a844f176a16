import Foundation
public import LTBCore

/// A versioned judge prompt from `Resources/judges/NAME.vN.md`, with the JSON schema its reply
/// must follow.
public struct JudgePrompt: Sendable {
  /// The prompt's name (`faithfulness-claims`, `rubric`, …).
  public let name: String
  /// Its version.
  public let version: Int
  /// The template; `{{name}}` marks where a value goes.
  public let template: String
  /// The reply's JSON schema (sent as a structured-output constraint where the provider can).
  public let schema: JSONValue

  /// The newest version of a bundled prompt (the files are read once per process).
  public static func load(_ name: String) throws -> JudgePrompt {
    guard let prompt = try bundled.get()[name] else {
      throw LTBError(.internal, "no judge prompt named \(name)", fix: "reinstall ltb")
    }
    return prompt
  }

  /// Every bundled prompt, newest version of each, by name.
  private static let bundled: Result<[String: JudgePrompt], LTBError> = Result { () throws(LTBError) in
    guard let directory = Bundle.module.url(forResource: "judges", withExtension: nil) else {
      throw LTBError(.internal, "the judge prompts are missing from the installation", fix: "reinstall ltb")
    }
    let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
    var prompts: [String: JudgePrompt] = [:]
    for (name, schema) in schemas {
      let versions = files.compactMap { file -> (Int, String)? in
        guard file.hasPrefix(name + ".v"), file.hasSuffix(".md"),
          let version = Int(file.dropFirst(name.count + 2).dropLast(3))
        else { return nil }
        return (version, file)
      }
      guard let (version, file) = versions.max(by: { $0.0 < $1.0 }),
        let template = try? String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
      else { continue }
      prompts[name] = JudgePrompt(name: name, version: version, template: template, schema: schema)
    }
    return prompts
  }

  /// The prompt with every `{{name}}` replaced by its value.
  public func render(_ values: [String: String]) -> String {
    var text = template
    for (key, value) in values { text = text.replacingOccurrences(of: "{{\(key)}}", with: value) }
    return text
  }

  private static func object(_ properties: [String: JSONValue]) -> JSONValue {
    [
      "type": "object", "properties": .object(properties),
      "required": .array(properties.keys.sorted().map { .string($0) }), "additionalProperties": false,
    ]
  }

  private static let rating = object([
    "reasoning": ["type": "string"], "score": ["type": "integer", "minimum": 1, "maximum": 5],
  ])

  /// The reply schema of each prompt.
  static let schemas: [String: JSONValue] = [
    "faithfulness-claims": object(["claims": ["type": "array", "items": ["type": "string"]]]),
    "faithfulness-verdicts": object([
      "verdicts": [
        "type": "array",
        "items": object([
          "claim": ["type": "string"], "supported": ["type": "boolean"], "reason": ["type": "string"],
        ]),
      ]
    ]),
    "answer-relevance": rating,
    "coherence": rating,
    "rubric": rating,
    "image-description": rating,
    "rubric-steps": object(["steps": ["type": "array", "items": ["type": "string"], "minItems": 1]]),
    "factuality": object([
      "reasoning": ["type": "string"],
      "verdict": ["type": "string", "enum": ["agrees", "partial", "contradicts"]],
    ]),
    "pairwise": object([
      "reasoning": ["type": "string"], "winner": ["type": "string", "enum": ["A", "B", "tie"]],
    ]),
  ]
}
