import Crypto
public import Foundation
public import LTBCore
import LTBEvaluation
public import LTBStorage
import NIOHTTP1

/// Exports a session to LangSmith as an experiment, in the requests its official client sends:
/// a project (`POST /sessions`, with the dataset it ran when its cases came from LangSmith),
/// each measured request as a root `llm` trace run (`POST /runs/batch`: inputs, output with token
/// usage, error, start and end, a `new_token` event at the first token, the figures as metadata),
/// each verdict as feedback on its run (`POST /feedback`), then the project closed
/// (`PATCH /sessions/{id}`, `end_time` and `ltb_export: complete`).
///
/// Ids are derived from the session's and results' ids, so an export that failed midway is
/// simply written again (runs and feedback are upserted by id); a complete one is left alone.
public enum LangSmithExporter {
  /// What an export wrote.
  public struct Outcome: Sendable {
    /// The project's id.
    public var projectID: String
    /// The project's name.
    public var projectName: String
    /// Runs written.
    public var runs: Int
    /// Feedback scores written.
    public var feedback: Int
    /// Where to see it.
    public var url: String
    /// True when the session had been exported in full before and nothing was written.
    public var alreadyExported: Bool
  }

  /// Runs per `POST /runs/batch`.
  static let batchSize = 100

  /// Exports `session` from `store` through `client` into the project named `project` (empty:
  /// the suite's name and the session's first 8 hex digits).
  public static func export(
    session sessionID: UUID, store: any BenchStore, client: LangSmithClient, project: String
  ) async throws -> Outcome {
    let data = try await ReportData.load(session: sessionID, store: store)
    let session = data.session
    let name = project.isEmpty ? "\(session.suite.name)-\(session.id.lowercasedText.prefix(8))" : project
    let projectID: String
    if let existing = try await client.project(named: name) {
      let metadata = existing["extra"]?["metadata"]
      if metadata?["ltb_export"] == "complete",
        metadata?["ltb_session_id"]?.stringValue == session.id.lowercasedText
      {
        return Outcome(
          projectID: existing["id"]?.stringValue ?? "", projectName: name, runs: 0, feedback: 0,
          url: url(client, existing["id"]?.stringValue ?? ""), alreadyExported: true)
      }
      guard metadata?["ltb_session_id"]?.stringValue == session.id.lowercasedText,
        let id = existing["id"]?.stringValue
      else {
        throw LTBError(
          .invalidInput, "LangSmith already has a project named '\(name)' that is not this session's",
          fix: "choose another name with --experiment")
      }
      projectID = id
    } else {
      projectID = derivedID("project", session.id.lowercasedText).lowercasedText
      var body: [String: JSONValue] = [
        "id": .string(projectID), "name": .string(name),
        "description": session.description.map(JSONValue.string)
          ?? .string("ltb session \(session.id.lowercasedText)"),
        "extra": ["metadata": .object(projectMetadata(session, complete: false))],
      ]
      if let dataset = try await referenceDataset(data.results, client: client) {
        body["reference_dataset_id"] = .string(dataset)
      }
      try await client.send(.POST, "/sessions", .object(body))
    }

    let measured = data.measuredInSendOrder
    for start in stride(from: 0, to: measured.count, by: batchSize) {
      let runs = measured[start..<min(start + batchSize, measured.count)].map { run($0, project: name) }
      try await client.send(.POST, "/runs/batch", ["post": .array(runs), "patch": []])
    }

    let stamp = (session.completedAt ?? Date()).iso8601Text
    let scores = measured.flatMap { result in
      (data.records[result.id] ?? []).compactMap { record in feedback(record, at: stamp) }
    }
    try await withThrowingTaskGroup(of: Void.self) { group in
      var next = scores.makeIterator()
      for _ in 0..<8 {
        guard let item = next.next() else { break }
        group.addTask { try await client.send(.POST, "/feedback", item) }
      }
      while try await group.next() != nil {
        guard let item = next.next() else { continue }
        group.addTask { try await client.send(.POST, "/feedback", item) }
      }
    }

    try await client.send(
      .PATCH, "/sessions/\(projectID)",
      [
        "name": .string(name), "description": session.description.map(JSONValue.string) ?? .null,
        "extra": ["metadata": .object(projectMetadata(session, complete: true))],
        "end_time": .string((session.completedAt ?? Date()).iso8601Text),
      ])
    return Outcome(
      projectID: projectID, projectName: name, runs: measured.count, feedback: scores.count,
      url: url(client, projectID), alreadyExported: false)
  }

  /// The dataset the session ran, when every case came from one LangSmith dataset.
  static func referenceDataset(_ results: [BenchmarkResult], client: LangSmithClient) async throws -> String?
  {
    let names = Set(results.compactMap { $0.metadata["langsmith_dataset"]?.stringValue })
    guard names.count == 1, let name = names.first,
      results.allSatisfy({ $0.metadata["langsmith_dataset"] != nil })
    else { return nil }
    return try await client.dataset(named: name)["id"]?.stringValue
  }

  /// The project's metadata: which session it is and whether the export is complete.
  static func projectMetadata(_ session: BenchmarkSession, complete: Bool) -> [String: JSONValue] {
    [
      "ltb_session_id": .string(session.id.lowercasedText), "ltb_suite": .string(session.suite.name),
      "ltb_status": .string(session.status.rawValue),
      "ltb_export": .string(complete ? "complete" : "partial"),
      "ltb_targets": .array(session.suite.targets.map { .string($0.label) }),
      "ltb_repeats": .int(session.suite.repeats),
    ]
  }

  /// One request as a root `llm` run.
  static func run(_ result: BenchmarkResult, project: String) -> JSONValue {
    let id = result.id.lowercasedText
    let end = result.createdAt
    let start = end.addingTimeInterval(-(result.endToEndMs ?? result.durationMs) / 1_000)
    var metadata: [String: JSONValue] = [
      "ls_provider": .string(result.provider), "ls_model_name": .string(result.model),
      "ltb_case_id": .string(result.testID), "ltb_dataset": .string(result.dataset),
      "ltb_repeat": .int(result.repeatIndex), "ltb_status": .string(result.status.rawValue),
      "ltb_attempts": .int(result.attempts), "ltb_cache_hit": .bool(result.cacheHit),
    ]
    if let value = result.timeToFirstTokenMs { metadata["ttft_ms"] = .double(value) }
    if let value = result.endToEndMs { metadata["e2e_ms"] = .double(value) }
    if let value = result.timePerOutputTokenMs { metadata["tpot_ms"] = .double(value) }
    if let cost = result.cost { metadata["cost_usd"] = .double(cost.total) }
    if let reason = result.finishReason { metadata["finish_reason"] = .string(reason) }
    if let value = result.parameters.temperature { metadata["ls_temperature"] = .double(value) }
    if let value = result.parameters.maxTokens { metadata["ls_max_tokens"] = .int(value) }
    var events: [JSONValue] = [["name": "start", "time": .string(start.iso8601Text)]]
    if let ttft = result.timeToFirstTokenMs {
      events.append([
        "name": "new_token", "time": .string(start.addingTimeInterval(ttft / 1_000).iso8601Text),
      ])
    }
    events.append(["name": result.status == .success ? "end" : "error", "time": .string(end.iso8601Text)])
    var run: [String: JSONValue] = [
      "id": .string(id), "trace_id": .string(id), "dotted_order": .string(dottedOrder(start) + id),
      "name": .string("\(result.provider)/\(result.model)"), "run_type": "llm",
      "start_time": .string(start.iso8601Text), "end_time": .string(end.iso8601Text),
      "inputs": ["prompt": .string(result.prompt)], "session_name": .string(project),
      "extra": ["metadata": .object(metadata)], "events": .array(events),
      "tags": .array((["ltb"] + result.tags).map(JSONValue.string)),
    ]
    if let example = result.metadata["langsmith_example_id"]?.stringValue, UUID(uuidString: example) != nil {
      run["reference_example_id"] = .string(example.lowercased())
    }
    if result.status == .success {
      var outputs: [String: JSONValue] = ["output": .string(result.response ?? "")]
      if let usage = result.usage {
        outputs["usage_metadata"] = [
          "input_tokens": .int(usage.inputTokens), "output_tokens": .int(usage.outputTokens),
          "total_tokens": .int(usage.totalTokens),
        ]
      }
      run["outputs"] = .object(outputs)
    } else {
      run["error"] = .string([result.errorCode, result.error].compactMap { $0 }.joined(separator: ": "))
    }
    return .object(run)
  }

  /// A verdict as feedback on its run; `nil` for one that was not scored.
  static func feedback(_ record: EvaluationRecord, at now: String) -> JSONValue? {
    guard record.state == .scored, let score = record.score else { return nil }
    let run = record.resultID.lowercasedText
    var source: [String: JSONValue] = [
      "evaluator": .string(record.evaluator), "evaluator_version": .int(record.evaluatorVersion),
    ]
    if let passed = record.passed { source["passed"] = .bool(passed) }
    if let threshold = record.threshold { source["threshold"] = .double(threshold) }
    var item: [String: JSONValue] = [
      "id": .string(derivedID("feedback", run + "/" + record.metric).lowercasedText),
      "run_id": .string(run), "trace_id": .string(run), "key": .string(record.metric),
      "score": .double(score),
      "created_at": .string(now), "modified_at": .string(now),
      "feedback_source": ["type": "api", "metadata": .object(source)],
    ]
    if let value = record.value { item["value"] = .double(value) }
    if !record.explanation.isEmpty { item["comment"] = .string(String(record.explanation.prefix(4_000))) }
    return .object(item)
  }

  /// A UUID named by `kind` and `text` (SHA-256, version 8), the same on every export.
  static func derivedID(_ kind: String, _ text: String) -> UUID {
    UUID(bits: Array(SHA256.hash(data: Data("ltb:langsmith:\(kind):\(text)".utf8))), version: 8)
  }

  /// LangSmith's `dotted_order` stamp: `YYYYMMDDTHHMMSSffffffZ` in UTC.
  static func dottedOrder(_ date: Date) -> String {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC")!
    let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
    let micros = Int((date.timeIntervalSince1970 * 1_000_000).rounded(.down)) % 1_000_000
    return String(
      format: "%04d%02d%02dT%02d%02d%02d%06dZ", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0,
      parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0, micros)
  }

  static func url(_ client: LangSmithClient, _ project: String) -> String {
    "\(client.apiURL)/sessions/\(project)"
  }
}
