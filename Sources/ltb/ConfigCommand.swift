import ArgumentParser
import Foundation
import LTBConfig
import LTBCore

/// `ltb config init|show|validate`.
struct ConfigCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "config", abstract: "Write, show and validate the configuration.",
    subcommands: [Init.self, Show.self, Validate.self])

  struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Write a documented ltb.toml with every setting and its default.")

    @Option(name: .long, help: "Where to write it.")
    var path = "ltb.toml"
    @Flag(name: .long, help: "Overwrite an existing file.")
    var force = false

    func run() throws {
      if FileManager.default.fileExists(atPath: path), !force {
        throw LTBError(
          .invalidInput, "\(path) already exists",
          fix: "pass --force to overwrite it, or --path to write elsewhere")
      }
      do {
        try ConfigSchema.documentedFile().write(toFile: path, atomically: true, encoding: .utf8)
      } catch {
        throw LTBError(
          .invalidInput, "cannot write \(path): \(error.localizedDescription)",
          fix: "choose a writable --path")
      }
      print("wrote \(path)")
    }
  }

  struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Print the effective configuration, each value with where it came from.")

    @OptionGroup var global: GlobalOptions

    func run() throws {
      let configuration = try global.loadConfiguration()
      print(ConfigPrinter.render(configuration))
    }
  }

  struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Check every layer; report each problem with file, line and fix.")

    @OptionGroup var global: GlobalOptions

    func run() throws {
      let (configuration, issues) = ConfigLoader().loadCollectingIssues(configFile: global.config)
      let all = issues + (configuration?.missingKeys ?? [])
      for issue in all { Console.writeError("error: \(issue)") }
      guard all.isEmpty, let configuration else {
        throw LTBError(
          .configuration, "\(all.count) problem\(all.count == 1 ? "" : "s") found", fix: "fix the lines above"
        )
      }
      let files =
        configuration.files.isEmpty
        ? "no files (built-in defaults only)" : configuration.files.joined(separator: ", ")
      print("ok: \(configuration.providers.count) providers enabled; read \(files)")
    }
  }
}

/// Renders the effective configuration as TOML with origins, secrets redacted.
enum ConfigPrinter {
  static func render(_ configuration: LTBConfiguration) -> String {
    let document = configuration.document
    let tables = Dictionary(grouping: document.leaves.keys) { Array($0.dropLast()) }
    var lines: [String] = []
    for table in tables.keys.sorted(by: { $0.joined(separator: ".") < $1.joined(separator: ".") }) {
      lines.append("[\(table.joined(separator: "."))]")
      for path in (tables[table] ?? []).sorted(by: { $0.last ?? "" < $1.last ?? "" }) {
        guard let value = document.leaves[path], let key = path.last else { continue }
        let shown = isSensitive(path) ? "\"<redacted>\"" : value.description
        lines.append("\(key) = \(shown)  # \(document.origin(of: path))")
      }
      lines.append("")
    }
    for settings in configuration.providers where settings.apiKeyOrigin != nil {
      lines.append(
        "# providers.\(settings.name): API key from \(settings.apiKeyOrigin ?? "") is \(settings.apiKey == nil ? "NOT set" : "set (<redacted>)")"
      )
    }
    return lines.joined(separator: "\n")
  }

  /// Header values that carry credentials are never printed.
  static func isSensitive(_ path: [String]) -> Bool {
    guard path.count == 4, path[2] == "headers" else { return false }
    let name = path[3].lowercased()
    return ["auth", "key", "token", "secret", "cookie", "password"].contains { name.contains($0) }
  }
}
