public import Foundation
public import LTBCore

/// Reads the configuration of the earlier Rust LLM Test Bench (phases 1-4: `config.toml` with
/// `[providers.NAME]`, `[benchmarks]`, `[evaluation]`, `[orchestration]`, `[analytics]`,
/// `[dashboard]`, and `LLM_TEST_BENCH_SECTION__KEY` variables) as settings of this one: every
/// key is mapped or dropped with the reason. Secret values are never carried over, only the
/// names of the variables that hold them.
public enum RustBenchConfig {
  /// One setting carried over.
  public struct Mapped: Sendable, Hashable {
    /// The path in `ltb.toml`.
    public var path: [String]
    /// The value.
    public var value: ConfigValue
    /// The old key(s) it came from, and how, for the report.
    public var note: String
  }

  /// One old key left behind, and why.
  public struct Dropped: Error, Sendable, Hashable {
    /// The old key, dotted.
    public var key: String
    /// Why it has no equivalent, and what to do instead.
    public var reason: String
  }

  /// The outcome of converting a whole file.
  public struct Migration: Sendable {
    /// The settings carried over.
    public var mapped: [Mapped] = []
    /// The keys left behind.
    public var dropped: [Dropped] = []

    /// An `ltb.toml` holding the mapped settings, with the dropped keys listed in comments.
    public func document(source: String) -> String {
      var lines = [
        "# Converted from the Rust LLM Test Bench configuration \(source) by `ltb config migrate`.",
        "# Every setting not written here keeps its default (see `ltb config init`).",
        "",
        "version = \(ConfigSchema.currentVersion)",
      ]
      let tables = Dictionary(grouping: mapped) { Array($0.path.dropLast()) }
      for table in tables.keys.sorted(by: { $0.joined(separator: ".") < $1.joined(separator: ".") }) {
        lines += ["", "[\(table.joined(separator: "."))]"]
        for item in tables[table]!.sorted(by: { $0.path.last! < $1.path.last! }) {
          lines.append("\(item.path.last!) = \(item.value)  # \(item.note)")
        }
      }
      if !dropped.isEmpty {
        lines += ["", "# Not carried over:"]
        for item in dropped { lines.append("#   \(item.key): \(item.reason)") }
      }
      return lines.joined(separator: "\n") + "\n"
    }
  }

  /// The protocol each of that project's provider names speaks here.
  static let providerKinds: [String: ProviderKind] = [
    "openai": .openai, "anthropic": .anthropic, "google": .gemini, "gemini": .gemini, "cohere": .cohere,
    "mistral": .mistral, "ollama": .ollama, "groq": .openaiCompatible, "together": .openaiCompatible,
    "openrouter": .openaiCompatible, "perplexity": .openaiCompatible, "fireworks": .openaiCompatible,
    "deepseek": .openaiCompatible, "xai": .openaiCompatible, "llamacpp": .llamacpp,
  ]

  /// Converts a parsed `config.toml`.
  public static func migrate(_ values: [String: ConfigValue]) -> Migration {
    var migration = Migration()
    var document = ConfigDocument()
    document.merge(values) { _ in .builtIn }
    let leaves = document.leaves.keys.sorted { $0.joined(separator: ".") < $1.joined(separator: ".") }
    let judgeModel = document.leaves[["evaluation", "llm_judge_model"]]?.stringText
    let judgeProvider = document.leaves[["evaluation", "llm_judge_provider"]]?.stringText
    var dropProviders: Set<String> = []
    for path in leaves where path.first == "providers" && path.count >= 2 && providerKinds[path[1]] == nil {
      if dropProviders.insert(path[1]).inserted {
        migration.dropped.append(
          Dropped(
            key: "providers.\(path[1])",
            reason:
              "no protocol here is known to match '\(path[1])'; if it speaks the OpenAI API, add it with type = \"openai-compatible\""
          ))
      }
    }
    for path in leaves {
      if path.first == "providers", path.count >= 2, dropProviders.contains(path[1]) { continue }
      switch map(path, document.leaves[path]!, judge: (judgeProvider, judgeModel)) {
      case .success(let items): migration.mapped += items
      case .failure(let dropped): migration.dropped.append(dropped)
      }
    }
    // `global_timeout_seconds` overrides every provider's own timeout.
    if case .int(let seconds)? = document.leaves[["global_timeout_seconds"]] {
      let names = Set(leaves.filter { $0.first == "providers" && $0.count >= 2 }.map { $0[1] })
      for name in names.sorted() where !dropProviders.contains(name) {
        migration.mapped.removeAll { $0.path == ["providers", name, "timeout_total_ms"] }
        migration.mapped.append(
          Mapped(
            path: ["providers", name, "timeout_total_ms"], value: .int(seconds * 1_000),
            note: "global_timeout_seconds = \(seconds)"))
      }
    }
    // Each provider's protocol, from its name.
    for name in Set(migration.mapped.filter { $0.path.first == "providers" }.map { $0.path[1] }).sorted() {
      guard let kind = providerKinds[name], kind.rawValue != name else { continue }
      migration.mapped.append(
        Mapped(
          path: ["providers", name, "type"], value: .string(kind.rawValue),
          note: "the protocol '\(name)' speaks"))
    }
    return migration
  }

  /// One old key and value as settings here (with the judge's two keys read together).
  static func map(_ path: [String], _ value: ConfigValue, judge: (provider: String?, model: String?))
    -> Result<
      [Mapped], Dropped
    >
  {
    let key = path.joined(separator: ".")
    func drop(_ reason: String) -> Result<[Mapped], Dropped> { .failure(Dropped(key: key, reason: reason)) }
    func to(_ newPath: [String], _ newValue: ConfigValue, _ how: String? = nil) -> Result<[Mapped], Dropped> {
      .success([Mapped(path: newPath, value: newValue, note: how ?? "from \(key)")])
    }
    switch path.first {
    case "providers" where path.count == 3:
      let (name, field) = (path[1], path[2])
      let base = ["providers", name]
      switch (field, value) {
      case ("api_key_env", .string): return to(base + ["api_key_env"], value)
      case ("base_url", .string(let url)):
        // Anthropic's and Cohere's paths here start with their version (/v1/messages, /v2/chat).
        let kind = providerKinds[name]
        if kind == .anthropic || kind == .cohere, url.hasSuffix("/v1") {
          return to(base + ["base_url"], .string(String(url.dropLast(3))), "from \(key) without its /v1")
        }
        return to(base + ["base_url"], value)
      case ("default_model", .string): return to(base + ["default_model"], value)
      case ("timeout_seconds", .int(let seconds)):
        return to(base + ["timeout_total_ms"], .int(seconds * 1_000), "from \(key) = \(seconds) (seconds)")
      case ("max_retries", .int): return to(base + ["max_retries"], value)
      case ("rate_limit_rpm", .int): return to(base + ["requests_per_minute"], value)
      case ("api_key", _):
        return drop(
          "secret values are never copied; put the key in the variable api_key_env names, or a file for api_key_file"
        )
      default:
        return drop("not a provider setting of the earlier LLM Test Bench, or not of the documented type")
      }
    case "benchmarks":
      switch path.last {
      case "output_dir":
        return drop(
          "results are stored in the database; write files with `ltb export SESSION --format json|csv|html`")
      case "save_responses": return drop("every response is stored with its result")
      case "parallel_requests":
        return drop("concurrency is set per suite: `load: {concurrency: \(value)}`")
      case "continue_on_failure":
        return drop(
          "a failed case is recorded and the run goes on; stop early with the suite's `stop:` conditions")
      case "random_seed": return drop("sampling seeds are per provider: providers.NAME.parameters.seed")
      default: return drop("not a [benchmarks] setting of the earlier LLM Test Bench")
      }
    case "evaluation":
      switch path.last {
      case "llm_judge_model":
        guard case .string(let model) = value else { return drop("expected a string") }
        let provider = judge.provider ?? "openai"
        return to(
          ["evaluation", "judge"], .string("\(provider)/\(model)"),
          judge.provider == nil
            ? "from evaluation.llm_judge_model (no llm_judge_provider: openai, that project's default)"
            : "from evaluation.llm_judge_provider and llm_judge_model")
      case "llm_judge_provider":
        return judge.model == nil
          ? drop(
            "a judge provider without llm_judge_model; set evaluation.judge = \"\(value.stringText ?? "")/MODEL\""
          )
          : .success([])
      case "judge_temperature": return to(["evaluation", "judge_temperature"], value)
      case "metrics": return drop("metrics are chosen per suite (`metrics:` and assertions), not globally")
      case "judge_max_tokens": return drop("judges here answer with a short verdict; the limit is built in")
      case "cache_enabled", "cache_dir", "cache_ttl_hours":
        return drop(
          "the evaluation cache lives in the database and is always on (keyed by answer, metric and judge)")
      case "max_evaluation_cost_per_test":
        return drop(
          "judge spending is reported per session (`ltb report`); alert on it with an alert rule on cost")
      case "confidence_threshold": return drop("pass thresholds are set per metric in suites (`threshold:`)")
      case "include_explanations": return drop("judges' reasoning is always stored with each verdict")
      default: return drop("not an [evaluation] setting of the earlier LLM Test Bench")
      }
    case "orchestration":
      return drop(
        "model comparison is `ltb bench` with several targets, then `ltb compare`; routing is not built")
    case "analytics":
      return drop(
        "`ltb compare` reports 95% intervals and p-values for every metric; its thresholds are not settings")
    case "dashboard":
      return drop("the dashboard is served by `ltb serve` at /dashboard/ and follows the browser's theme")
    case "global_timeout_seconds" where path.count == 1:
      return .success([])
    default:
      return drop("not part of the earlier LLM Test Bench's configuration")
    }
  }

  /// An `LLM_TEST_BENCH_SECTION__KEY` variable as the `LTB_*` variable(s) it corresponds to,
  /// with their values, or why it has none.
  public static func environmentEquivalent(_ variable: String, _ text: String) -> Result<
    [(variable: String, path: [String], text: String)], Dropped
  > {
    let segments = variable.dropFirst("LLM_TEST_BENCH_".count).components(separatedBy: "__").map {
      $0.lowercased()
    }
    var value = ConfigValue.string(text)
    if let number = Int(text) { value = .int(number) }
    let judgeModel = segments == ["evaluation", "llm_judge_model"] ? text : nil
    switch map(segments, value, judge: (nil, judgeModel)) {
    case .success(let items):
      return .success(
        items.map { item in
          let shown: String
          switch item.value {
          case .string(let text): shown = text
          default: shown = "\(item.value)"
          }
          return ("LTB_" + item.path.map { $0.uppercased() }.joined(separator: "__"), item.path, shown)
        })
    case .failure(let dropped):
      return .failure(Dropped(key: variable, reason: dropped.reason))
    }
  }
}

extension ConfigValue {
  /// The text of a string value.
  var stringText: String? {
    if case .string(let text) = self { return text }
    return nil
  }
}

extension RustBenchConfig {
  /// Converts the `config.toml` at `path`.
  public static func migrate(file path: String) throws(ConfigIssue) -> Migration {
    migrate(try TOMLReader.read(path: path).values)
  }
}
