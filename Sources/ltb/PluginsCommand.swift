import ArgumentParser
import Foundation
import LTBConfig
import LTBCore
import LTBEvaluation
import LTBPlugins
import LTBStorage

/// `ltb plugins install|list|enable|disable|configure|remove|test`: the plugin registry
/// (docs/plugins.md). Every change is written to the audit log; a running `ltb serve` picks it
/// up within `[plugins] reload_interval_ms`.
struct PluginsCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "plugins", abstract: "Install, list, configure and try WebAssembly plugins.",
    subcommands: [Install.self, List.self, Enable.self, Disable.self, Configure.self, Remove.self, Test.self])

  /// Options every subcommand shares.
  struct Common: ParsableArguments {
    @OptionGroup var global: GlobalOptions
    @OptionGroup var storage: DatabaseOption

    /// Runs `body` with the registry over the configured store and plugin directory.
    func withRegistry<T>(_ body: (PluginRegistry, SQLBenchStore) async throws -> T) async throws -> T {
      let configuration = try global.loadConfiguration()
      try configuration.features.require(.plugins, for: "ltb plugins")
      return try await global.withStore(configuration, database: storage.database) { store in
        let registry = await PluginRegistry.open(
          directory: configuration.pluginDirectory, settings: configuration.plugins, store: store,
          logger: global.logger(configuration, label: "ltb.plugins"))
        return try await body(registry, store)
      }
    }
  }

  static func audit(_ store: SQLBenchStore, _ action: String, _ record: PluginRecord) async throws {
    try await store.appendAudit(
      AuditEntry(
        userID: nil, action: action, resourceType: "plugin",
        details: [
          "name": .string(record.name), "version": .string(record.version), "sha256": .string(record.sha256),
          "via": "cli",
        ]))
  }

  static func parseConfiguration(_ text: String?) throws -> JSONValue? {
    guard let text else { return nil }
    do {
      let value = try JSONValue.parse(text)
      guard value.objectValue != nil else { throw ValidationError("the configuration must be a JSON object") }
      return value
    } catch let error as ValidationError {
      throw error
    } catch {
      throw ValidationError("the configuration is not valid JSON: \(error)")
    }
  }

  struct Install: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Install or upgrade the plugin in FOLDER (its plugin.toml and module).")
    @OptionGroup var common: Common
    @Argument(help: "A folder holding plugin.toml and the module it names.") var folder: String
    @Option(name: .long, help: "Its configuration, a JSON object (checked against its schema).")
    var configuration: String?
    @Option(name: .long, help: "Grant a capability it asks for (clock, random); repeatable.")
    var grant: [String] = []

    func run() async throws {
      let settings = try PluginsCommand.parseConfiguration(configuration)
      var granted: Set<PluginCapability> = []
      for name in grant {
        guard let capability = PluginCapability(rawValue: name) else {
          throw ValidationError("--grant \(name): capabilities are clock and random")
        }
        granted.insert(capability)
      }
      try await common.withRegistry { registry, store in
        let record = try await registry.install(
          folder: URL(fileURLWithPath: folder, isDirectory: true), configuration: settings, grant: granted)
        try await PluginsCommand.audit(store, "plugin.install", record)
        print("installed \(record.name) \(record.version) (\(record.kind), sha256 \(record.sha256))")
      }
    }
  }

  struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "The installed plugins.")
    @OptionGroup var common: Common
    @Flag(name: .long, help: "Print JSON lines instead of a table.") var json = false

    func run() async throws {
      try await common.withRegistry { registry, _ in
        let records = try await registry.records()
        for record in records {
          if json {
            print(try Console.json(PluginLine(record, problem: registry.problem(record.name)), pretty: false))
            continue
          }
          let state =
            record.enabled ? (registry.plugin(record.name) == nil ? "not loaded" : "enabled") : "disabled"
          let reason =
            record.disabledReason.map { "  (\($0))" } ?? registry.problem(record.name).map { "  (\($0))" }
            ?? ""
          print(
            "\(record.name)  \(record.version)  \(record.kind)  \(state)  sha256 \(record.sha256.prefix(12))\(reason)"
          )
        }
        if records.isEmpty { Console.writeError("no plugins installed") }
      }
    }
  }

  struct Enable: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Enable a plugin (and reset its failure count).")
    @OptionGroup var common: Common
    @Argument(help: "The plugin's name.") var name: String

    func run() async throws {
      try await common.withRegistry { registry, store in
        let record = try await registry.setEnabled(name, true)
        try await PluginsCommand.audit(store, "plugin.enable", record)
        if let problem = registry.problem(name) {
          Console.writeError("enabled, but it does not load: \(problem)")
        }
        print("enabled \(name)")
      }
    }
  }

  struct Disable: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Disable a plugin.")
    @OptionGroup var common: Common
    @Argument(help: "The plugin's name.") var name: String
    @Option(name: .long, help: "Why (stored with it).") var reason: String?

    func run() async throws {
      try await common.withRegistry { registry, store in
        let record = try await registry.setEnabled(name, false, reason: reason)
        try await PluginsCommand.audit(store, "plugin.disable", record)
        print("disabled \(name)")
      }
    }
  }

  struct Configure: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Replace a plugin's configuration.")
    @OptionGroup var common: Common
    @Argument(help: "The plugin's name.") var name: String
    @Argument(help: "The configuration, a JSON object.") var config: String

    func run() async throws {
      let configuration = try PluginsCommand.parseConfiguration(config) ?? .object([:])
      try await common.withRegistry { registry, store in
        let record = try await registry.configure(name, configuration)
        try await PluginsCommand.audit(store, "plugin.configure", record)
        print("configured \(name): \(record.configuration)")
      }
    }
  }

  struct Remove: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Remove a plugin and its files.")
    @OptionGroup var common: Common
    @Argument(help: "The plugin's name.") var name: String

    func run() async throws {
      try await common.withRegistry { registry, store in
        let record = try await registry.require(name)
        try await registry.remove(name)
        try await PluginsCommand.audit(store, "plugin.remove", record)
        print("removed \(name)")
      }
    }
  }

  struct Test: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Call a plugin once and print what it answers (an evaluator's verdict, a transform's result)."
    )
    @OptionGroup var common: Common
    @Argument(help: "The plugin's name.") var name: String
    @Option(name: .long, help: "The answer to score or normalise.") var output = ""
    @Option(name: .long, help: "The prompt (the request a request transform rewrites).") var prompt = ""
    @Option(name: .long, help: "The expected answer.") var expected: String?
    @Option(name: .long, help: "The assertion's value, as JSON.") var value: String?
    @Option(name: .long, help: "The assertion's threshold.") var threshold: Double?

    func run() async throws {
      try await common.withRegistry { registry, _ in
        guard let plugin = registry.plugin(name) else {
          _ = try await registry.require(name)
          throw LTBError(
            .configuration,
            "\(name) is installed but not loaded: \(registry.problem(name) ?? "it is disabled")",
            fix: "enable it with `ltb plugins enable \(name)`, or reinstall it")
        }
        switch plugin.manifest.kind {
        case .evaluator:
          let assertion = AssertionSpec(
            type: "plugin:\(name)", name: name, value: try value.map { try JSONValue.parse($0) },
            threshold: threshold)
          let input = EvaluationInput(
            testID: "test", prompt: prompt, response: output, expected: expected,
            references: expected.map { [$0] } ?? [])
          // Called directly, to report the fuel the call used beside the verdict.
          let request = PluginABI.evaluatorInput(assertion, input, configuration: plugin.configurationText)
          let outcome: EvaluationOutcome
          do {
            let (answer, fuel) = try plugin.callDirect(request)
            Console.writeError("fuel used: \(fuel) of \(plugin.manifest.limits.fuel)")
            switch PluginABI.outcome(answer, assertion, producedBy: plugin.label) {
            case .success(let scored): outcome = scored
            case .failure(let error): outcome = .error("\(plugin.label): \(error.message)")
            }
          } catch let error as PluginCallError {
            outcome = .error("\(plugin.label): \(error.message)")
          }
          print(try Console.json(outcome))
          if outcome.state == .error { throw ExitCode(1) }
        case .requestTransform:
          let request = try await PluginTransforms(registry: registry).request(
            CompletionRequest(prompt: prompt), through: [name])
          let messages = JSONValue.array(
            request.messages.map {
              .object(["role": .string($0.role.rawValue), "content": .string($0.text)])
            })
          print(
            try Console.json(
              JSONValue.object([
                "system": request.system.map(JSONValue.string) ?? .null, "messages": messages,
              ])))
        case .responseTransform:
          let normalised = try await PluginTransforms(registry: registry).response(
            output, prompt: prompt, through: [name])
          print(try Console.json(["output": normalised]))
        }
      }
    }
  }
}

/// One plugin as a JSON line.
struct PluginLine: Encodable {
  var name: String
  var version: String
  var kind: String
  var sha256: String
  var enabled: Bool
  var loaded: Bool
  var disabledReason: String?
  var problem: String?
  var granted: [String]
  var configuration: JSONValue
  var installedAt: String
  var updatedAt: String

  init(_ record: PluginRecord, problem: String?) {
    name = record.name
    version = record.version
    kind = record.kind
    sha256 = record.sha256
    enabled = record.enabled
    loaded = record.enabled && problem == nil
    disabledReason = record.disabledReason
    self.problem = problem
    granted = record.granted
    configuration = (try? JSONValue.parse(record.configuration)) ?? .object([:])
    installedAt = Console.timestamp(Date(timeIntervalSince1970: Double(record.installedMicros) / 1e6))
    updatedAt = Console.timestamp(Date(timeIntervalSince1970: Double(record.updatedMicros) / 1e6))
  }
}
