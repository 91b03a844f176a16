public import Foundation
public import LTBCore
public import LTBStorage

/// A bench result file of the earlier Rust LLM Test Bench, read whole and stored as a session
/// (tagged `imported`), so `ltb compare` and the API compare old runs with new ones case by case.
///
/// The file is `BenchmarkResults { dataset_name, provider_name, total_tests, results[], timestamp
/// (or started_at / completed_at / total_duration_ms), summary }` with `TestResult { test_id,
/// category, status (success, failure, timeout, skipped), response { id, model, content, usage {
/// prompt_tokens, completion_tokens, total_tokens }, finish_reason, created_at }, error,
/// duration_ms, timestamp }`; a JSONL file of `TestResult`s (its incremental results) is read too.
///
/// That project sent each request without streaming and timed the whole call, so a successful
/// result is stored the way this project stores a non-streamed answer: one content event at
/// `duration_ms` (time to first token and end-to-end latency are both the call's duration).
public struct RustBenchResults: Sendable {
  /// The dataset the run used.
  public var datasetName: String
  /// The provider it ran against.
  public var providerName: String
  /// When it started (the file's timestamp), if it says.
  public var startedAt: Date?
  /// When it ended, if it says.
  public var completedAt: Date?
  /// The results, in file order.
  public var results: [Entry]
  /// What the file holds that has no place here, for the session's description.
  public var unmapped: [String] = []

  /// One `TestResult`.
  public struct Entry: Sendable {
    /// The case id.
    public var testID: String
    /// Its category.
    public var category: String?
    /// The outcome.
    public var status: ResultStatus
    /// The answer's text.
    public var content: String?
    /// The model that answered.
    public var model: String?
    /// Prompt and completion tokens.
    public var usage: Usage?
    /// Why generation stopped.
    public var finishReason: String?
    /// The error, for a failure.
    public var error: String?
    /// How long the call took.
    public var durationMilliseconds: Int
    /// When it finished.
    public var timestamp: Date?
    /// The provider's response id.
    public var responseID: String?
  }

  /// Reads `path`: a `BenchmarkResults` JSON document, or JSONL of `TestResult`s (whose dataset
  /// is named after the file and whose provider is `provider`, else `unknown`).
  public static func read(path: String, provider: String? = nil) throws -> RustBenchResults {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw LTBError(.invalidInput, "cannot read \(path)", fix: "check the path and its permissions")
    }
    let stem = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
    if let document = try? JSONValue.parse(data), case .object(let members) = document,
      members["test_id"] == nil
    {
      return try results(members, file: path, provider: provider)
    }
    // JSONL: one TestResult per line.
    var entries: [Entry] = []
    for (number, line) in String(decoding: data, as: UTF8.self).split(
      separator: "\n", omittingEmptySubsequences: false
    )
    .enumerated() where !line.trimmingCharacters(in: .whitespaces).isEmpty {
      guard let value = try? JSONValue.parse(Data(line.utf8)) else {
        throw LTBError(
          .invalidInput, "\(path):\(number + 1): neither a BenchmarkResults document nor a line of JSON",
          fix: "import the .json file `llm-test-bench bench` wrote, or its results.jsonl")
      }
      entries.append(try entry(value, at: "\(path):\(number + 1)"))
    }
    guard !entries.isEmpty else {
      throw LTBError(.invalidInput, "\(path) holds no results", fix: "import a file with at least one result")
    }
    return RustBenchResults(
      datasetName: stem, providerName: provider ?? "unknown",
      startedAt: entries.compactMap(\.timestamp).min(),
      completedAt: entries.compactMap(\.timestamp).max(), results: entries,
      unmapped: provider == nil ? ["the provider (a JSONL file does not name it)"] : [])
  }

  private static func results(_ members: [String: JSONValue], file: String, provider: String?) throws
    -> RustBenchResults
  {
    func required(_ key: String) throws -> String {
      guard let text = members[key]?.stringValue, !text.isEmpty else {
        throw LTBError(
          .invalidInput, "\(file) has no \(key)",
          fix: "import a BenchmarkResults file (dataset_name, provider_name, results, summary)")
      }
      return text
    }
    let dataset = try required("dataset_name")
    let providerName = try provider ?? required("provider_name")
    guard let items = members["results"]?.arrayValue else {
      throw LTBError(.invalidInput, "\(file) has no results list", fix: "import a BenchmarkResults file")
    }
    var entries: [Entry] = []
    for (index, item) in items.enumerated() {
      entries.append(try entry(item, at: "\(file): results[\(index)]"))
    }
    var unmapped: [String] = []
    if let total = members["total_tests"]?.intValue, total != entries.count {
      unmapped.append("total_tests says \(total), the file holds \(entries.count) results")
    }
    if members["summary"] != nil {
      unmapped.append(
        "its summary (recomputed here from the results; its cost was estimated at flat GPT-4 prices, replaced by catalogue prices where the model is known)"
      )
    }
    let started = (members["started_at"] ?? members["timestamp"])?.stringValue.flatMap(Self.date)
    var completed = members["completed_at"]?.stringValue.flatMap(Self.date)
    if completed == nil, let started, let total = members["total_duration_ms"]?.doubleValue {
      completed = started.addingTimeInterval(total / 1_000)
    }
    return RustBenchResults(
      datasetName: dataset, providerName: providerName, startedAt: started,
      completedAt: completed ?? entries.compactMap(\.timestamp).max(), results: entries, unmapped: unmapped)
  }

  private static func entry(_ value: JSONValue, at place: String) throws -> Entry {
    guard case .object(let fields) = value else {
      throw LTBError(.invalidInput, "\(place) is not an object", fix: "each result is a TestResult object")
    }
    guard let testID = fields["test_id"]?.stringValue, !testID.isEmpty else {
      throw LTBError(.invalidInput, "\(place) has no test_id", fix: "each result names its case in test_id")
    }
    guard let statusText = fields["status"]?.stringValue, let status = ResultStatus(rawValue: statusText)
    else {
      throw LTBError(
        .invalidInput, "\(place) (\(testID)) has status \(fields["status"]?.serialized() ?? "missing")",
        fix: "status is success, failure, timeout or skipped")
    }
    let response = fields["response"]?.objectValue
    let usage = response?["usage"]?.objectValue.map { usage in
      Usage(
        inputTokens: usage["prompt_tokens"]?.intValue ?? 0,
        outputTokens: usage["completion_tokens"]?.intValue ?? 0,
        source: .reported)
    }
    return Entry(
      testID: testID, category: fields["category"]?.stringValue, status: status,
      content: response?["content"]?.stringValue, model: response?["model"]?.stringValue, usage: usage,
      finishReason: response?["finish_reason"]?.stringValue, error: fields["error"]?.stringValue,
      durationMilliseconds: max(0, fields["duration_ms"]?.intValue ?? 0),
      timestamp: fields["timestamp"]?.stringValue.flatMap(Self.date),
      responseID: response?["id"]?.stringValue)
  }

  /// Stores the run as a completed session tagged `imported` and returns it; `file` is named in
  /// its description with what could not be mapped. Prices come from `catalog`.
  public func store(into store: any BenchStore, file: String, catalog: ModelCatalog, owner: UUID? = nil)
    async throws -> BenchmarkSession
  {
    let models = Array(Set(results.compactMap(\.model))).sorted()
    let kind = ProviderKind(rawValue: providerName) ?? (providerName == "google" ? .gemini : nil)
    var notes = unmapped + ["prompts (result files do not hold them)"]
    let unpriced = models.filter { model in kind.flatMap { catalog.model(model, kind: $0) } == nil }
    if !unpriced.isEmpty {
      notes.append("cost for \(unpriced.joined(separator: ", ")) (not in the model catalogue)")
    }
    let suite = BenchmarkSuite(
      name: datasetName, description: "imported from the Rust LLM Test Bench", datasets: [],
      targets: (models.isEmpty ? [nil] : models.map(Optional.some)).map {
        BenchmarkTarget(provider: providerName, model: $0)
      }, stream: false, tags: ["imported"])
    let started = startedAt ?? results.compactMap(\.timestamp).min() ?? Date()
    let session = BenchmarkSession(
      name: "\(datasetName) (imported)",
      description: "Imported from \(file) (Rust LLM Test Bench), \(results.count) results. Not carried over: "
        + notes.joined(separator: "; ") + ".",
      status: .completed, suite: suite, tags: ["imported", "llm-test-bench"], createdAt: started,
      startedAt: started, completedAt: completedAt ?? started, totalTasks: results.count, ownerID: owner)
    let rows = results.enumerated().map { index, entry in
      let nanos = Int64(entry.durationMilliseconds) * 1_000_000
      let answered = entry.status == .success && entry.content != nil
      // That project ran one model per file: a result without an answer used it too.
      let model = entry.model ?? (models.count == 1 ? models[0] : "default")
      var metadata: [String: JSONValue] = ["imported_from": .string(file)]
      if let id = entry.responseID { metadata["response_id"] = .string(id) }
      return BenchmarkResult(
        sessionID: session.id, taskKey: "imported/\(index)", testID: entry.testID, dataset: datasetName,
        provider: providerName, model: model, targetIndex: models.firstIndex(of: model) ?? 0,
        status: entry.status,
        errorCode: entry.status == .success ? nil : entry.status.rawValue, error: entry.error, prompt: "",
        response: entry.content, finishReason: entry.finishReason,
        createdAt: entry.timestamp ?? started,
        timing: RequestTiming(contentEventOffsetsNanos: answered ? [nanos] : [], endOffsetNanos: nanos),
        usage: entry.usage,
        cost: entry.usage.flatMap { usage in
          kind.flatMap { catalog.model(model, kind: $0) }.map { $0.pricing.cost(of: usage) }
        }, category: entry.category, metadata: metadata)
    }
    try await store.createSession(session)
    for start in stride(from: 0, to: rows.count, by: 500) {
      try await store.insertResults(Array(rows[start..<min(start + 500, rows.count)]))
    }
    return session
  }

  /// An RFC 3339 instant as chrono writes it (`2024-01-15T10:30:00.123456789Z`, or with an
  /// offset); fractions beyond milliseconds are dropped.
  static func date(_ text: String) -> Date? {
    var text = text
    if let dot = text.firstIndex(of: "."),
      let zone = text[dot...].firstIndex(where: { $0 == "Z" || $0 == "+" || $0 == "-" })
    {
      let digits = text[text.index(after: dot)..<zone].prefix(3)
      text = String(text[..<dot]) + (digits.isEmpty ? "" : "." + digits) + String(text[zone...])
    }
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    if let date = formatter.date(from: text) { return date }
    formatter.formatOptions = [.withInternetDateTime]
    return formatter.date(from: text)
  }
}
