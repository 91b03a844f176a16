import ArgumentParser
import Foundation
import LTBConfig
import LTBCore

/// `ltb config init|show|validate`.
struct ConfigCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "config", abstract: "Write, show and validate the configuration.",
    subcommands: [Init.self, Show.self, Validate.self, Migrate.self])

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
    @Flag(
      name: .long,
      help: "Also fail on warnings: renamed keys, a file without `version`, LLM_TEST_BENCH_* variables.")
    var strict = false

    func run() throws {
      let (configuration, issues) = ConfigLoader().loadCollectingIssues(configFile: global.config)
      let all = issues + (configuration?.missingKeys ?? [])
      for issue in all { Console.writeError("error: \(issue)") }
      let notices = configuration?.notices ?? []
      for notice in notices { Console.writeError("\(strict ? "error" : "warning"): \(notice)") }
      guard all.isEmpty, let configuration else {
        throw LTBError(
          .configuration, "\(all.count) problem\(all.count == 1 ? "" : "s") found", fix: "fix the lines above"
        )
      }
      if strict, !notices.isEmpty {
        throw LTBError(
          .configuration, "\(notices.count) warning\(notices.count == 1 ? "" : "s") found with --strict",
          fix: "use the keys and variables named above")
      }
      let files =
        configuration.files.isEmpty
        ? "no files (built-in defaults only)" : configuration.files.joined(separator: ", ")
      print("ok: \(configuration.providers.count) providers enabled; read \(files)")
    }
  }
}

extension ConfigCommand {
  struct Migrate: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Convert a Rust LLM Test Bench config.toml into an ltb.toml (version 5).",
      discussion: """
        Maps every key it can, lists every key it drops and why, and never copies a secret value \
        (only the names of the variables that hold them). The result is checked before it is written.
        """)

    @Argument(help: "The earlier LLM Test Bench's config.toml.") var file: String
    @Option(name: .shortAndLong, help: "Where to write the converted file.") var output = "ltb.toml"
    @Flag(name: .long, help: "Overwrite an existing output file.") var force = false

    func run() throws {
      let migration: RustBenchConfig.Migration
      do {
        migration = try RustBenchConfig.migrate(file: file)
      } catch {
        throw LTBError(
          .invalidInput, "\(error)", fix: "check that \(file) is the earlier LLM Test Bench's TOML")
      }
      let text = migration.document(source: file)
      let issues = try Self.problems(of: text)
      guard issues.isEmpty else {
        throw LTBError(
          .internal,
          "the converted file does not load:\n  " + issues.map(\.description).joined(separator: "\n  "),
          fix: "report this with the file that caused it")
      }
      if FileManager.default.fileExists(atPath: output), !force {
        throw LTBError(
          .invalidInput, "\(output) already exists",
          fix: "pass --force to overwrite it, or -o to write elsewhere")
      }
      do {
        try text.write(toFile: output, atomically: true, encoding: .utf8)
      } catch {
        throw LTBError(
          .invalidInput, "cannot write \(output): \(error.localizedDescription)", fix: "choose a writable -o")
      }
      print(
        "wrote \(output): \(migration.mapped.count) settings carried over, \(migration.dropped.count) keys dropped"
      )
      for item in migration.mapped {
        print("  \(item.path.joined(separator: ".")) = \(item.value)  (\(item.note))")
      }
      if !migration.dropped.isEmpty { print("dropped:") }
      for item in migration.dropped { print("  \(item.key): \(item.reason)") }
      print("check it with `ltb config validate --config \(output)`")
    }

    /// The problems of a configuration's text read alone over the defaults (no other file, no
    /// environment).
    static func problems(of text: String) throws -> [ConfigIssue] {
      let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
        "ltb-migrate-\(UUID().uuidString)")
      try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
      defer { try? FileManager.default.removeItem(at: folder) }
      let path = folder.appendingPathComponent("converted.toml").path
      try text.write(toFile: path, atomically: true, encoding: .utf8)
      let loader = ConfigLoader(environment: [:], workingDirectory: folder.path, homeDirectory: folder.path)
      return loader.loadCollectingIssues(configFile: path).1
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
