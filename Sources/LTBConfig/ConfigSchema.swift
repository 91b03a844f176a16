public import LTBCore

/// Every setting LLM Test Bench reads, with its type, default and meaning: the source of
/// `ltb config init`, of `config/ltb.toml`, and of validation.
public enum ConfigSchema {
  /// `[general]`.
  public static let general: [SettingSpec] = [
    SettingSpec(
      "data_dir", .string, default: .string(""),
      "Where results and caches live; empty means $XDG_DATA_HOME/ltb or ~/.local/share/ltb."),
    SettingSpec(
      "log_level", .choice(["trace", "debug", "info", "notice", "warning", "error", "critical"]),
      default: .string("info"),
      "Log verbosity on stderr (`ltb serve` writes one access-log line per request at info)."),
    SettingSpec(
      "models_file", .string, default: .string(""),
      "A TOML model catalogue merged over the built-in one (same format as config/models.toml); empty for none."
    ),
  ]

  /// `[evaluation]`: who grades model-graded metrics and embeds for embedding similarity when a
  /// suite names no `judge:` or `embedding:` of its own (a suite wins over these, and
  /// `--judge` / `--embedding` win over both).
  public static let evaluation: [SettingSpec] = [
    SettingSpec(
      "judge", .string, default: .string(""),
      "The default judge, PROVIDER or PROVIDER/MODEL (e.g. llamacpp/smollm2-135m-instruct); empty for none."),
    SettingSpec("judge_temperature", .float(0...2), default: .double(0), "The judge's sampling temperature."),
    SettingSpec(
      "embedder", .string, default: .string(""),
      "The default embedding provider for embedding-similarity, PROVIDER or PROVIDER/MODEL; empty for none."),
  ]

  /// `[storage]`: where sessions and results live.
  public static let storage: [SettingSpec] = [
    SettingSpec(
      "database", .string, default: .string(""),
      "Where sessions and results are stored: sqlite:PATH or postgres://user:password@host:5432/db; empty means sqlite:DATA_DIR/ltb.sqlite."
    )
  ]

  /// `[monitoring]` (formerly `[observability]`): OpenTelemetry traces over OTLP. The standard
  /// `OTEL_*` environment variables win over these (`OTEL_EXPORTER_OTLP_ENDPOINT`,
  /// `OTEL_SERVICE_NAME`, `OTEL_TRACES_SAMPLER`, ...); see docs/observability.md. Prometheus
  /// metrics are always served at `/metrics`; alert rules live in `[alerts]`.
  public static let monitoring: [SettingSpec] = [
    SettingSpec(
      "traces", .boolean, default: .bool(false),
      "Export OpenTelemetry traces (API requests, sessions, tasks, provider calls, evaluations, database calls)."
    ),
    SettingSpec(
      "otlp_endpoint", .string, default: .string(""),
      "The OTLP collector's base URL, e.g. http://127.0.0.1:4318 (/v1/traces is appended for HTTP); empty for the protocol's default."
    ),
    SettingSpec(
      "otlp_protocol", .choice(["http/protobuf", "http/json", "grpc"]), default: .string("http/protobuf"),
      "How spans are exported."),
    SettingSpec("service_name", .string, default: .string("ltb"), "The service.name resource attribute."),
    SettingSpec(
      "sample_ratio", .float(0...1), default: .double(1),
      "The share of new traces kept; a request that arrives with a sampled traceparent is always kept."),
  ]

  /// `[plugins]`: WebAssembly plugins (docs/plugins.md).
  public static let plugins: [SettingSpec] = [
    SettingSpec(
      "directory", .string, default: .string(""),
      "Where installed plugins' files live; empty means DATA_DIR/plugins."),
    SettingSpec(
      "reload_interval_ms", .integer(100...3_600_000), default: .int(1_000),
      "How often ltb serve picks up plugins installed, replaced, configured or removed elsewhere."),
    SettingSpec(
      "failure_limit", .integer(1...1_000_000), default: .int(20),
      "Consecutive failures (traps, exhausted fuel, timeouts, broken answers) after which a plugin is disabled."
    ),
  ]

  /// `[distributed]`: the coordinator of distributed runs and its workers (docs/distributed.md);
  /// the command-line flags of `ltb serve`, `ltb coordinator` and `ltb worker` win over these.
  public static let distributed: [SettingSpec] = [
    SettingSpec(
      "grpc_host", .string, default: .string(""),
      "The address the coordinator's gRPC server listens on; empty: the server's host, or 127.0.0.1."),
    SettingSpec(
      "grpc_port", .integer(0...65_535), default: .int(50_051),
      "The coordinator's gRPC port; 0 picks a free one."),
    SettingSpec(
      "lease_ms", .integer(100...3_600_000), default: .int(10_000),
      "How long a worker holds a task without renewing before it goes back to the queue."),
    SettingSpec(
      "worker_max_concurrency", .integer(1...100_000), default: .int(64),
      "The most tasks one worker sends at once."),
  ]

  /// `[multimodal]`: image and audio attachments in cases (with `[features] multimodal`).
  public static let multimodal: [SettingSpec] = [
    SettingSpec(
      "max_attachment_bytes", .integer(1_024...1_073_741_824), default: .int(20 << 20),
      "The largest image or audio file a case may attach; a larger one is refused when the suite is created."
    )
  ]

  /// `[features]`: whole subsystems switched on or off (spec 11.2); a disabled feature is absent
  /// everywhere: its commands, GraphQL fields, REST routes and background work.
  public static let features: [SettingSpec] = FeatureFlags.Feature.allCases.map { feature in
    SettingSpec(
      feature.rawValue, .boolean, default: .bool(feature.isEnabledByDefault),
      {
        switch feature {
        case .multimodal: "Image and audio attachments in cases."
        case .plugins:
          "WebAssembly plugins: ltb plugins, their API fields and routes, the watcher, plugin metrics."
        case .distributed:
          "Distributed runs: ltb worker, ltb coordinator, the coordinator in ltb serve, the worker API."
        case .realtime: "GraphQL subscriptions and the WebSocket endpoint (the live dashboard page)."
        case .graphql: "The /graphql endpoint, its explorer and the dashboard; the REST shim stays."
        case .newProviders: "The phase 5 providers: gemini, cohere, mistral, ollama, llamacpp, langserve."
        }
      }())
  }

  /// `[integrations.mlflow]`: exporting sessions to an MLflow tracking server.
  public static let mlflow: [SettingSpec] = [
    SettingSpec(
      "tracking_uri", .string, default: .string(""),
      "The tracking server (http://host:5000); empty: the MLFLOW_TRACKING_URI variable, else not configured."),
    SettingSpec(
      "experiment", .string, default: .string(""),
      "The experiment sessions are logged into; empty: one per suite, named after it."),
    SettingSpec(
      "token_env", .string, default: .string("MLFLOW_TRACKING_TOKEN"),
      "Environment variable holding a bearer token, when the server wants one."),
    SettingSpec(
      "token_file", .string, default: nil,
      "File whose contents are the token (read again when it changes); takes precedence over token_env."),
  ]

  /// `[integrations.langsmith]`: reading datasets from LangSmith (`ltb dataset import --from langsmith`).
  public static let langsmith: [SettingSpec] = [
    SettingSpec(
      "api_url", .string, default: .string(""),
      "The LangSmith API; empty: the LANGSMITH_ENDPOINT variable, else https://api.smith.langchain.com."),
    SettingSpec(
      "api_key_env", .string, default: .string("LANGSMITH_API_KEY"),
      "Environment variable holding the API key (sent as x-api-key)."),
    SettingSpec(
      "api_key_file", .string, default: nil,
      "File whose contents are the API key (read again when it changes); takes precedence over api_key_env."),
  ]

  /// `[integrations.wandb]`: exporting sessions to Weights & Biases (`ltb export --to wandb`).
  public static let wandb: [SettingSpec] = [
    SettingSpec(
      "base_url", .string, default: .string(""),
      "The W&B server; empty: the WANDB_BASE_URL variable, else https://api.wandb.ai."),
    SettingSpec(
      "entity", .string, default: .string(""),
      "The user or team runs go to; empty: the WANDB_ENTITY variable, else the key's default entity."),
    SettingSpec(
      "project", .string, default: .string(""),
      "The project; empty: the WANDB_PROJECT variable, else one per suite, named after it."),
    SettingSpec(
      "api_key_env", .string, default: .string("WANDB_API_KEY"), "Environment variable holding the API key."),
    SettingSpec(
      "api_key_file", .string, default: nil,
      "File whose contents are the API key (read again when it changes); takes precedence over api_key_env."),
  ]

  /// `[integrations.exports]`: how exports to trackers are retried, and where imported datasets go.
  public static let exports: [SettingSpec] = [
    SettingSpec(
      "attempts", .integer(1...100), default: .int(5),
      "Attempts at an export the API asked for before it is marked failed (each attempt retries its requests)."
    ),
    SettingSpec(
      "retry_seconds", .integer(1...86_400), default: .int(30),
      "Wait before the second attempt; it doubles for each further one."),
    SettingSpec(
      "import_directory", .string, default: .string("datasets/imported"),
      "Where the importDataset mutation writes the datasets it pulls (relative to the working directory)."),
  ]

  /// `[server]`: every `ltb serve` setting (its flags win over them).
  public static let server: [SettingSpec] = [
    SettingSpec("host", .string, default: .string("127.0.0.1"), "The address to listen on."),
    SettingSpec("port", .integer(1...65_535), default: .int(8080), "The port to listen on."),
    SettingSpec(
      "migrate", .boolean, default: .bool(true),
      "Apply pending migrations at start; false refuses to start while any is pending (--no-migrate)."),
    SettingSpec(
      "max_body_bytes", .integer(1_024...1_073_741_824), default: .int(1 << 20),
      "The largest request body in bytes."),
    SettingSpec(
      "init_timeout_ms", .integer(100...600_000), default: .int(10_000),
      "Milliseconds a WebSocket client has to send connection_init."),
    SettingSpec(
      "max_depth", .integer(2...1_000), default: .int(12), "The deepest GraphQL selection allowed."),
    SettingSpec(
      "max_complexity", .integer(10...100_000_000), default: .int(20_000),
      "The largest estimated number of fields one query may resolve."),
    SettingSpec(
      "request_timeout_ms", .integer(10...3_600_000), default: .int(30_000),
      "Milliseconds one GraphQL operation may take."),
    SettingSpec(
      "introspection", .boolean, default: .bool(true),
      "Answer introspection queries (__schema, __type); false refuses them (--no-introspection)."),
    SettingSpec(
      "cors_origins", .stringArray, default: .array([]),
      "Browser origins allowed by CORS, e.g. [\"https://dash.example.org\"]; empty means same origin only."),
    SettingSpec(
      "rate_limit", .float(0...1_000_000), default: .double(10),
      "Requests per second per identity and per address; 0 turns limiting off."),
    SettingSpec("rate_burst", .float(1...1_000_000), default: .double(20), "The largest burst of requests."),
    SettingSpec(
      "access_token_ttl", .integer(10...86_400), default: .int(900), "Seconds an access token lives."),
    SettingSpec("refresh_token_days", .integer(1...365), default: .int(30), "Days a refresh token lives."),
    SettingSpec("token_issuer", .string, default: .string("ltb"), "The issuer (iss) of access tokens."),
    SettingSpec(
      "token_audience", .string, default: .string("ltb-api"), "The audience (aud) of access tokens."),
    SettingSpec(
      "jwt_secret_file", .string, default: nil,
      "A file holding the token signing secret (else LTB_JWT_SECRET or LTB_JWT_SECRET_FILE); never the secret itself."
    ),
    SettingSpec(
      "oidc_issuer", .string, default: nil,
      "An OpenID Connect issuer URL: enables sign-in at /api/v1/auth/oidc/login."),
    SettingSpec("oidc_client_id", .string, default: nil, "The OpenID Connect client id."),
    SettingSpec(
      "oidc_client_secret_file", .string, default: nil,
      "A file holding the OpenID Connect client secret (else LTB_OIDC_CLIENT_SECRET)."),
    SettingSpec(
      "oidc_redirect_uri", .string, default: nil,
      "The redirect URI registered with the provider; defaults to this server's /api/v1/auth/oidc/callback."),
    SettingSpec(
      "oidc_role_claim", .string, default: .string("ltb_role"), "The ID token claim naming the role."),
    SettingSpec(
      "oidc_default_role", .choice(["admin", "user", "viewer"]), default: .string("viewer"),
      "The role of users whose token names none."),
    SettingSpec(
      "argon2_memory_kib", .integer(1_024...4_194_304), default: .int(19_456), "argon2id memory in KiB."),
    SettingSpec("argon2_iterations", .integer(1...100), default: .int(2), "argon2id passes."),
    SettingSpec("argon2_parallelism", .integer(1...64), default: .int(1), "argon2id lanes."),
  ]

  /// `[providers.NAME]`.
  public static let provider: [SettingSpec] = [
    SettingSpec(
      "type", .choice(ProviderKind.allCases.map(\.rawValue)), default: nil,
      "Wire protocol; defaults to the table's name when that names a protocol (openai, anthropic, ...)."),
    SettingSpec("enabled", .boolean, default: .bool(true), "Whether the provider is registered at all."),
    SettingSpec("base_url", .string, default: nil, "API address; defaults to the vendor's public endpoint."),
    SettingSpec(
      "api_key_env", .string, default: nil,
      "Environment variable that holds the API key (keys never go in this file)."),
    SettingSpec(
      "api_key_file", .string, default: nil,
      "File whose contents are the API key (e.g. a mounted Kubernetes secret)."),
    SettingSpec(
      "api_version", .string, default: nil, "Vendor API version where one is sent (Anthropic: 2023-06-01)."),
    SettingSpec("default_model", .string, default: nil, "Model used when a request names none."),
    SettingSpec(
      "input_key", .string, default: nil,
      "LangServe: the member of the chain's input object that gets the prompt (unset: the input is the messages)."
    ),
    SettingSpec(
      "timeout_connect_ms", .integer(1...600_000), default: .int(10_000), "Connection establishment limit."),
    SettingSpec(
      "timeout_first_byte_ms", .integer(1...3_600_000), default: .int(60_000),
      "Limit from sending a request to the first byte of the answer's body."),
    SettingSpec(
      "timeout_total_ms", .integer(1...86_400_000), default: .int(300_000), "Limit for one whole attempt."),
    SettingSpec(
      "max_retries", .integer(0...20), default: .int(3),
      "Retries of rate limits (429), server errors (5xx) and network errors."),
    SettingSpec(
      "retry_base_delay_ms", .integer(0...600_000), default: .int(500),
      "First backoff delay; doubles per retry, with jitter."),
    SettingSpec(
      "retry_max_delay_ms", .integer(0...3_600_000), default: .int(30_000),
      "Longest backoff, and longest Retry-After waited out (longer ones fail at once)."),
    SettingSpec(
      "requests_per_minute", .integer(0...10_000_000), default: .int(0),
      "Client-side request rate limit; 0 = none."),
    SettingSpec(
      "tokens_per_minute", .integer(0...1_000_000_000), default: .int(0),
      "Client-side token rate limit (prompt estimate + max_tokens); 0 = none."),
    SettingSpec("headers", .stringTable, default: nil, "Extra HTTP headers sent with every request."),
    SettingSpec(
      "binary", .string, default: nil,
      "llamacpp only: launch this llama-server binary instead of attaching to base_url."),
    SettingSpec(
      "model_path", .string, default: nil, "llamacpp only: the GGUF model the launched server loads."),
    SettingSpec(
      "port", .integer(0...65_535), default: nil,
      "llamacpp only: port of the launched server; 0 picks a free one."),
    SettingSpec("launch_args", .stringArray, default: nil, "llamacpp only: further llama-server arguments."),
    SettingSpec(
      "startup_timeout_ms", .integer(100...3_600_000), default: nil,
      "llamacpp only: how long a launched server may take to become healthy."),
  ]

  /// `[providers.NAME.parameters]`: sampling defaults for requests that leave them unset.
  public static let parameters: [SettingSpec] = [
    SettingSpec("temperature", .float(0...2), default: nil, "Sampling temperature."),
    SettingSpec("top_p", .float(0...1), default: nil, "Nucleus sampling mass."),
    SettingSpec("top_k", .integer(0...100_000), default: nil, "Top-k sampling (where supported)."),
    SettingSpec("max_tokens", .integer(1...10_000_000), default: nil, "Most tokens to generate."),
    SettingSpec("stop", .stringArray, default: nil, "Stop sequences."),
    SettingSpec("seed", .integer(Int.min...Int.max), default: nil, "Sampling seed (where supported)."),
    SettingSpec("presence_penalty", .float(-2...2), default: nil, "Presence penalty."),
    SettingSpec("frequency_penalty", .float(-2...2), default: nil, "Frequency penalty."),
  ]

  /// The providers configured out of the box, with their default models.
  public static let builtInProviders: [(name: String, kind: ProviderKind, defaultModel: String)] = [
    ("openai", .openai, "gpt-4.1-mini"),
    ("anthropic", .anthropic, "claude-haiku-4-5"),
    ("gemini", .gemini, "gemini-2.5-flash"),
    ("cohere", .cohere, "command-a-03-2025"),
    ("mistral", .mistral, "mistral-small-latest"),
    ("ollama", .ollama, "llama3.2"),
    ("llamacpp", .llamacpp, "smollm2-135m-instruct"),
  ]

  /// The version of the configuration format this build reads and writes (`version = 5`).
  public static let currentVersion = 5

  /// The plain tables of settings, in the order `ltb config init` writes them.
  public static let tables: [(path: [String], specs: [SettingSpec])] = [
    (["general"], general), (["storage"], storage), (["evaluation"], evaluation), (["server"], server),
    (["monitoring"], monitoring), (["plugins"], plugins), (["distributed"], distributed),
    (["multimodal"], multimodal), (["features"], features), (["integrations", "mlflow"], mlflow),
    (["integrations", "langsmith"], langsmith), (["integrations", "wandb"], wandb),
    (["integrations", "exports"], exports),
  ]

  /// The top-level tables.
  public static let sections = [
    "general", "storage", "evaluation", "server", "monitoring", "plugins", "distributed", "multimodal",
    "features", "integrations", "providers", "alerts",
  ]

  /// The built-in defaults as a configuration layer.
  public static func defaults() -> [String: ConfigValue] {
    var document = ConfigDocument()
    for (path, specs) in tables {
      for spec in specs {
        if let value = spec.defaultValue { document.set(value, at: path + [spec.key]) { _ in .builtIn } }
      }
    }
    for builtIn in builtInProviders {
      document.set(
        .table(providerDefaults(kind: builtIn.kind, defaultModel: builtIn.defaultModel)),
        at: ["providers", builtIn.name]
      ) { _ in .builtIn }
    }
    guard case .table(let root)? = document.value(at: []) else { return [:] }
    return root
  }

  /// The defaults of one provider of `kind`.
  public static func providerDefaults(kind: ProviderKind, defaultModel: String?) -> [String: ConfigValue] {
    var table: [String: ConfigValue] = [:]
    for spec in provider { table[spec.key] = spec.defaultValue }
    table["type"] = .string(kind.rawValue)
    table["base_url"] = .string(kind.defaultBaseURL)
    if let variable = kind.defaultAPIKeyEnvironmentVariable { table["api_key_env"] = .string(variable) }
    if kind == .anthropic { table["api_version"] = .string("2023-06-01") }
    if let defaultModel { table["default_model"] = .string(defaultModel) }
    return table
  }

  /// The spec of the setting at `path`, or why there is none (with close matches).
  public static func spec(at path: [String]) -> Result<SettingSpec, ConfigLookupFailure> {
    if path == ["version"] {
      return .success(
        SettingSpec(
          "version", .integer(1...1_000), default: nil,
          "The configuration format's version: \(currentVersion) for this ltb."))
    }
    if let table = tables.first(where: { $0.path == Array(path.dropLast()) }) {
      return lookup(path[path.count - 1], in: table.specs, table: "[\(table.path.joined(separator: "."))]")
    }
    switch path.count {
    case 2 where path[0] == "integrations":
      return .failure(
        unknown(path[1], known: ["mlflow", "langsmith", "wandb", "exports"], table: "[integrations]"))
    case 3 where path[0] == "providers":
      if path[2] == "api_key" {
        return .failure(
          ConfigLookupFailure(
            problem: "API keys may not be written in configuration files",
            fix:
              "put the key in an environment variable and set api_key_env, or in a file and set api_key_file")
        )
      }
      return lookup(path[2], in: provider, table: "[providers.\(path[1])]", extra: ["parameters"])
    case 4 where path[0] == "providers" && path[2] == "parameters":
      return lookup(path[3], in: parameters, table: "[providers.\(path[1]).parameters]")
    case 4 where path[0] == "providers" && path[2] == "headers":
      return .success(SettingSpec(path[3], .string, default: nil, "An extra HTTP header."))
    case 1:
      return .failure(unknown(path[0], known: sections + ["version"], table: "the top level"))
    default:
      return .failure(
        ConfigLookupFailure(problem: "unknown setting", fix: "see `ltb config init` for every setting"))
    }
  }

  private static func lookup(_ key: String, in specs: [SettingSpec], table: String, extra: [String] = [])
    -> Result<SettingSpec, ConfigLookupFailure>
  {
    if let spec = specs.first(where: { $0.key == key }) { return .success(spec) }
    return .failure(unknown(key, known: specs.map(\.key) + extra, table: table))
  }

  private static func unknown(_ key: String, known: [String], table: String) -> ConfigLookupFailure {
    if let suggestion = EditDistance.suggestion(for: key, among: known) {
      return ConfigLookupFailure(
        problem: "unknown key '\(key)' in \(table)", fix: "did you mean '\(suggestion)'?")
    }
    return ConfigLookupFailure(
      problem: "unknown key '\(key)' in \(table)", fix: "known keys: \(known.joined(separator: ", "))")
  }
}

/// Why a key path names no setting, and what to do.
public struct ConfigLookupFailure: Error, Sendable {
  /// What is wrong.
  public var problem: String
  /// What to do.
  public var fix: String
}
