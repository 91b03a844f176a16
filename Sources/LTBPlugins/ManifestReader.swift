import Foundation
import LTBCore
import LTBEvaluation

/// Reads a parsed `plugin.toml`, collecting every problem with the line of its key.
struct ManifestReader {
  let root: JSONValue
  let text: String
  let path: String
  private(set) var problems: [String] = []

  init(root: JSONValue, text: String, path: String) {
    self.root = root
    self.text = text
    self.path = path
  }

  /// The manifest, or `nil` with ``problems`` saying why.
  mutating func manifest() -> PluginManifest? {
    for section in root.objectValue?.keys.sorted() ?? []
    where !["plugin", "capabilities", "limits", "config_schema"].contains(section) {
      problem(
        "", section, "is not a section of a plugin manifest",
        "remove it (sections: plugin, capabilities, limits, config_schema)")
    }
    let name = string("plugin", "name")
    if let name, name.range(of: #"^[a-z][a-z0-9-]{0,63}$"#, options: .regularExpression) == nil {
      problem(
        "plugin", "name", "is '\(name)'",
        "use 1-64 lowercase letters, digits and dashes, starting with a letter")
    }
    let version = string("plugin", "version")
    if let version,
      version.range(of: #"^\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$"#, options: .regularExpression) == nil
    {
      problem("plugin", "version", "is '\(version)'", "use a semantic version such as 1.2.0")
    }
    var kind: PluginKind?
    if let text = string("plugin", "kind") {
      kind = PluginKind(rawValue: text)
      if kind == nil {
        problem(
          "plugin", "kind", "is '\(text)'",
          "use one of \(PluginKind.allCases.map(\.rawValue).joined(separator: ", "))")
      }
    }
    let abi = root["plugin"]?["abi"]?.intValue
    if abi == nil {
      problem("plugin", "abi", "is missing or not an integer", "write abi = \(PluginManifest.abiVersion)")
    } else if abi != PluginManifest.abiVersion {
      problem(
        "plugin", "abi", "is \(abi ?? 0); this host implements ABI \(PluginManifest.abiVersion)",
        "rebuild the plugin with the ABI \(PluginManifest.abiVersion) SDK (sdk/c/ltb_plugin.h)")
    }
    let module = string("plugin", "module")
    if let module, module.contains("/") || module.hasPrefix(".") {
      problem("plugin", "module", "is '\(module)'", "name a file beside the manifest, without a directory")
    }
    let sha256 = optionalString("plugin", "sha256")
    if let sha256, sha256.range(of: "^[0-9a-f]{64}$", options: .regularExpression) == nil {
      problem("plugin", "sha256", "is not 64 lowercase hex digits", "write the module's sha256sum")
    }
    var capabilities: [PluginCapability] = []
    if let requested = root["capabilities"]?["requested"] {
      for item in requested.arrayValue ?? [] {
        if let capability = item.stringValue.flatMap(PluginCapability.init(rawValue:)) {
          capabilities.append(capability)
        } else {
          problem(
            "capabilities", "requested", "names '\(item.stringValue ?? item.serialized())'",
            "request only \(PluginCapability.allCases.map(\.rawValue).joined(separator: ", ")) (plugins get no files, network or environment)"
          )
        }
      }
    }
    let limits = readLimits()
    var schema = root["config_schema"] ?? .object(["type": "object"])
    if schema.objectValue?.isEmpty == true { schema = .object(["type": "object"]) }
    do {
      _ = try JSONSchema(schema, path: "config_schema")
    } catch {
      problem("config_schema", "", error.message, error.fix ?? "fix the schema")
    }
    guard problems.isEmpty, let name, let version, let kind, let abi, let module else { return nil }
    return PluginManifest(
      name: name, version: version, kind: kind, abi: abi,
      description: optionalString("plugin", "description") ?? "",
      author: optionalString("plugin", "author") ?? "",
      license: optionalString("plugin", "license") ?? "", module: module, sha256: sha256,
      entry: optionalString("plugin", "entry") ?? kind.defaultEntry, capabilities: capabilities,
      limits: limits,
      configSchema: schema)
  }

  private mutating func readLimits() -> PluginLimits {
    var limits = PluginLimits.defaults
    let ceiling = PluginLimits.ceiling
    guard let table = root["limits"]?.objectValue else { return limits }
    func number(_ key: String, most: Int) -> Int? {
      guard let value = table[key] else { return nil }
      guard let int = value.intValue, int > 0, int <= most else {
        problem("limits", key, "is \(value.serialized())", "use a positive integer up to \(most)")
        return nil
      }
      return int
    }
    for key in table.keys.sorted() where PluginLimits.CodingKeys(rawValue: key) == nil {
      problem(
        "limits", key, "is not a limit", "use fuel, memory_pages, timeout_ms, stack_bytes, max_output_bytes")
    }
    if let fuel = number("fuel", most: Int(ceiling.fuel)) { limits.fuel = UInt64(fuel) }
    if let pages = number("memory_pages", most: ceiling.memoryPages) { limits.memoryPages = pages }
    if let timeout = number("timeout_ms", most: ceiling.timeoutMilliseconds) {
      limits.timeoutMilliseconds = timeout
    }
    if let stack = number("stack_bytes", most: ceiling.stackBytes) { limits.stackBytes = stack }
    if let output = number("max_output_bytes", most: ceiling.maxOutputBytes) {
      limits.maxOutputBytes = output
    }
    return limits
  }

  private mutating func string(_ section: String, _ key: String) -> String? {
    guard let value = root[section]?[key] else {
      problem(section, key, "is missing", "add \(key) = \"…\" under [\(section)]")
      return nil
    }
    guard let text = value.stringValue, !text.isEmpty else {
      problem(section, key, "must be a non-empty string", "write \(key) = \"…\"")
      return nil
    }
    return text
  }

  private mutating func optionalString(_ section: String, _ key: String) -> String? {
    guard root[section]?[key] != nil else { return nil }
    return string(section, key)
  }

  private mutating func problem(_ section: String, _ key: String, _ what: String, _ fix: String) {
    let name = section.isEmpty ? "[\(key)]" : key.isEmpty ? "[\(section)]" : "[\(section)] \(key)"
    let line = line(of: section, key).map { "line \($0): " } ?? ""
    problems.append("\(line)\(name) \(what) (\(fix))")
  }

  /// The line of `key` in `[section]`, or of the header `[section]` (or `[key]` at the top
  /// level) when the other is empty.
  private func line(of section: String, _ key: String) -> Int? {
    let header = section.isEmpty ? key : section
    var current = ""
    for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let line = raw.trimmingCharacters(in: .whitespaces)
      if line.hasPrefix("[") {
        current = line.trimmingCharacters(in: CharacterSet(charactersIn: "[] "))
        if (key.isEmpty || section.isEmpty) && current == header { return index + 1 }
      } else if current == section, !key.isEmpty, line.hasPrefix(key + " ") || line.hasPrefix(key + "=") {
        return index + 1
      }
    }
    return nil
  }
}
