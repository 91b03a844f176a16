import LTBCore

extension ConfigSchema {
  /// The fully documented configuration file that `ltb config init` writes and that
  /// `config/ltb.toml` holds: every setting, its meaning, its type and its default.
  public static func documentedFile() -> String {
    var lines: [String] = [
      "# LLM Test Bench configuration: every setting, with its default.",
      "#",
      "# Layers, later ones winning: built-in defaults -> ./ltb.toml (or ~/.config/ltb/ltb.toml)",
      "# -> --config FILE -> environment variables LTB_<SECTION>__<KEY>, nested keys joined by a",
      "# double underscore: LTB_PROVIDERS__OPENAI__MAX_RETRIES=5, LTB_GENERAL__LOG_LEVEL=debug.",
      "# Renamed keys still work until the next major version, with a warning naming the new key:",
      "# [observability] is now [monitoring], general.database is now storage.database.",
      "# A file from the earlier Rust LLM Test Bench converts with `ltb config migrate OLD.toml`.",
      "# API keys never go in this file: name an environment variable (api_key_env) or a file",
      "# (api_key_file). Every setting below is shown commented out with its default value:",
      "# uncomment a line to change it. Settings shown as `# key =` are unset by default.",
      "",
      "version = \(currentVersion)",
    ]
    for (path, specs) in tables {
      lines += ["", "[\(path.joined(separator: "."))]"]
      for spec in specs { lines += render(spec) }
    }
    for builtIn in builtInProviders {
      lines += ["", "[providers.\(builtIn.name)]"]
      let defaults = providerDefaults(kind: builtIn.kind, defaultModel: builtIn.defaultModel)
      for var spec in provider where appliesTo(spec.key, kind: builtIn.kind) && spec.kind.isTable == false {
        spec.defaultValue = defaults[spec.key]
        lines += render(spec)
      }
      lines += render(provider.first { $0.key == "headers" }!)
      lines += ["", "[providers.\(builtIn.name).parameters]"]
      for spec in parameters { lines += render(spec) }
    }
    lines += [
      "",
      "# Any number of further providers, e.g. an OpenAI-compatible server:",
      "# [providers.my-vllm]",
      "# type = \"openai-compatible\"",
      "# base_url = \"http://127.0.0.1:8000/v1\"",
      "# default_model = \"meta-llama/Llama-3.1-8B-Instruct\"",
      "",
      "# Or a llama.cpp server that ltb launches itself:",
      "# [providers.smollm2-launched]",
      "# type = \"llamacpp\"",
      "# binary = \"/root/.cache/ltb/llama.cpp-0.3.36/build/bin/llama-server\"",
      "# model_path = \"/root/.cache/ltb/models/SmolLM2-135M-Instruct.Q4_1.gguf\"",
      "# default_model = \"smollm2-135m-instruct\"",
      "",
      "# Alerts (none by default): notification channels, then rules that name them.",
      "# [alerts.channels.am]          # Prometheus Alertmanager's v2 API",
      "# type = \"alertmanager\"",
      "# url = \"http://127.0.0.1:9093\"",
      "# [alerts.channels.hook]        # signed JSON POST (X-LTB-Signature, X-LTB-Timestamp)",
      "# type = \"webhook\"",
      "# url = \"https://hooks.example.org/ltb\"",
      "# secret_env = \"LTB_HOOK_SECRET\"",
      "# [alerts.channels.slack]       # type = \"slack\", url = an incoming webhook",
      "# [alerts.channels.mail]        # type = \"email\": host, port (587), security (starttls or none),",
      "#                               # ca_file, username, password_env, from, to = [...]",
      "# Common to channels: timeout_ms (10000), max_attempts (5).",
      "#",
      "# [[alerts.rules]]",
      "# name = \"slow-ttft\"",
      "# metric = \"ttft\"               # error_rate ttft e2e itl throughput goodput cost score queue_depth worker_heartbeat_age",
      "# statistic = \"p99\"            # p50 p90 p95 p99 mean min max (ttft, e2e, itl, score)",
      "# condition = \"above\"          # above below; increase decrease (percent, with baseline_session)",
      "# threshold = 500",
      "# window = \"30s\"               # or a number of requests (default 100)",
      "# for = \"30s\"                  # how long it must hold (default 0)",
      "# min_samples = 10",
      "# severity = \"critical\"       # info warning (default) error critical",
      "# cooldown = \"5m\"",
      "# channels = [\"am\", \"hook\"]",
      "# Optional: score (the evaluation metric), session, provider, model, message, enabled.",
    ]
    return lines.joined(separator: "\n") + "\n"
  }

  private static let llamaOnlyKeys: Set<String> = [
    "binary", "model_path", "port", "launch_args", "startup_timeout_ms",
  ]

  private static func appliesTo(_ key: String, kind: ProviderKind) -> Bool {
    kind == .llamacpp || !llamaOnlyKeys.contains(key)
  }

  private static func render(_ spec: SettingSpec) -> [String] {
    let comment = "# \(spec.summary) (\(spec.expectation))"
    guard let value = spec.defaultValue else { return [comment, "# \(spec.key) ="] }
    return [comment, "# \(spec.key) = \(value)"]
  }
}

extension SettingSpec.Kind {
  var isTable: Bool {
    if case .stringTable = self { return true }
    return false
  }
}
