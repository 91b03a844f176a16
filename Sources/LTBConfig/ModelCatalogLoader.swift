import Foundation
public import LTBCore

/// Reads model catalogues (`config/models.toml` format), reporting problems with file and line.
public enum ModelCatalogLoader {
  /// The catalogue that ships with LLM Test Bench.
  public static func builtIn() throws -> ModelCatalog {
    guard let url = Bundle.module.url(forResource: "models", withExtension: "toml") else {
      throw LTBError(
        .internal, "the built-in model catalogue is missing from the installation", fix: "reinstall ltb")
    }
    let parsed: TOMLReader.Parsed
    do {
      parsed = try TOMLReader.read(path: url.path)
    } catch {
      throw LTBError(.internal, "the built-in model catalogue is invalid: \(error)")
    }
    let (catalog, issues) = catalog(from: parsed, path: url.path)
    if let first = issues.first {
      throw LTBError(.internal, "the built-in model catalogue is invalid: \(first)")
    }
    return catalog
  }

  /// Reads a user catalogue file.
  public static func load(path: String) -> (ModelCatalog, [ConfigIssue]) {
    do {
      return catalog(from: try TOMLReader.read(path: path), path: path)
    } catch {
      return (ModelCatalog(), [error])
    }
  }

  static func catalog(from parsed: TOMLReader.Parsed, path: String) -> (ModelCatalog, [ConfigIssue]) {
    var models: [ModelInfo] = []
    var issues: [ConfigIssue] = []
    func issue(_ keyPath: [String], _ problem: String, _ fix: String) {
      issues.append(
        ConfigIssue(
          origin: .file(path: path, line: parsed.locator.line(of: keyPath)),
          key: keyPath.joined(separator: "."),
          problem: problem, fix: fix))
    }
    for (kindName, value) in parsed.values.sorted(by: { $0.key < $1.key }) {
      guard let kind = ProviderKind(rawValue: kindName) else {
        issue(
          [kindName], "unknown protocol '\(kindName)'",
          "use one of \(ProviderKind.allCases.map(\.rawValue).joined(separator: ", "))")
        continue
      }
      guard case .table(let entries) = value else {
        issue([kindName], "expected a table of models", "write [\(kindName)].\"MODEL-ID\" tables")
        continue
      }
      for (modelID, entry) in entries.sorted(by: { $0.key < $1.key }) {
        let base = [kindName, modelID]
        guard case .table(let fields) = entry else {
          issue(
            base, "expected a table",
            "write context, input, output and capabilities under [\(kindName).\"\(modelID)\"]")
          continue
        }
        let known = [
          "context", "input", "output", "cached_input", "image_input", "audio_input", "audio_per_minute",
          "image_tokens", "capabilities",
        ]
        for key in fields.keys where !known.contains(key) {
          issue(base + [key], "unknown key '\(key)'", "known keys: \(known.joined(separator: ", "))")
        }
        func number(_ key: String, required: Bool) -> Double? {
          switch fields[key] {
          case .int(let value)?: return Double(value)
          case .double(let value)?: return value
          case nil:
            if required { issue(base, "missing '\(key)'", "add \(key) = NUMBER") }
            return nil
          case let other?:
            issue(
              base + [key], "expected a number, found a \(other.typeName)",
              "write a number, e.g. \(key) = 0.5")
            return nil
          }
        }
        let context = number("context", required: true)
        let input = number("input", required: true)
        let output = number("output", required: true)
        let cached = number("cached_input", required: false)
        let imageInput = number("image_input", required: false)
        let audioInput = number("audio_input", required: false)
        let audioPerMinute = number("audio_per_minute", required: false)
        var imageTokens: ImageTokenRule?
        switch fields["image_tokens"] {
        case nil: break
        case .string(let text)?:
          imageTokens = ImageTokenRule(catalogText: text)
          if imageTokens == nil {
            issue(
              base + ["image_tokens"], "'\(text)' is not an image token rule",
              "write tiles:BASE:TILE (OpenAI's tile formula), patches:MULTIPLIER (OpenAI's 32 px patches), pixels:PIXELS-PER-TOKEN (Anthropic's) or gemini-tiles:PER-TILE (Gemini's)"
            )
          }
        case let other?:
          issue(
            base + ["image_tokens"], "expected a string, found a \(other.typeName)",
            "write image_tokens = \"tiles:85:170\"")
        }
        var capabilities: Set<Capability> = []
        if case .array(let items)? = fields["capabilities"] {
          for item in items {
            if case .string(let name) = item, let capability = Capability(rawValue: name) {
              capabilities.insert(capability)
            } else {
              issue(
                base + ["capabilities"], "unknown capability \(item)",
                "use any of \(Capability.allCases.map(\.rawValue).joined(separator: ", "))")
            }
          }
        }
        for (key, value) in [
          ("context", context), ("input", input), ("output", output), ("cached_input", cached),
          ("image_input", imageInput), ("audio_input", audioInput), ("audio_per_minute", audioPerMinute),
        ] {
          if let value, value < 0 { issue(base + [key], "\(key) may not be negative", "write a value ≥ 0") }
        }
        guard let context, let input, let output else { continue }
        models.append(
          ModelInfo(
            id: modelID, kind: kind, contextLength: Int(context),
            pricing: ModelPricing(
              inputPerMillion: input, outputPerMillion: output, cachedInputPerMillion: cached,
              imageInputPerMillion: imageInput, audioInputPerMillion: audioInput,
              audioPerMinute: audioPerMinute,
              imageTokens: imageTokens),
            capabilities: capabilities))
      }
    }
    return (ModelCatalog(models), issues)
  }
}
