public import Foundation
public import LTBCore

/// Loads the configuration layers: built-in defaults → `./ltb.toml` or `~/.config/ltb/ltb.toml`
/// → `--config FILE` → environment variables `LTB_<SECTION>__<KEY>` (nested keys separated by `__`).
public struct ConfigLoader: Sendable {
  /// The environment to read `LTB_*` variables and API keys from.
  public var environment: [String: String]
  /// The directory searched for `ltb.toml`.
  public var workingDirectory: String
  /// The user's home directory.
  public var homeDirectory: String

  /// Creates a loader over the process's environment and directories.
  public init(
    environment: [String: String] = ProcessInfo.processInfo.environment,
    workingDirectory: String = FileManager.default.currentDirectoryPath,
    homeDirectory: String = NSHomeDirectory()
  ) {
    self.environment = environment
    self.workingDirectory = workingDirectory
    self.homeDirectory = homeDirectory
  }

  /// The user-level configuration file (`$XDG_CONFIG_HOME/ltb/ltb.toml` or `~/.config/ltb/ltb.toml`).
  public var userConfigPath: String {
    let base = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? homeDirectory + "/.config"
    return base + "/ltb/ltb.toml"
  }

  /// Loads and resolves the configuration; every problem found is reported at once.
  public func load(configFile: String? = nil) throws -> LTBConfiguration {
    let (configuration, issues) = loadCollectingIssues(configFile: configFile)
    guard let configuration, issues.isEmpty else {
      throw LTBError(
        .configuration,
        "the configuration has \(issues.count) problem\(issues.count == 1 ? "" : "s"):\n  "
          + issues.map(\.description).joined(separator: "\n  "),
        fix: "fix them, then check with `ltb config validate`")
    }
    return configuration
  }

  /// Loads and resolves what it can, and lists every problem found (for `ltb config validate`).
  public func loadCollectingIssues(configFile: String? = nil) -> (LTBConfiguration?, [ConfigIssue]) {
    var document = ConfigDocument()
    var issues: [ConfigIssue] = []
    var notices: [ConfigNotice] = []
    var files: [String] = []
    document.merge(ConfigSchema.defaults()) { _ in .builtIn }
    let local = workingDirectory + "/ltb.toml"
    let discovered = [local, userConfigPath].first { FileManager.default.fileExists(atPath: $0) }
    for path in [discovered, configFile].compactMap({ $0 }) {
      do {
        let parsed = try TOMLReader.read(path: path)
        files.append(path)
        let origin: ([String]) -> ConfigOrigin = { key in
          .file(
            path: path,
            line: parsed.locator.line(of: key)
              ?? ConfigDeprecations.original(key).flatMap { parsed.locator.line(of: $0) })
        }
        var values = parsed.values
        switch Self.checkVersion(
          values.removeValue(forKey: "version"), file: path, origin: origin(["version"]))
        {
        case .success(let notice?): notices.append(notice)
        case .success(nil): break
        case .failure(let issue):
          issues.append(issue)
          continue
        }
        let (renamed, renameNotices) = ConfigDeprecations.apply(to: values, origin: origin)
        notices += renameNotices
        issues += Self.check(renamed, origin: origin)
        document.merge(renamed, origin: origin)
      } catch {
        issues.append(error)
      }
    }
    let (legacyIssues, legacyNotices) = applyLegacyEnvironment(to: &document)
    issues += legacyIssues
    notices += legacyNotices
    let (environmentIssues, environmentNotices) = applyEnvironment(to: &document)
    issues += environmentIssues
    notices += environmentNotices
    var (configuration, resolveIssues) = resolve(document, files: files)
    configuration?.notices = notices
    return (configuration, issues + resolveIssues)
  }

  /// A file's `version`: absent is read as the current version with a notice; an earlier one is
  /// the Rust LLM Test Bench's format (convert it); a later one is refused.
  static func checkVersion(_ value: ConfigValue?, file: String, origin: ConfigOrigin) -> Result<
    ConfigNotice?, ConfigIssue
  > {
    let current = ConfigSchema.currentVersion
    guard let value else {
      return .success(
        ConfigNotice(
          .unversioned, origin: .file(path: file, line: nil),
          "no `version`: read as version \(current); add `version = \(current)` at the top to say so"))
    }
    guard case .int(let version) = value else {
      return .failure(
        ConfigIssue(
          origin: origin, key: "version", problem: "expected an integer, found a \(value.typeName)",
          fix: "write version = \(current)"))
    }
    if version > current {
      return .failure(
        ConfigIssue(
          origin: origin, key: "version",
          problem:
            "the file is written for configuration version \(version); this ltb reads version \(current)",
          fix: "upgrade ltb, or write version = \(current) and remove the newer settings"))
    }
    if version < current {
      return .failure(
        ConfigIssue(
          origin: origin, key: "version",
          problem: "version \(version) is an earlier format (the Rust LLM Test Bench's)",
          fix: "convert it with `ltb config migrate \(file) -o ltb.toml`"))
    }
    return .success(nil)
  }

  /// Checks every leaf of a layer against the schema.
  static func check(_ values: [String: ConfigValue], origin: ([String]) -> ConfigOrigin) -> [ConfigIssue] {
    var issues: [ConfigIssue] = []
    func visit(_ value: ConfigValue, path: [String]) {
      // [alerts] holds lists of rule tables and named channels: read whole, with its own checks.
      if path.first == "alerts" { return }
      if case .table(let members) = value, tableAllowed(at: path) {
        for (key, member) in members.sorted(by: { $0.key < $1.key }) { visit(member, path: path + [key]) }
        return
      }
      switch ConfigSchema.spec(at: path) {
      case .success(let spec):
        if let problem = spec.problem(with: value) {
          issues.append(
            ConfigIssue(
              origin: origin(path), key: path.joined(separator: "."), problem: problem,
              fix: "write \(spec.expectation)"))
        }
      case .failure(let failure):
        issues.append(
          ConfigIssue(
            origin: origin(path), key: path.joined(separator: "."), problem: failure.problem, fix: failure.fix
          ))
      }
    }
    for (key, value) in values.sorted(by: { $0.key < $1.key }) { visit(value, path: [key]) }
    return issues
  }

  /// Whether a table may stand at `path` (sections, provider tables and their sub-tables).
  private static func tableAllowed(at path: [String]) -> Bool {
    switch path.count {
    case 1: ConfigSchema.sections.contains(path[0])
    case 2: path[0] == "providers" || ConfigSchema.tables.contains { $0.path == path }
    case 3: path[0] == "providers" && path[2] == "parameters"
    default: false
    }
  }

  /// Reads the earlier Rust LLM Test Bench's `LLM_TEST_BENCH_SECTION__KEY` variables as their
  /// `LTB_*` equivalents, each with a notice naming the variable to set instead; an `LTB_*`
  /// variable for the same setting wins, and one with no equivalent is ignored with the reason.
  private func applyLegacyEnvironment(to document: inout ConfigDocument) -> ([ConfigIssue], [ConfigNotice]) {
    var issues: [ConfigIssue] = []
    var notices: [ConfigNotice] = []
    for (variable, text) in environment.sorted(by: { $0.key < $1.key })
    where variable.hasPrefix("LLM_TEST_BENCH_") {
      let origin = ConfigOrigin.environment(variable: variable)
      switch RustBenchConfig.environmentEquivalent(variable, text) {
      case .failure(let dropped):
        notices.append(
          ConfigNotice(
            .legacyVariable, origin: origin, "ignored, from the earlier LLM Test Bench: \(dropped.reason)"))
      case .success(let items):
        for item in items {
          notices.append(
            ConfigNotice(
              .legacyVariable, origin: origin,
              "from the earlier LLM Test Bench: read as \(item.variable)=\(item.text); set that instead"))
          guard environment[item.variable] == nil else { continue }
          guard case .success(let spec) = ConfigSchema.spec(at: item.path),
            let value = spec.parse(environmentValue: item.text)
          else { continue }
          if let problem = spec.problem(with: value) {
            issues.append(
              ConfigIssue(
                origin: origin, key: item.path.joined(separator: "."), problem: problem,
                fix: "set \(item.variable) to \(spec.expectation)"))
            continue
          }
          document.set(value, at: item.path) { _ in origin }
        }
      }
    }
    return (issues, notices)
  }

  /// Applies `LTB_<SECTION>__<KEY>` variables; provider names match with `-` written as `_`.
  private func applyEnvironment(to document: inout ConfigDocument) -> ([ConfigIssue], [ConfigNotice]) {
    var issues: [ConfigIssue] = []
    var notices: [ConfigNotice] = []
    let providerNames = document.childTables(of: ["providers"])
    for (variable, text) in environment.sorted(by: { $0.key < $1.key }) where variable.hasPrefix("LTB_") {
      let segments = variable.dropFirst(4).components(separatedBy: "__").map { $0.lowercased() }
      guard segments.count >= 2 else { continue }
      var path = segments
      if path[0] == "providers" {
        path[1] = providerNames.first { $0.replacingOccurrences(of: "-", with: "_") == path[1] } ?? path[1]
      }
      let origin = ConfigOrigin.environment(variable: variable)
      // `LTB_<SECTION>__<KEY>_FILE=PATH` sets KEY to the file's contents (Docker and Kubernetes
      // secrets mounted as files), unless KEY itself ends in `_file`.
      var fromFile = false
      if case .failure = ConfigSchema.spec(at: path), let last = path.last, last.hasSuffix("_file") {
        let key = Array(path.dropLast()) + [String(last.dropLast("_file".count))]
        if case .success = ConfigSchema.spec(at: ConfigDeprecations.renamed(key)?.path ?? key) {
          path = key
          fromFile = true
        }
      }
      if let (renamed, rename) = ConfigDeprecations.renamed(path) {
        let replacement =
          "LTB_" + renamed.map { $0.uppercased() }.joined(separator: "__") + (fromFile ? "_FILE" : "")
        notices.append(
          ConfigNotice(
            .deprecated, origin: origin,
            "\(variable) is deprecated since \(rename.since): set \(replacement) (the old name stops working in the next major version)"
          ))
        if environment[replacement] != nil { continue }
        path = renamed
      }
      var text = text
      if fromFile {
        guard let contents = try? String(contentsOfFile: text, encoding: .utf8) else {
          issues.append(
            ConfigIssue(
              origin: origin, key: path.joined(separator: "."), problem: "cannot read the file '\(text)'",
              fix: "point \(variable) at a readable file holding the value"))
          continue
        }
        text = contents.trimmingCharacters(in: .newlines)
      }
      switch ConfigSchema.spec(at: path) {
      case .success(let spec):
        guard let value = spec.parse(environmentValue: text) else {
          issues.append(
            ConfigIssue(
              origin: origin, key: path.joined(separator: "."),
              problem: "cannot read '\(text)' as \(spec.expectation)",
              fix: "set \(variable) to \(spec.expectation)"))
          continue
        }
        if let problem = spec.problem(with: value) {
          issues.append(
            ConfigIssue(
              origin: origin, key: path.joined(separator: "."), problem: problem,
              fix: "set \(variable) to \(spec.expectation)"))
          continue
        }
        document.set(value, at: path) { _ in origin }
      case .failure(let failure):
        issues.append(
          ConfigIssue(
            origin: origin, key: path.joined(separator: "."), problem: failure.problem, fix: failure.fix))
      }
    }
    return (issues, notices)
  }

  /// Turns the merged document into typed settings.
  private func resolve(_ document: ConfigDocument, files: [String]) -> (LTBConfiguration?, [ConfigIssue]) {
    var issues: [ConfigIssue] = []
    var missingKeys: [ConfigIssue] = []
    func string(_ path: [String]) -> String? {
      if case .string(let value)? = document.value(at: path) { return value }
      return nil
    }
    func int(_ path: [String]) -> Int? {
      if case .int(let value)? = document.value(at: path) { return value }
      return nil
    }
    func bool(_ path: [String]) -> Bool? {
      if case .bool(let value)? = document.value(at: path) { return value }
      return nil
    }
    func double(_ path: [String]) -> Double? {
      switch document.value(at: path) {
      case .double(let value)?: value
      case .int(let value)?: Double(value)
      default: nil
      }
    }
    func strings(_ path: [String]) -> [String]? {
      guard case .array(let items)? = document.value(at: path) else { return nil }
      return items.compactMap { if case .string(let text) = $0 { text } else { nil } }
    }
    func issue(_ path: [String], _ problem: String, _ fix: String) -> ConfigIssue {
      ConfigIssue(
        origin: document.origin(of: path), key: path.joined(separator: "."), problem: problem, fix: fix)
    }
    func milliseconds(_ path: [String], _ fallback: Int) -> Duration { .milliseconds(int(path) ?? fallback) }

    let features = FeatureFlags(
      enabled: Set(
        FeatureFlags.Feature.allCases.filter { bool(["features", $0.rawValue]) ?? $0.isEnabledByDefault }))
    var dataDirectory = string(["general", "data_dir"]) ?? ""
    if dataDirectory.isEmpty {
      let base =
        environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? homeDirectory + "/.local/share"
      dataDirectory = base + "/ltb"
    }
    var catalog: ModelCatalog
    do {
      catalog = try ModelCatalogLoader.builtIn()
    } catch {
      return (nil, [issue(["general", "models_file"], "\(error)", "reinstall ltb")])
    }
    if let modelsFile = string(["general", "models_file"]), !modelsFile.isEmpty {
      let (userCatalog, catalogIssues) = ModelCatalogLoader.load(path: modelsFile)
      issues += catalogIssues
      catalog = catalog.merging(userCatalog)
    }

    var providers: [ProviderSettings] = []
    var disabled: [String] = []
    var featureDisabled: [String] = []
    for name in document.childTables(of: ["providers"]) {
      let base = ["providers", name]
      let kindName = string(base + ["type"]) ?? name
      guard let kind = ProviderKind(rawValue: kindName) else {
        issues.append(
          issue(
            base, "provider '\(name)' has no type",
            "set providers.\(name).type to one of \(ProviderKind.allCases.map(\.rawValue).joined(separator: ", "))"
          ))
        continue
      }
      if case .bool(false)? = document.value(at: base + ["enabled"]) {
        disabled.append(name)
        continue
      }
      if kind.isNewProvider, !features.isEnabled(.newProviders) {
        featureDisabled.append(name)
        continue
      }
      var apiKey: Secret?
      var keyOrigin: String?
      var keyFile: String?
      if let file = string(base + ["api_key_file"]), !file.isEmpty {
        keyFile = file
        keyOrigin = "file \(file)"
        if let contents = try? String(contentsOfFile: file, encoding: .utf8) {
          apiKey = Secret(contents.trimmingCharacters(in: .whitespacesAndNewlines))
        } else {
          issues.append(
            issue(
              base + ["api_key_file"], "cannot read the key file \(file)",
              "check the path and its permissions"))
        }
      } else if let variable = string(base + ["api_key_env"]) ?? kind.defaultAPIKeyEnvironmentVariable,
        !variable.isEmpty
      {
        keyOrigin = "environment variable \(variable)"
        if let value = environment[variable], !value.isEmpty {
          apiKey = Secret(value)
        } else if kind.requiresAPIKey, document.isSetOutsideDefaults(below: base) {
          let keyPath =
            document.origin(of: base + ["api_key_env"]) == .builtIn ? base : base + ["api_key_env"]
          missingKeys.append(
            issue(
              keyPath, "\(variable) is not set, so provider '\(name)' has no API key",
              "export \(variable)=..., or point providers.\(name).api_key_env or api_key_file elsewhere"))
        }
      }
      var launch: LlamaServerLaunch?
      let binary = string(base + ["binary"])
      let modelPath = string(base + ["model_path"])
      if binary != nil || modelPath != nil {
        if kind != .llamacpp {
          issues.append(
            issue(
              base + ["binary"], "binary and model_path apply to llamacpp providers only",
              "remove them or set type = \"llamacpp\""))
        } else if let binary, let modelPath {
          launch = LlamaServerLaunch(
            binary: binary, modelPath: modelPath, port: int(base + ["port"]) ?? 0,
            extraArguments: strings(base + ["launch_args"]) ?? [],
            startupTimeout: milliseconds(base + ["startup_timeout_ms"], 60_000))
        } else {
          issues.append(
            issue(
              base + [binary == nil ? "model_path" : "binary"], "binary and model_path must be set together",
              "set both, or neither to attach to base_url"))
        }
      }
      let parametersPath = base + ["parameters"]
      let parameters = SamplingParameters(
        temperature: double(parametersPath + ["temperature"]), topP: double(parametersPath + ["top_p"]),
        topK: int(parametersPath + ["top_k"]), maxTokens: int(parametersPath + ["max_tokens"]),
        stop: strings(parametersPath + ["stop"]), seed: int(parametersPath + ["seed"]),
        presencePenalty: double(parametersPath + ["presence_penalty"]),
        frequencyPenalty: double(parametersPath + ["frequency_penalty"]))
      var headers: [String: String] = [:]
      if case .table(let members)? = document.value(at: base + ["headers"]) {
        for (header, value) in members { if case .string(let text) = value { headers[header] = text } }
      }
      let retryBase = int(base + ["retry_base_delay_ms"]) ?? 500
      let retryMax = int(base + ["retry_max_delay_ms"]) ?? 30_000
      if retryMax < retryBase {
        issues.append(
          issue(
            base + ["retry_max_delay_ms"],
            "retry_max_delay_ms (\(retryMax)) is below retry_base_delay_ms (\(retryBase))",
            "raise it to at least \(retryBase)"))
      }
      providers.append(
        ProviderSettings(
          name: name, kind: kind, baseURL: string(base + ["base_url"]) ?? kind.defaultBaseURL, apiKey: apiKey,
          apiKeyOrigin: keyOrigin,
          connectTimeout: milliseconds(base + ["timeout_connect_ms"], 10_000),
          firstByteTimeout: milliseconds(base + ["timeout_first_byte_ms"], 60_000),
          totalTimeout: milliseconds(base + ["timeout_total_ms"], 300_000),
          maxRetries: int(base + ["max_retries"]) ?? 3,
          retryBaseDelay: .milliseconds(retryBase), retryMaxDelay: .milliseconds(retryMax),
          requestsPerMinute: int(base + ["requests_per_minute"]) ?? 0,
          tokensPerMinute: int(base + ["tokens_per_minute"]) ?? 0,
          extraHeaders: headers, defaultModel: string(base + ["default_model"]),
          defaultParameters: parameters,
          apiVersion: string(base + ["api_version"]), launch: launch, inputKey: string(base + ["input_key"])))
      providers[providers.count - 1].apiKeyFile = keyFile
    }
    let (alertRules, alertChannels) = alerts(document, issue: issue)
    issues += alertRules.issues + alertChannels.issues
    var configuration = LTBConfiguration(
      dataDirectory: dataDirectory, database: string(["storage", "database"]) ?? "",
      logLevel: string(["general", "log_level"]) ?? "info",
      evaluation: EvaluationSettings(
        judge: string(["evaluation", "judge"]), embedder: string(["evaluation", "embedder"]),
        judgeTemperature: double(["evaluation", "judge_temperature"])),
      providers: providers,
      disabledProviders: disabled.sorted(), catalog: catalog, document: document, files: files,
      missingKeys: missingKeys)
    configuration.features = features
    configuration.featureDisabledProviders = featureDisabled.sorted()
    configuration.maxAttachmentBytes = int(["multimodal", "max_attachment_bytes"]) ?? 20 << 20
    configuration.distributed = DistributedDefaults(
      grpcHost: string(["distributed", "grpc_host"]) ?? "",
      grpcPort: int(["distributed", "grpc_port"]) ?? 50_051,
      leaseMilliseconds: int(["distributed", "lease_ms"]) ?? 10_000,
      workerMaxConcurrency: int(["distributed", "worker_max_concurrency"]) ?? 64)
    configuration.tracing = TracingSettings(
      enabled: bool(["monitoring", "traces"]) ?? false,
      endpoint: string(["monitoring", "otlp_endpoint"]) ?? "",
      otlpProtocol: string(["monitoring", "otlp_protocol"]) ?? "http/protobuf",
      serviceName: string(["monitoring", "service_name"]) ?? "ltb",
      sampleRatio: double(["monitoring", "sample_ratio"]) ?? 1)
    configuration.plugins = PluginSettings(
      directory: string(["plugins", "directory"]) ?? "",
      reloadIntervalMilliseconds: int(["plugins", "reload_interval_ms"]) ?? 1_000,
      failureLimit: int(["plugins", "failure_limit"]) ?? 20)
    /// A tracker's secret: from the file `fileKey` names (an issue when it cannot be read), else
    /// from the environment variable `variableKey` names.
    func trackerSecret(
      _ table: String, file fileKey: String, variable variableKey: String, _ fallback: String
    )
      -> (value: Secret?, origin: String, file: String?)
    {
      let base = ["integrations", table]
      if let file = string(base + [fileKey]), !file.isEmpty {
        guard let value = try? FileSecrets.shared.secret(file) else {
          issues.append(
            issue(
              base + [fileKey], "cannot read the secret file \(file)", "check the path and its permissions"))
          return (nil, "file \(file)", file)
        }
        return (value, "file \(file)", file)
      }
      let variable = string(base + [variableKey]) ?? fallback
      return (
        environment[variable].flatMap { $0.isEmpty ? nil : Secret($0) }, "environment variable \(variable)",
        nil
      )
    }
    let token = trackerSecret("mlflow", file: "token_file", variable: "token_env", "MLFLOW_TRACKING_TOKEN")
    configuration.mlflow = MLflowSettings(
      trackingURI: string(["integrations", "mlflow", "tracking_uri"]).flatMap { $0.isEmpty ? nil : $0 }
        ?? environment["MLFLOW_TRACKING_URI"] ?? "",
      experiment: string(["integrations", "mlflow", "experiment"]) ?? "",
      token: token.value, tokenFile: token.file)
    let langsmithKey = trackerSecret(
      "langsmith", file: "api_key_file", variable: "api_key_env", "LANGSMITH_API_KEY")
    configuration.langsmith = LangSmithSettings(
      apiURL: string(["integrations", "langsmith", "api_url"]).flatMap { $0.isEmpty ? nil : $0 }
        ?? environment["LANGSMITH_ENDPOINT"].flatMap { $0.isEmpty ? nil : $0 }
        ?? "https://api.smith.langchain.com",
      apiKey: langsmithKey.value, apiKeyOrigin: langsmithKey.origin, apiKeyFile: langsmithKey.file)
    let wandbKey = trackerSecret("wandb", file: "api_key_file", variable: "api_key_env", "WANDB_API_KEY")
    func setting(_ key: String, _ variable: String) -> String? {
      string(["integrations", "wandb", key]).flatMap { $0.isEmpty ? nil : $0 }
        ?? environment[variable].flatMap { $0.isEmpty ? nil : $0 }
    }
    configuration.wandb = WandbSettings(
      baseURL: setting("base_url", "WANDB_BASE_URL") ?? "https://api.wandb.ai",
      entity: setting("entity", "WANDB_ENTITY") ?? "", project: setting("project", "WANDB_PROJECT") ?? "",
      apiKey: wandbKey.value, apiKeyOrigin: wandbKey.origin, apiKeyFile: wandbKey.file)
    configuration.exports = ExportSettings(
      attempts: int(["integrations", "exports", "attempts"]) ?? 5,
      retrySeconds: int(["integrations", "exports", "retry_seconds"]) ?? 30,
      importDirectory: string(["integrations", "exports", "import_directory"]) ?? "datasets/imported")
    configuration.alertRules = alertRules.values
    configuration.alertChannels = alertChannels.values
    return (configuration, issues)
  }

  /// `[[alerts.rules]]` and `[alerts.channels.NAME]`, each problem an issue; rules must name
  /// configured channels and have unique names.
  private func alerts(
    _ document: ConfigDocument, issue: ([String], String, String) -> ConfigIssue
  ) -> (
    rules: (values: [AlertRule], issues: [ConfigIssue]),
    channels: (values: [AlertChannelSettings], issues: [ConfigIssue])
  ) {
    let reader = SuiteReader(path: "the configuration", lines: { _ in nil })
    var channels: [AlertChannelSettings] = []
    var rules: [AlertRule] = []
    var channelIssues: [ConfigIssue] = []
    var ruleIssues: [ConfigIssue] = []
    func record(_ error: any Error, _ path: [String], into issues: inout [ConfigIssue]) {
      let failure = LTBError.wrapping(error)
      let message = failure.message.replacingOccurrences(of: "the configuration: ", with: "")
      issues.append(issue(path, message, failure.fix ?? "see docs/alerts.md"))
    }
    guard let section = document.value(at: ["alerts"]) else { return (([], []), ([], [])) }
    guard case .table(let members) = section else {
      return (
        ([], [issue(["alerts"], "expected a table", "write [alerts.channels.NAME] and [[alerts.rules]]")]),
        ([], [])
      )
    }
    for key in members.keys.sorted() where key != "rules" && key != "channels" {
      ruleIssues.append(issue(["alerts", key], "unknown key '\(key)'", "[alerts] holds rules and channels"))
    }
    if case .table(let named)? = members["channels"] {
      for name in named.keys.sorted() {
        do {
          channels.append(
            try reader.alertChannel(
              name: name, SuiteLoader.json(named[name]!), ["alerts", "channels", name],
              environment: environment))
        } catch { record(error, ["alerts", "channels", name], into: &channelIssues) }
      }
    } else if members["channels"] != nil {
      channelIssues.append(issue(["alerts", "channels"], "expected tables", "write [alerts.channels.NAME]"))
    }
    let names = Set(channels.map(\.name))
    if let value = members["rules"] {
      guard case .array(let items) = value else {
        return (
          (rules, [issue(["alerts", "rules"], "expected a list of tables", "write [[alerts.rules]]")]),
          (channels, channelIssues)
        )
      }
      for (index, item) in items.enumerated() {
        let path = ["alerts", "rules", String(index)]
        do {
          let rule = try reader.alertRule(SuiteLoader.json(item), path)
          try rule.check(channels: names)
          if rules.contains(where: { $0.name == rule.name }) {
            throw LTBError(
              .invalidInput, "two rules are named '\(rule.name)'", fix: "give each rule its own name")
          }
          rules.append(rule)
        } catch { record(error, path, into: &ruleIssues) }
      }
    }
    return ((rules, ruleIssues), (channels, channelIssues))
  }
}
