import Foundation
import LTBCore
import Testing

/// A user of the Rust LLM Test Bench brings over their configuration, dataset and past results
/// with two commands, runs the same cases against the local model and compares old with new.
/// The files are written here in that project's documented shapes (its `config.example.toml`,
/// `Dataset`, `BenchmarkResults`), with its defaults and edge cases.
@Suite("Migration from the Rust LLM Test Bench", .serialized)
struct RustBenchMigrationTests {
  static let oldConfig = """
    global_timeout_seconds = 45

    [providers.openai]
    api_key_env = "OPENAI_API_KEY"
    base_url = "https://api.openai.com/v1"
    default_model = "gpt-4-turbo"
    timeout_seconds = 30
    max_retries = 3
    rate_limit_rpm = 60

    [providers.anthropic]
    api_key_env = "ANTHROPIC_API_KEY"
    base_url = "https://api.anthropic.com/v1"
    default_model = "claude-3-sonnet-20240229"
    timeout_seconds = 30
    max_retries = 3
    api_key = "sk-ant-never-copied-value"

    [providers.google]
    api_key_env = "GOOGLE_API_KEY"
    base_url = "https://generativelanguage.googleapis.com/v1beta"
    default_model = "gemini-1.5-pro"
    timeout_seconds = 30
    max_retries = 3

    [benchmarks]
    output_dir = "./bench-results"
    save_responses = true
    parallel_requests = 5
    continue_on_failure = true

    [evaluation]
    metrics = ["perplexity", "faithfulness", "relevance", "latency"]
    llm_judge_model = "gpt-4"
    llm_judge_provider = "openai"
    confidence_threshold = 0.7
    include_explanations = true

    [orchestration]
    max_parallel_models = 10
    routing_strategy = "balanced"

    [analytics]
    confidence_level = 0.95

    [dashboard]
    theme = "auto"
    """

  static let dataset = """
    {
      "name": "qa",
      "description": "Short answers",
      "version": "1.0.0",
      "defaults": {"temperature": 0.0, "max_tokens": 8},
      "test_cases": [
        {"id": "capital", "category": "geography", "prompt": "What is the capital of {{country}}? One word.",
         "variables": {"country": "France"}, "expected": "Paris"},
        {"id": "sum", "prompt": "What is 2+2? Answer with a number.", "expected": "4"}
      ]
    }
    """

  static let results = """
    {"dataset_name": "qa", "provider_name": "openai", "total_tests": 3,
     "results": [
      {"test_id": "capital", "category": "geography", "status": "success",
       "response": {"id": "chatcmpl-1", "model": "gpt-4o-mini", "content": "Paris",
                    "usage": {"prompt_tokens": 20, "completion_tokens": 2, "total_tokens": 22},
                    "finish_reason": "stop", "created_at": 1705312200},
       "error": null, "duration_ms": 812, "timestamp": "2024-01-15T10:30:00.123456789Z"},
      {"test_id": "sum", "category": null, "status": "failure", "response": null,
       "error": "Rate limit exceeded", "duration_ms": 95, "timestamp": "2024-01-15T10:30:01Z"},
      {"test_id": "extra", "category": null, "status": "timeout", "response": null,
       "error": "Request timed out", "duration_ms": 30000, "timestamp": "2024-01-15T10:30:31+00:00"}
     ],
     "timestamp": "2024-01-15T10:30:00Z",
     "summary": {"total": 3, "succeeded": 1, "failed": 1, "timeout": 1, "skipped": 0, "success_rate": 0.33,
                 "avg_duration_ms": 10302.3, "p50_duration_ms": 812.0, "p95_duration_ms": 30000.0,
                 "p99_duration_ms": 30000.0, "total_tokens": 22, "total_cost": 0.00072}}
    """

  @Test("config migrate, import results, a run of the same dataset, compare")
  func migrate() throws {
    let folder = try BenchCommandTests.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: folder) }
    func path(_ name: String) -> String { folder.appendingPathComponent(name).path }
    try Self.oldConfig.write(toFile: path("config.toml"), atomically: true, encoding: .utf8)
    try Self.dataset.write(toFile: path("qa.json"), atomically: true, encoding: .utf8)
    try Self.results.write(toFile: path("results.json"), atomically: true, encoding: .utf8)
    let database = "sqlite:" + path("ltb.sqlite")

    // 1. The configuration.
    let migrated = try CommandLineTests.run([
      "config", "migrate", path("config.toml"), "-o", path("ltb.toml"),
    ])
    #expect(migrated.status == 0, "\(migrated.stderr)")
    let written = try String(contentsOfFile: path("ltb.toml"), encoding: .utf8)
    #expect(!written.contains("never-copied"))
    #expect(migrated.stdout.contains("providers.anthropic.api_key: secret values are never copied"))
    for line in [
      "version = 5", "judge = \"openai/gpt-4\"", "requests_per_minute = 60", "timeout_total_ms = 45000",
      "base_url = \"https://api.anthropic.com\"", "type = \"gemini\"", "api_key_env = \"GOOGLE_API_KEY\"",
    ] {
      #expect(written.contains(line), "\(line)")
    }
    for dropped in [
      "benchmarks.parallel_requests", "evaluation.metrics", "orchestration.", "analytics.", "dashboard.",
    ] {
      #expect(migrated.stdout.contains(dropped), "\(dropped)")
    }
    let keys = ["OPENAI_API_KEY": "sk-test", "ANTHROPIC_API_KEY": "sk-test", "GOOGLE_API_KEY": "g-test"]
    let validated = try CommandLineTests.run(
      ["config", "validate", "--strict", "--config", path("ltb.toml")], environment: keys)
    #expect(validated.status == 0, "\(validated.stderr)")
    let shown = try CommandLineTests.run(["config", "show", "--config", path("ltb.toml")], environment: keys)
    #expect(shown.stdout.contains("timeout_total_ms = 45000  # \(path("ltb.toml")):"))
    // An existing output is kept unless --force.
    let again = try CommandLineTests.run(["config", "migrate", path("config.toml"), "-o", path("ltb.toml")])
    #expect(again.status == 78)
    #expect(again.stderr.contains("already exists"))
    // Its variables are read with a warning naming ours; --strict fails on them.
    let legacy = try CommandLineTests.run(
      ["config", "validate", "--strict", "--config", path("ltb.toml")],
      environment: keys.merging(["LLM_TEST_BENCH_PROVIDERS__OPENAI__TIMEOUT_SECONDS": "60"]) { $1 })
    #expect(legacy.status == 78)
    #expect(legacy.stderr.contains("read as LTB_PROVIDERS__OPENAI__TIMEOUT_TOTAL_MS=60000; set that instead"))

    // 2. The past results.
    let imported = try CommandLineTests.run([
      "import", "results", path("results.json"), "--database", database,
    ])
    #expect(imported.status == 0, "\(imported.stderr)")
    #expect(imported.stdout.contains("3 results (1 success, 1 failure, 1 timeout)"))
    let old = String(imported.stdout.prefix(36))
    let listed = try CommandLineTests.run(["sessions", "list", "--database", database])
    #expect(listed.stdout.contains("qa (imported)"), "\(listed.stdout)\(listed.stderr)")
    let bad = try CommandLineTests.run(["import", "results", path("qa.json"), "--database", database])
    #expect(bad.status == 78)
    #expect(bad.stderr.contains("has no dataset_name"))

    // The dataset runs as it is, and the new run compares with the old one case by case.
    let run = try CommandLineTests.run([
      "bench", "--dataset", path("qa.json"), "--provider", "llamacpp", "--database", database, "--name",
      "new",
    ])
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.stdout.contains("ok 2 (100.0%)"), "\(run.stdout)")
    let sessions = try CommandLineTests.run(["sessions", "list", "--database", database])
    let new = try #require(sessions.stdout.split(separator: "\n").first { $0.hasSuffix(" new") }).prefix(36)
    let compared = try CommandLineTests.run(["compare", old, String(new), "--database", database, "--json"])
    #expect(compared.status == 0, "\(compared.stderr)")
    let comparison = try JSONValue.parse(Data(compared.stdout.utf8))
    #expect(comparison["pairedCases"]?.intValue == 2)
    let latency = comparison["metrics"]?.arrayValue?.first { $0["name"] == "latency_ms" }
    #expect(latency?["meanA"]?.doubleValue == 812)
  }

  @Test("a results.jsonl with every status and optional fields left out; a bad status stores nothing")
  func incrementalResults() async throws {
    let folder = try BenchCommandTests.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: folder) }
    let lines = [
      #"{"test_id": "a", "category": "x", "status": "success", "response": {"id": "r1", "model": "gpt-4o-mini", "content": "yes", "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4}, "finish_reason": "length", "created_at": 1}, "error": null, "duration_ms": 120, "timestamp": "2024-02-01T00:00:00Z"}"#,
      #"{"test_id": "b", "status": "failure", "error": "HTTP 500", "duration_ms": 40, "timestamp": "2024-02-01T00:00:01Z"}"#,
      #"{"test_id": "c", "status": "timeout", "duration_ms": 30000, "timestamp": "2024-02-01T00:00:31Z"}"#,
      #"{"test_id": "d", "status": "skipped", "duration_ms": 0, "timestamp": "2024-02-01T00:00:31Z"}"#,
    ]
    let file = folder.appendingPathComponent("results.jsonl").path
    try (lines.joined(separator: "\n") + "\n").write(toFile: file, atomically: true, encoding: .utf8)
    let database = "sqlite:" + folder.appendingPathComponent("ltb.sqlite").path
    let imported = try CommandLineTests.run(
      ["import", "results", file, "--provider", "openai", "--database", database])
    #expect(imported.status == 0, "\(imported.stderr)")
    #expect(
      imported.stdout.contains("4 results (1 success, 1 failure, 1 timeout, 1 skipped)"), "\(imported.stdout)"
    )
    let id = String(imported.stdout.prefix(36))
    let exported = try CommandLineTests.run(["export", id, "--format", "jsonl", "--database", database])
    let rows = try exported.stdout.split(separator: "\n").map { try JSONValue.parse(Data($0.utf8)) }
    #expect(
      rows.map { $0["test_id"]?.stringValue ?? $0["testID"]?.stringValue ?? "" }.sorted() == [
        "a", "b", "c", "d",
      ], "\(exported.stdout.prefix(600))")
    #expect(
      rows.allSatisfy { $0["model"] == "gpt-4o-mini" }, "one model per file: \(exported.stdout.prefix(600))")

    // One bad line: nothing of the file is stored.
    try (lines[0] + "\n" + #"{"test_id": "e", "status": "done", "duration_ms": 1}"#).write(
      toFile: file, atomically: true, encoding: .utf8)
    let bad = try CommandLineTests.run(["import", "results", file, "--database", database])
    #expect(bad.status == 78)
    #expect(bad.stderr.contains("status is success, failure, timeout or skipped"), "\(bad.stderr)")
    let sessions = try CommandLineTests.run(["sessions", "list", "--database", database])
    #expect(sessions.stdout.split(separator: "\n").count == 1, "\(sessions.stdout)")
  }
}
