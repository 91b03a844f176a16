public import Foundation
public import LTBCore
import LTBEvaluation
import TOMLKit

/// A plugin's `plugin.toml` (spec 3.1): who it is, what it does, the ABI it was built for, its
/// module, what it asks to reach, its limits and the JSON Schema of its configuration.
///
/// ```toml
/// [plugin]
/// name = "keyword-coverage"       # lowercase letters, digits and dashes
/// version = "1.0.0"
/// kind = "evaluator"              # or request-transform, response-transform
/// abi = 1
/// description = "Share of the configured keywords the answer mentions"
/// author = "LLM Test Bench"
/// license = "Apache-2.0"
/// module = "keyword_coverage.wasm"
/// sha256 = "…"                    # optional; checked against the module when given
/// entry = "ltb_evaluate"          # optional; the kind's export by default
///
/// [capabilities]
/// requested = []                  # clock, random
///
/// [limits]                        # optional; see PluginLimits
/// fuel = 50_000_000
///
/// [config_schema]                 # JSON Schema of the configuration
/// type = "object"
/// required = ["keywords"]
/// ```
public struct PluginManifest: Sendable, Codable, Hashable {
  /// The plugin's name: the assertion type is `plugin:NAME`.
  public var name: String
  /// Its version.
  public var version: String
  /// What it does.
  public var kind: PluginKind
  /// The ABI version it was built for.
  public var abi: Int
  /// One line on what it does.
  public var description: String
  /// Who wrote it.
  public var author: String
  /// Its licence (an SPDX identifier).
  public var license: String
  /// The module file, relative to the manifest.
  public var module: String
  /// The module's SHA-256 as the author published it, when given.
  public var sha256: String?
  /// The export called for each call.
  public var entry: String
  /// The capabilities it asks for.
  public var capabilities: [PluginCapability]
  /// Its limits.
  public var limits: PluginLimits
  /// The JSON Schema its configuration must satisfy.
  public var configSchema: JSONValue

  /// The ABI version this host implements.
  public static let abiVersion = 1

  /// Parses and validates `text` (read from `path`); every problem is reported at once, each
  /// with its line.
  public static func parse(_ text: String, path: String = "plugin.toml") throws(LTBError) -> PluginManifest {
    let table: TOMLTable
    do {
      table = try TOMLTable(string: text)
    } catch let error as TOMLParseError {
      throw LTBError(
        .invalidInput, "\(path) line \(error.source.begin.line): TOML syntax error: \(error.description)",
        fix: "correct the syntax at column \(error.source.begin.column)")
    } catch {
      throw LTBError(.invalidInput, "\(path): cannot parse TOML: \(error)", fix: "check the file")
    }
    var reader = ManifestReader(root: Self.json(table), text: text, path: path)
    let manifest = reader.manifest()
    guard reader.problems.isEmpty, let manifest else {
      throw LTBError(
        .invalidInput, "\(path) is invalid: " + reader.problems.joined(separator: "; "),
        fix: "correct these keys (docs/plugins.md describes every one)")
    }
    return manifest
  }

  /// The manifest as JSON (as the registry stores it).
  public var json: String {
    String(decoding: (try? JSONEncoder().encode(self)) ?? Data(), as: UTF8.self)
  }

  /// The problems of `configuration` against the manifest's schema (none when it fits).
  public func problems(configuration: JSONValue) -> [String] {
    guard let schema = try? JSONSchema(configSchema) else {
      return ["the manifest's config_schema is invalid"]
    }
    return schema.problems(configuration, path: "configuration")
  }

  /// A TOML table as JSON.
  static func json(_ table: TOMLTable) -> JSONValue {
    var members: [String: JSONValue] = [:]
    for key in table.keys { if let value = table[key] { members[key] = json(value) } }
    return .object(members)
  }

  private static func json(_ value: any TOMLValueConvertible) -> JSONValue {
    switch value.type {
    case .table: value.table.map(json) ?? .object([:])
    case .array: .array(value.array.map { $0.map(json) } ?? [])
    case .bool: .bool(value.bool ?? false)
    case .int: .int(value.int ?? 0)
    case .double: .double(value.double ?? 0)
    case .string: .string(value.string ?? "")
    default: .string(value.debugDescription)
    }
  }

  enum CodingKeys: String, CodingKey {
    case name, version, kind, abi, description, author, license, module, sha256, entry, capabilities, limits
    case configSchema = "config_schema"
  }
}
