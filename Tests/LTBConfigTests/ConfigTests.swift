import Foundation
import LTBConfig
import LTBCore
import Testing

/// A throwaway directory tree for one test: a working directory and a home.
struct Sandbox {
  let root: URL

  init() throws {
    root = FileManager.default.temporaryDirectory.appendingPathComponent("ltb-config-\(UUID().uuidString)")
    try FileManager.default.createDirectory(
      at: root.appendingPathComponent("work"), withIntermediateDirectories: true)
    try FileManager.default.createDirectory(
      at: root.appendingPathComponent("home/.config/ltb"), withIntermediateDirectories: true)
  }

  var work: String { root.appendingPathComponent("work").path }
  var home: String { root.appendingPathComponent("home").path }

  @discardableResult
  func write(_ relativePath: String, _ text: String) throws -> String {
    let url = root.appendingPathComponent(relativePath)
    try text.write(to: url, atomically: true, encoding: .utf8)
    return url.path
  }

  func loader(_ environment: [String: String] = [:]) -> ConfigLoader {
    ConfigLoader(environment: environment, workingDirectory: work, homeDirectory: home)
  }

  func cleanUp() { try? FileManager.default.removeItem(at: root) }
}

@Suite("Configuration layers")
struct ConfigLayerTests {
  @Test("built-in defaults: seven providers, documented timeouts, the local model")
  func defaults() throws {
    let sandbox = try Sandbox()
    defer { sandbox.cleanUp() }
    let configuration = try sandbox.loader().load()
    #expect(
      configuration.providers.map(\.name) == [
        "anthropic", "cohere", "gemini", "llamacpp", "mistral", "ollama", "openai",
      ])
    let llama = try configuration.provider("llamacpp")
    #expect(llama.kind == .llamacpp)
    #expect(llama.baseURL == "http://127.0.0.1:8088")
    #expect(llama.defaultModel == "smollm2-135m-instruct")
    let openai = try configuration.provider("openai")
    #expect(openai.connectTimeout == .seconds(10))
    #expect(openai.firstByteTimeout == .seconds(60))
    #expect(openai.totalTimeout == .seconds(300))
    #expect(openai.maxRetries == 3)
    #expect(openai.apiKey == nil)
    #expect(openai.apiKeyOrigin == "environment variable OPENAI_API_KEY")
    #expect(configuration.missingKeys.isEmpty, "untouched built-in providers without keys are not errors")
    #expect(configuration.dataDirectory == sandbox.home + "/.local/share/ltb")
    #expect(configuration.catalog.model("gpt-4.1-mini", kind: .openai)?.pricing.inputPerMillion == 0.4)
  }

  @Test("the user file applies when there is no ./ltb.toml; ./ltb.toml wins over it")
  func discoveredFiles() throws {
    let sandbox = try Sandbox()
    defer { sandbox.cleanUp() }
    try sandbox.write("home/.config/ltb/ltb.toml", "[providers.openai]\nmax_retries = 5\n")
    #expect(try sandbox.loader().load().provider("openai").maxRetries == 5)
    try sandbox.write("work/ltb.toml", "[providers.openai]\nmax_retries = 6\n")
    let configuration = try sandbox.loader().load()
    #expect(try configuration.provider("openai").maxRetries == 6)
    #expect(configuration.files == [sandbox.work + "/ltb.toml"])
  }

  @Test("XDG_CONFIG_HOME moves the user file")
  func xdgConfigHome() throws {
    let sandbox = try Sandbox()
    defer { sandbox.cleanUp() }
    try FileManager.default.createDirectory(
      atPath: sandbox.root.path + "/xdg/ltb", withIntermediateDirectories: true)
    try sandbox.write("xdg/ltb/ltb.toml", "[general]\nlog_level = \"debug\"\n")
    let configuration = try sandbox.loader(["XDG_CONFIG_HOME": sandbox.root.path + "/xdg"]).load()
    #expect(configuration.logLevel == "debug")
  }

  @Test("--config layers over ./ltb.toml key by key")
  func explicitFile() throws {
    let sandbox = try Sandbox()
    defer { sandbox.cleanUp() }
    try sandbox.write("work/ltb.toml", "[providers.openai]\nmax_retries = 6\nrequests_per_minute = 60\n")
    let extra = try sandbox.write("extra.toml", "[providers.openai]\nmax_retries = 1\n")
    let openai = try sandbox.loader().load(configFile: extra).provider("openai")
    #expect(openai.maxRetries == 1)
    #expect(openai.requestsPerMinute == 60)
  }

  @Test("environment variables win over every file, typed by the schema")
  func environmentLayer() throws {
    let sandbox = try Sandbox()
    defer { sandbox.cleanUp() }
    try sandbox.write(
      "work/ltb.toml", "[providers.my-vllm]\ntype = \"openai-compatible\"\nbase_url = \"http://a:1/v1\"\n")
    let extra = try sandbox.write("extra.toml", "[providers.openai]\nmax_retries = 1\n")
    let configuration = try sandbox.loader([
      "LTB_PROVIDERS__OPENAI__MAX_RETRIES": "7",
      "LTB_PROVIDERS__MY_VLLM__BASE_URL": "http://b:2/v1",
      "LTB_PROVIDERS__LLAMACPP__PARAMETERS__TEMPERATURE": "0.5",
      "LTB_PROVIDERS__LLAMACPP__PARAMETERS__STOP": "a, b",
      "LTB_PROVIDERS__OLLAMA__ENABLED": "false",
      "LTB_GENERAL__LOG_LEVEL": "error",
      "LTB_CACHE_DIR": "/not/a/setting/because/it/has/no/double/underscore",
    ]).load(configFile: extra)
    #expect(try configuration.provider("openai").maxRetries == 7)
    #expect(try configuration.provider("my-vllm").baseURL == "http://b:2/v1")
    #expect(try configuration.provider("llamacpp").defaultParameters.temperature == 0.5)
    #expect(try configuration.provider("llamacpp").defaultParameters.stop == ["a", "b"])
    #expect(configuration.disabledProviders == ["ollama"])
    #expect(configuration.logLevel == "error")
    #expect(
      configuration.document.origin(of: ["providers", "openai", "max_retries"])
        == .environment(variable: "LTB_PROVIDERS__OPENAI__MAX_RETRIES"))
  }

  @Test("LTB_SECTION__KEY_FILE reads the key from a mounted secret file; an unreadable one is named")
  func fileVariables() throws {
    let sandbox = try Sandbox()
    defer { sandbox.cleanUp() }
    let secret = try sandbox.write("database-url", "postgres://ltb:s3cret@db:5432/ltb\n")
    let configuration = try sandbox.loader(["LTB_STORAGE__DATABASE_FILE": secret]).load(configFile: nil)
    #expect(configuration.database == "postgres://ltb:s3cret@db:5432/ltb")
    #expect(
      configuration.document.origin(of: ["storage", "database"])
        == .environment(variable: "LTB_STORAGE__DATABASE_FILE"))
    // A key that itself ends in _file is set as written, not read.
    let keyed = try sandbox.loader(["LTB_PROVIDERS__OPENAI__API_KEY_FILE": secret]).load(configFile: nil)
    #expect(try keyed.provider("openai").apiKey == Secret("postgres://ltb:s3cret@db:5432/ltb"))
    #expect {
      try sandbox.loader(["LTB_STORAGE__DATABASE_FILE": "/no/such/secret"]).load(configFile: nil)
    } throws: { error in
      "\(error)".contains("cannot read the file '/no/such/secret'") && "\(error)".contains("storage.database")
    }
  }

  @Test("every provider setting reaches ProviderSettings")
  func everyProviderSetting() throws {
    let sandbox = try Sandbox()
    defer { sandbox.cleanUp() }
    let keyFile = try sandbox.write("key.txt", "  sk-from-file\n")
    try sandbox.write(
      "work/ltb.toml",
      """
      [providers.custom]
      type = "openai-compatible"
      base_url = "http://127.0.0.1:9000/v1"
      api_key_file = "\(keyFile)"
      default_model = "m1"
      timeout_connect_ms = 1500
      timeout_first_byte_ms = 2500
      timeout_total_ms = 3500
      max_retries = 4
      retry_base_delay_ms = 100
      retry_max_delay_ms = 900
      requests_per_minute = 120
      tokens_per_minute = 50000
      api_version = "v9"
      headers = { "X-Team" = "bench", "X-Env" = "ci" }

      [providers.custom.parameters]
      temperature = 0.3
      top_p = 0.9
      top_k = 40
      max_tokens = 128
      stop = ["###"]
      seed = 11
      presence_penalty = 0.1
      frequency_penalty = -0.2

      [providers.launched]
      type = "llamacpp"
      binary = "/opt/llama-server"
      model_path = "/models/m.gguf"
      port = 18080
      launch_args = ["--ctx-size", "2048"]
      startup_timeout_ms = 5000
      """)
    let configuration = try sandbox.loader().load()
    let custom = try configuration.provider("custom")
    #expect(custom.kind == .openaiCompatible)
    #expect(custom.apiKey == Secret("sk-from-file"))
    #expect(custom.apiKeyOrigin == "file \(keyFile)")
    #expect(custom.connectTimeout == .milliseconds(1_500))
    #expect(custom.firstByteTimeout == .milliseconds(2_500))
    #expect(custom.totalTimeout == .milliseconds(3_500))
    #expect(custom.maxRetries == 4)
    #expect(custom.retryBaseDelay == .milliseconds(100))
    #expect(custom.retryMaxDelay == .milliseconds(900))
    #expect(custom.requestsPerMinute == 120)
    #expect(custom.tokensPerMinute == 50_000)
    #expect(custom.apiVersion == "v9")
    #expect(custom.extraHeaders == ["X-Team": "bench", "X-Env": "ci"])
    #expect(
      custom.defaultParameters
        == SamplingParameters(
          temperature: 0.3, topP: 0.9, topK: 40, maxTokens: 128, stop: ["###"], seed: 11,
          presencePenalty: 0.1,
          frequencyPenalty: -0.2))
    let launched = try configuration.provider("launched")
    #expect(
      launched.launch
        == LlamaServerLaunch(
          binary: "/opt/llama-server", modelPath: "/models/m.gguf", port: 18_080,
          extraArguments: ["--ctx-size", "2048"],
          startupTimeout: .seconds(5)))
  }

  @Test("trackers' keys and tokens come from files when named (over their variables), else the variables")
  func trackerKeyFiles() throws {
    let sandbox = try Sandbox()
    defer { sandbox.cleanUp() }
    let token = try sandbox.write("mlflow.token", "tok-from-file\n")
    let langsmith = try sandbox.write("langsmith.key", "  ls-from-file ")
    try sandbox.write(
      "work/ltb.toml",
      """
      [integrations.mlflow]
      tracking_uri = "http://127.0.0.1:5000"
      token_file = "\(token)"

      [integrations.langsmith]
      api_key_file = "\(langsmith)"

      [integrations.wandb]
      api_key_env = "MY_WANDB"
      """)
    let environment = ["LANGSMITH_API_KEY": "ls-from-env", "MY_WANDB": "wb-from-env"]
    let configuration = try sandbox.loader(environment).load()
    #expect(configuration.mlflow.currentToken == Secret("tok-from-file"))
    #expect(configuration.langsmith.currentAPIKey == Secret("ls-from-file"))
    #expect(configuration.langsmith.apiKeyOrigin == "file \(langsmith)")
    #expect(configuration.wandb.currentAPIKey == Secret("wb-from-env"))
    #expect(configuration.wandb.apiKeyOrigin == "environment variable MY_WANDB")
    // A rotated file is read again (the reader looks at most every 250 ms).
    try Data("ls-rotated\n".utf8).write(to: URL(fileURLWithPath: langsmith))
    var rotated = configuration.langsmith.currentAPIKey
    for _ in 0..<40 where rotated != Secret("ls-rotated") {
      Thread.sleep(forTimeInterval: 0.05)
      rotated = configuration.langsmith.currentAPIKey
    }
    #expect(rotated == Secret("ls-rotated"))
  }

  @Test("a user models file adds models and replaces prices")
  func userCatalogue() throws {
    let sandbox = try Sandbox()
    defer { sandbox.cleanUp() }
    let models = try sandbox.write(
      "models.toml",
      """
      [openai."gpt-4.1-mini"]
      context = 1000
      input = 9.0
      output = 10.0

      [openai-compatible."my-model"]
      context = 4096
      input = 0.0
      output = 0.0
      capabilities = ["streaming"]
      """)
    try sandbox.write("work/ltb.toml", "[general]\nmodels_file = \"\(models)\"\n")
    let catalog = try sandbox.loader().load().catalog
    #expect(catalog.model("gpt-4.1-mini", kind: .openai)?.pricing.inputPerMillion == 9)
    #expect(catalog.model("my-model", kind: .openaiCompatible)?.contextLength == 4_096)
    #expect(catalog.model("gpt-4.1", kind: .openai) != nil, "built-in entries stay")
  }

  @Test("image and audio prices: the built-in catalogue's, and a user file's checked with file and line")
  func mediaPrices() throws {
    let builtIn = try ModelCatalogLoader.builtIn()
    #expect(builtIn.model("whisper-1", kind: .openai)?.pricing.audioPerMinute == 0.006)
    #expect(builtIn.model("gpt-4o-transcribe", kind: .openai)?.pricing.audioInputPerMillion == 6)
    #expect(
      builtIn.model("gpt-4o-mini", kind: .openai)?.pricing.imageTokens == .tiles(base: 2833, tile: 5667))
    #expect(builtIn.model("gpt-4.1-mini", kind: .openai)?.pricing.imageTokens == .patches(multiplier: 1.62))
    #expect(builtIn.model("gemini-2.5-flash", kind: .gemini)?.pricing.audioInputPerMillion == 1)
    let sandbox = try Sandbox()
    defer { sandbox.cleanUp() }
    let models = try sandbox.write(
      "models.toml",
      """
      [openai."my-vision"]
      context = 1000
      input = 1.0
      output = 2.0
      image_input = 3.0
      image_tokens = "tiles:85"
      audio_per_minute = -1
      """)
    try sandbox.write("work/ltb.toml", "[general]\nmodels_file = \"\(models)\"\n")
    let (_, issues) = sandbox.loader().loadCollectingIssues()
    #expect(
      issues.contains {
        $0.origin == .file(path: models, line: 6)
          && $0.problem.contains("'tiles:85' is not an image token rule")
          && $0.fix.contains("tiles:BASE:TILE")
      })
    #expect(
      issues.contains {
        $0.origin == .file(path: models, line: 7)
          && $0.problem.contains("audio_per_minute may not be negative")
      })
  }

  @Test("the documented file is config/ltb.toml, parses cleanly and restates the defaults")
  func documentedFile() throws {
    let sandbox = try Sandbox()
    defer { sandbox.cleanUp() }
    let text = ConfigSchema.documentedFile()
    let repositoryFile = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
      "../../config/ltb.toml")
    #expect(
      try String(contentsOf: repositoryFile, encoding: .utf8) == text,
      "regenerate config/ltb.toml with `ltb config init --force --path config/ltb.toml`")
    try sandbox.write("work/ltb.toml", text)
    let (fromFile, issues) = sandbox.loader().loadCollectingIssues()
    #expect(issues.isEmpty)
    let defaults = try sandbox.loader().load(configFile: nil)
    #expect(
      fromFile?.providers.map(\.name) == [
        "anthropic", "cohere", "gemini", "llamacpp", "mistral", "ollama", "openai",
      ])
    let restated = fromFile?.providers.map {
      "\($0.name) \($0.baseURL) \($0.maxRetries) \($0.totalTimeout) \($0.defaultModel ?? "")"
    }
    try FileManager.default.removeItem(atPath: sandbox.work + "/ltb.toml")
    let builtIn = try sandbox.loader().load().providers.map {
      "\($0.name) \($0.baseURL) \($0.maxRetries) \($0.totalTimeout) \($0.defaultModel ?? "")"
    }
    #expect(restated == builtIn)
    #expect(defaults.files.count == 1)
  }
}

@Suite("Configuration errors name file, line and fix")
struct ConfigValidationTests {
  func issues(_ text: String, environment: [String: String] = [:]) throws -> (
    issues: [ConfigIssue], path: String, missingKeys: [ConfigIssue]
  ) {
    let sandbox = try Sandbox()
    let path = try sandbox.write("work/ltb.toml", text)
    let (configuration, issues) = sandbox.loader(environment).loadCollectingIssues()
    return (issues, path, configuration?.missingKeys ?? [])
  }

  @Test("unknown key, with a suggestion")
  func unknownKey() throws {
    let (issues, path, _) = try issues("[providers.openai]\n\nmax_retires = 2\n")
    #expect(issues.count == 1)
    #expect(issues.first?.origin == .file(path: path, line: 3))
    #expect(issues.first?.problem == "unknown key 'max_retires' in [providers.openai]")
    #expect(issues.first?.fix == "did you mean 'max_retries'?")
  }

  @Test("unknown section")
  func unknownSection() throws {
    let (issues, path, _) = try issues("# comment\n[genral]\nlog_level = \"info\"\n")
    #expect(issues.first?.origin == .file(path: path, line: 2))
    #expect(issues.first?.fix.contains("general") == true)
  }

  @Test("wrong type")
  func wrongType() throws {
    let (issues, path, _) = try issues("[providers.openai]\nmax_retries = \"three\"\n")
    #expect(issues.first?.origin == .file(path: path, line: 2))
    #expect(issues.first?.problem == "expected an integer in 0...20, found a string")
  }

  @Test("out-of-range value")
  func outOfRange() throws {
    let (issues, path, _) = try issues("[providers.llamacpp.parameters]\ntemperature = 3.5\n")
    #expect(issues.first?.origin == .file(path: path, line: 2))
    #expect(issues.first?.problem == "3.5 is out of range")
    #expect(issues.first?.fix == "write a number in 0.0...2.0")
  }

  @Test("a value not among the choices")
  func badChoice() throws {
    let (issues, _, _) = try issues("[general]\nlog_level = \"loud\"\n")
    #expect(issues.first?.problem == "\"loud\" is not allowed")
    #expect(issues.first?.fix.contains("\"debug\"") == true)
  }

  @Test("a literal API key is refused")
  func literalKey() throws {
    let (issues, path, _) = try issues("[providers.openai]\napi_key = \"sk-123\"\n")
    #expect(issues.first?.origin == .file(path: path, line: 2))
    #expect(issues.first?.fix.contains("api_key_env") == true)
    #expect(issues.first?.description.contains("sk-123") == false)
  }

  @Test("a configured provider whose key variable is unset")
  func missingKeyVariable() throws {
    let (issues, path, missing) = try issues("[providers.anthropic]\ndefault_model = \"claude-sonnet-4-5\"\n")
    #expect(issues.isEmpty)
    #expect(missing.count == 1)
    #expect(missing.first?.problem.contains("ANTHROPIC_API_KEY is not set") == true)
    #expect(missing.first?.origin == .file(path: path, line: 1))
    let (_, _, satisfied) = try self.issues(
      "[providers.anthropic]\ndefault_model = \"x\"\n", environment: ["ANTHROPIC_API_KEY": "k"])
    #expect(satisfied.isEmpty)
  }

  @Test("a custom provider without a type")
  func missingType() throws {
    let (issues, path, _) = try issues("[providers.mine]\nbase_url = \"http://x\"\n")
    #expect(issues.first?.origin == .file(path: path, line: 1))
    #expect(issues.first?.problem == "provider 'mine' has no type")
  }

  @Test("a TOML syntax error names its line")
  func syntaxError() throws {
    let (issues, path, _) = try issues("[general]\nlog_level = \"info\"\nbroken = = 1\n")
    #expect(issues.first?.origin == .file(path: path, line: 3))
    #expect(issues.first?.problem.hasPrefix("TOML syntax error") == true)
  }

  @Test("binary without model_path, and retry_max below retry_base")
  func inconsistentSettings() throws {
    let (issues, path, _) = try issues(
      "[providers.llamacpp]\nbinary = \"/x\"\n\n[providers.openai]\nretry_base_delay_ms = 1000\nretry_max_delay_ms = 10\n"
    )
    #expect(issues.count == 2)
    #expect(
      issues.contains {
        $0.problem == "binary and model_path must be set together" && $0.origin == .file(path: path, line: 2)
      })
    #expect(
      issues.contains {
        $0.key == "providers.openai.retry_max_delay_ms" && $0.origin == .file(path: path, line: 6)
      })
  }

  @Test("a missing key file")
  func missingKeyFile() throws {
    let (issues, path, _) = try issues("[providers.openai]\napi_key_file = \"/nonexistent/key\"\n")
    #expect(issues.first?.origin == .file(path: path, line: 2))
    #expect(issues.first?.problem.contains("/nonexistent/key") == true)
  }

  @Test("a tracker's missing key or token file is named at its line")
  func missingTrackerKeyFile() throws {
    let (issues, path, _) = try issues(
      "[integrations.mlflow]\ntoken_file = \"/nonexistent/token\"\n\n[integrations.wandb]\napi_key_file = \"/nonexistent/wandb\"\n"
    )
    #expect(issues.map(\.key) == ["integrations.mlflow.token_file", "integrations.wandb.api_key_file"])
    #expect(issues.first?.origin == .file(path: path, line: 2))
    #expect(issues.last?.problem.contains("/nonexistent/wandb") == true)
  }

  @Test("an environment variable that cannot be read as its setting's type")
  func badEnvironmentValue() throws {
    let (issues, _, _) = try issues(
      "", environment: ["LTB_PROVIDERS__OPENAI__MAX_RETRIES": "many", "LTB_GENERAL__NOPE": "1"])
    #expect(issues.count == 2)
    #expect(
      issues.contains {
        $0.origin == .environment(variable: "LTB_PROVIDERS__OPENAI__MAX_RETRIES")
          && $0.problem.contains("cannot read 'many'")
      })
    #expect(
      issues.contains {
        $0.origin == .environment(variable: "LTB_GENERAL__NOPE") && $0.problem.contains("unknown key 'nope'")
      })
  }

  @Test("an unreadable --config file")
  func unreadableFile() throws {
    let sandbox = try Sandbox()
    defer { sandbox.cleanUp() }
    let (_, issues) = sandbox.loader().loadCollectingIssues(configFile: sandbox.root.path + "/missing.toml")
    #expect(issues.first?.problem.hasPrefix("cannot read the file") == true)
  }

  @Test("load() reports every problem at once as a configuration error")
  func loadThrows() throws {
    let sandbox = try Sandbox()
    defer { sandbox.cleanUp() }
    try sandbox.write("work/ltb.toml", "[providers.openai]\nmax_retries = -1\ntimeout_total_ms = 0\n")
    #expect(throws: LTBError.self) { try sandbox.loader().load() }
    do {
      _ = try sandbox.loader().load()
    } catch let error as LTBError {
      #expect(error.code == .configuration)
      #expect(error.message.contains("2 problems"))
      #expect(error.message.contains("ltb.toml:2"))
      #expect(error.message.contains("ltb.toml:3"))
    }
  }

  @Test("model catalogue errors name file and line")
  func catalogueErrors() throws {
    let sandbox = try Sandbox()
    defer { sandbox.cleanUp() }
    let models = try sandbox.write(
      "models.toml",
      "[openai.\"m\"]\ncontext = 10\ninput = \"cheap\"\noutput = 1.0\n\n[nosuch.\"x\"]\ncontext = 1\n")
    try sandbox.write("work/ltb.toml", "[general]\nmodels_file = \"\(models)\"\n")
    let (_, issues) = sandbox.loader().loadCollectingIssues()
    #expect(
      issues.contains {
        $0.origin == .file(path: models, line: 3) && $0.problem.contains("expected a number")
      })
    #expect(
      issues.contains {
        $0.origin == .file(path: models, line: 6) && $0.problem.contains("unknown protocol 'nosuch'")
      })
  }
}

@Suite("Hostile suites")
struct HostileSuiteTests {
  static func load(_ text: String) throws -> BenchmarkSuite {
    try SuiteLoader.load(text: text, origin: "the suite", directory: URL(fileURLWithPath: "/tmp"))
  }

  @Test(
    "suites nesting past the bound are refused with the line, before the YAML reader recurses",
    arguments: [
      "name: x\ndatasets: " + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000),
      "name: x\ndatasets:\n" + String(repeating: "- ", count: 100_000) + "a\n",
      "name: x\ntags: {" + String(repeating: #"a: {"#, count: 70) + "b: 1"
        + String(repeating: "}", count: 71),
      "name: x\ndatasets:\n" + (0..<600).map { String(repeating: " ", count: $0) + "- \n" }.joined(),
    ])
  func refused(_ text: String) throws {
    #expect {
      try Self.load(text)
    } throws: { error in
      (error as? LTBError)?.message.contains("nests more than 64 levels deep") == true
    }
  }

  @Test("brackets in quotes, comments and plain scalars do not count; a real suite loads")
  func notCounted() throws {
    let brackets = String(repeating: "[", count: 200)
    let suite = try Self.load(
      """
      name: "\(brackets)"
      description: '\(brackets)' # \(brackets)
      tags: [a#\(String(repeating: "b", count: 3))]
      datasets: [/dev/null]
      targets: [{ provider: llamacpp }]

      """)
    #expect(suite.name == brackets && suite.tags == ["a#bbb"])
  }
}

@Suite("Suite files")
struct SuiteLoaderTests {
  static let directory = URL(fileURLWithPath: "/tmp")

  static let yaml = """
    name: grid
    datasets: [/dev/null]
    targets:
      - { provider: llamacpp, models: [a, b], parameters: { max_tokens: 16, temperature: 0.1 } }
    matrix: { temperature: [0, 0.7], top_p: 0.9 }
    repeats: 3
    concurrency: 2
    load: { pattern: poisson, rate: 5, warmup: 2, seed: 7, sweep: { rates: [1, 2, 4], requests: 50 } }
    stop: { max_requests: 100, max_duration: 60, max_error_rate: 0.5, max_cost: 2.5 }
    slo: { ttft_ms: 500, e2e_ms: 3000, tpot_ms: 50, min_tokens_per_second: 10 }
    timeout_ms: 9000
    cache: read-write
    judge: { provider: llamacpp, model: smollm2-135m-instruct }

    """

  static let toml = """
    name = "grid"
    datasets = ["/dev/null"]
    repeats = 3
    concurrency = 2
    timeout_ms = 9000
    cache = "read-write"

    [[targets]]
    provider = "llamacpp"
    models = ["a", "b"]
    parameters = { max_tokens = 16, temperature = 0.1 }

    [matrix]
    temperature = [0, 0.7]
    top_p = 0.9

    [load]
    pattern = "poisson"
    rate = 5
    warmup = 2
    seed = 7
    sweep = { rates = [1, 2, 4], requests = 50 }

    [stop]
    max_requests = 100
    max_duration = 60
    max_error_rate = 0.5
    max_cost = 2.5

    [slo]
    ttft_ms = 500
    e2e_ms = 3000
    tpot_ms = 50
    min_tokens_per_second = 10

    [judge]
    provider = "llamacpp"
    model = "smollm2-135m-instruct"

    """

  @Test("models and matrix expand into every combination; load, sweep, stop and SLO keys are read")
  func expansion() throws {
    let suite = try SuiteLoader.load(text: Self.yaml, origin: "grid.yaml", directory: Self.directory)
    #expect(suite.targets.count == 4, "2 models × 2 temperatures × 1 top_p")
    #expect(suite.targets.map(\.model) == ["a", "a", "b", "b"])
    #expect(
      suite.targets.map(\.parameters.temperature) == [0, 0.7, 0, 0.7], "the matrix wins over the target")
    #expect(suite.targets.allSatisfy { $0.parameters.topP == 0.9 && $0.parameters.maxTokens == 16 })
    #expect(suite.repeats == 3 && suite.requestTimeoutMilliseconds == 9000 && suite.cache == .readWrite)
    #expect(
      suite.load.phases.map(\.rate) == [1, 2, 4] && suite.load.phases.allSatisfy { $0.pattern == .poisson })
    #expect(suite.load.phases.allSatisfy { $0.maxRequests == 50 && $0.concurrency == 2 })
    #expect(suite.load.warmupRequests == 2 && suite.load.seed == 7)
    #expect(suite.stop.maxRequests == 100 && suite.stop.maxDurationSeconds == 60)
    #expect(suite.stop.maxErrorRate == 0.5 && suite.stop.maxCostUSD == 2.5)
    #expect(suite.slo.maxTimeToFirstTokenMs == 500 && suite.slo.maxEndToEndMs == 3000)
    #expect(suite.slo.maxTimePerOutputTokenMs == 50 && suite.slo.minOutputTokensPerSecond == 10)
    #expect(
      suite.evaluation?.judgeProvider == "llamacpp" && suite.evaluation?.judgeModel == "smollm2-135m-instruct"
    )
  }

  @Test("a TOML suite reads as the same suite as its YAML twin")
  func tomlTwin() throws {
    let yaml = try SuiteLoader.load(text: Self.yaml, origin: "grid.yaml", directory: Self.directory)
    let toml = try SuiteLoader.load(
      text: Self.toml, origin: "grid.toml", directory: Self.directory, toml: true)
    #expect(toml == yaml)
  }

  @Test(
    "values out of range are refused with the key, from a file and from the command line alike",
    arguments: [
      ("matrix: { top_p: 5 }", "top_p"), ("repeats: 0", "repeats"), ("load: { pattern: constant }", "rate"),
      ("stop: { max_error_rate: 2 }", "max_error_rate"), ("slo: { ttft_ms: -1 }", "ttft_ms"),
      ("load: { pattern: closed-loop, sweep: { rates: [1] } }", "open-loop"),
    ])
  func outOfRange(_ line: String, _ key: String) throws {
    let text = "name: bad\ndatasets: [/dev/null]\ntargets: [{ provider: llamacpp }]\n\(line)\n"
    #expect {
      try SuiteLoader.load(text: text, origin: "bad.yaml", directory: Self.directory)
    } throws: { error in
      "\(error)".contains(key)
    }
  }

  @Test("a target's task: chat by default, transcription when named, anything else refused at its key")
  func targetTask() throws {
    let suite = try HostileSuiteTests.load(
      """
      name: speech
      datasets: [/dev/null]
      targets:
        - { provider: openai, models: [gpt-4o-transcribe, gpt-4o-mini-transcribe], task: transcription }
        - { provider: openai, model: gpt-4o-audio-preview }
      matrix: { temperature: [0, 0.5] }
      """)
    #expect(
      suite.targets.map(\.task) == [
        .transcription, .transcription, .transcription, .transcription, .chat, .chat,
      ])
    #expect {
      try HostileSuiteTests.load(
        "name: x\ndatasets: [/dev/null]\ntargets: [{ provider: openai, task: translate }]\n")
    } throws: { error in
      "\(error)".contains("'translate' is not a task") && "\(error)".contains("chat, transcription")
    }
    // A target stored before targets had a task reads as a chat target.
    let stored = try JSONDecoder().decode(
      BenchmarkTarget.self, from: Data(#"{"provider": "openai", "parameters": {}}"#.utf8))
    #expect(stored.task == .chat)
  }

  @Test("a suite changed after loading is checked with the file's ranges")
  func validateOverrides() throws {
    var suite = try SuiteLoader.load(text: Self.yaml, origin: "grid.yaml", directory: Self.directory)
    try SuiteLoader.validate(suite, origin: "the command line")
    suite.targets[0].parameters.topP = 5
    #expect {
      try SuiteLoader.validate(suite, origin: "the command line")
    } throws: { error in
      let message = (error as? LTBError)?.message ?? ""
      return message.contains("the command line") && message.contains("top_p")
        && message.contains("out of range")
    }
    suite.targets[0].parameters.topP = 0.5
    suite.stop.maxErrorRate = 3
    #expect(throws: LTBError.self) { try SuiteLoader.validate(suite, origin: "the command line") }
  }
}

@Suite("Alert rules and channels in files")
struct AlertConfigTests {
  @Test("[[alerts.rules]] and [alerts.channels]: read with units, secrets from the environment")
  func valid() throws {
    let sandbox = try Sandbox()
    defer { sandbox.cleanUp() }
    try sandbox.write(
      "work/ltb.toml",
      """
      [alerts.channels.hook]
      type = "webhook"
      url = "https://hooks.example.org/ltb"
      secret_env = "HOOK_SECRET"
      timeout_ms = 2000

      [alerts.channels.mail]
      type = "email"
      host = "smtp.example.org"
      username = "alerts"
      password_env = "MAIL_PASSWORD"
      from = "ltb@example.org"
      to = ["oncall@example.org"]

      [[alerts.rules]]
      name = "slow-ttft"
      metric = "ttft"
      threshold = 500
      window = "30s"
      for = "500ms"
      cooldown = "5m"
      provider = "openai"
      channels = ["hook", "mail"]

      [[alerts.rules]]
      name = "errors"
      metric = "error_rate"
      threshold = 0.05
      window = 200
      severity = "critical"
      """)
    let (configuration, issues) = sandbox.loader(["HOOK_SECRET": "s", "MAIL_PASSWORD": "p"])
      .loadCollectingIssues()
    #expect(issues.isEmpty, "\(issues)")
    let rules = try #require(configuration?.alertRules)
    #expect(rules.map(\.name) == ["slow-ttft", "errors"])
    #expect(rules[0].window == .seconds(30) && rules[0].forSeconds == 0.5 && rules[0].cooldownSeconds == 300)
    #expect(
      rules[0].labels.provider == "openai" && rules[0].statistic == .p99 && rules[0].severity == .warning)
    #expect(rules[1].window == .requests(200) && rules[1].severity == .critical)
    let channels = try #require(configuration?.alertChannels)
    #expect(channels.map(\.name) == ["hook", "mail"])
    #expect(channels[0].secret == "s" && channels[0].timeout == .seconds(2))
    #expect(
      channels[1].smtp?.password == "p" && channels[1].smtp?.port == 587
        && channels[1].smtp?.security == .starttls)
  }

  @Test(
    "bad rules and channels are named with their key and fix",
    arguments: [
      ("[[alerts.rules]]\nname = \"a\"\nmetric = \"ttfb\"\nthreshold = 1\n", "did you mean 'ttft'?"),
      ("[[alerts.rules]]\nname = \"a\"\nmetric = \"ttft\"\n", "every alert rule needs a threshold"),
      (
        "[[alerts.rules]]\nname = \"a\"\nmetric = \"ttft\"\nthreshold = 1\nchannels = [\"pager\"]\n",
        "no channel named 'pager'"
      ),
      (
        "[[alerts.rules]]\nname = \"a\"\nmetric = \"ttft\"\nthreshold = 1\nwindow = \"soon\"\n",
        "is not a duration"
      ),
      (
        "[[alerts.rules]]\nname = \"a\"\nmetric = \"ttft\"\ncondition = \"increase\"\nthreshold = 10\n",
        "set baseline_session"
      ),
      ("[alerts.channels.x]\ntype = \"slack\"\n", "needs an http(s) URL"),
      (
        "[alerts.channels.x]\ntype = \"webhook\"\nurl = \"http://h\"\nsecret_env = \"NOPE\"\n", "export NOPE="
      ),
      ("[alerts.channels.x]\ntype = \"email\"\nhost = \"h\"\nfrom = \"a@b\"\n", "needs host, from and to"),
    ])
  func invalid(text: String, expected: String) throws {
    let sandbox = try Sandbox()
    defer { sandbox.cleanUp() }
    try sandbox.write("work/ltb.toml", text)
    let (_, issues) = sandbox.loader().loadCollectingIssues()
    #expect(issues.count == 1, "\(issues)")
    #expect(issues.first.map { "\($0)".contains(expected) } == true, "\(issues)")
    #expect(issues.first?.key.hasPrefix("alerts.") == true)
  }

  @Test("a suite's alerts: read and checked; two rules with one name are refused")
  func suite() throws {
    let sandbox = try Sandbox()
    defer { sandbox.cleanUp() }
    try sandbox.write("work/cases.jsonl", #"{"id": "a", "prompt": "q"}"#)
    let folder = URL(fileURLWithPath: sandbox.work)
    let text = """
      datasets: [cases.jsonl]
      targets: [{ provider: p }]
      alerts:
        - { name: slow, metric: e2e, statistic: p95, threshold: 2000, window: 50 }
      """
    let suite = try SuiteLoader.load(text: text, origin: "s.yaml", directory: folder)
    #expect(suite.alerts.map(\.summary) == ["e2e p95 above 2000 ms"])
    let twice = text + "\n  - { name: slow, metric: ttft, threshold: 1 }\n"
    #expect {
      try SuiteLoader.load(text: twice, origin: "s.yaml", directory: folder)
    } throws: { error in
      (error as? LTBError)?.message.contains("two rules are named 'slow'") == true
    }
  }
}

@Suite("[monitoring]")
struct ObservabilityConfigTests {
  @Test("tracing is off by default; the table and LTB_MONITORING__* reach TracingSettings")
  func tracingSettings() throws {
    let sandbox = try Sandbox()
    defer { sandbox.cleanUp() }
    #expect(try sandbox.loader().load().tracing == TracingSettings())
    #expect(TracingSettings().enabled == false)
    try sandbox.write(
      "work/ltb.toml",
      """
      [monitoring]
      traces = true
      otlp_endpoint = "http://collector:4318"
      otlp_protocol = "grpc"
      service_name = "bench-eu"
      sample_ratio = 0.25

      """)
    let configured = try sandbox.loader(["LTB_MONITORING__SAMPLE_RATIO": "0.5"]).load()
    #expect(
      configured.tracing
        == TracingSettings(
          enabled: true, endpoint: "http://collector:4318", otlpProtocol: "grpc", serviceName: "bench-eu",
          sampleRatio: 0.5))
  }

  @Test("a wrong protocol or ratio is refused with the allowed values")
  func invalid() throws {
    let protocolIssues = try ConfigValidationTests().issues("[monitoring]\notlp_protocol = \"udp\"\n")
      .issues
    #expect(protocolIssues.first?.problem == "\"udp\" is not allowed")
    #expect(protocolIssues.first?.fix.contains("http/protobuf") == true)
    let ratioIssues = try ConfigValidationTests().issues("[monitoring]\nsample_ratio = 2\n").issues
    #expect(
      ratioIssues.first?.problem == "2 is out of range" || ratioIssues.first?.problem == "2.0 is out of range"
    )
    let keyIssues = try ConfigValidationTests().issues("[monitoring]\ntrace = true\n").issues
    #expect(keyIssues.first?.fix == "did you mean 'traces'?")
  }
}
