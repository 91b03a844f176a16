import Crypto
public import Foundation
public import LTBCore
import LTBEngine
import LTBEvaluation
public import LTBStorage

/// Exports a session to Weights & Biases as one run (spec `init_run`, `log_metrics`,
/// `log_table`, `finish_run`): the suite as the run's config, each measured request as a history
/// step (`TARGET/e2e_ms`, `TARGET/ttft_ms`, `TARGET/success`), the per-case table as a W&B Table
/// (the run's file `media/table/cases_*.table.json` and the `run_table` artifact
/// `run-RUN-cases` W&B's client logs with it, both named by the reference in the last step and
/// the summary), and each target's figures and grading in the summary, then the run marked
/// finished.
///
/// The run's id derives from the session's, so exporting again writes the same run over itself
/// (history lines go by offset; the artifact's unchanged digest makes W&B keep its version).
public enum WandbExporter {
  /// What an export wrote.
  public struct Outcome: Sendable {
    /// `entity/project/run`.
    public var path: String
    /// Where to see it.
    public var url: String
    /// History steps written (the requests, then the table's step).
    public var steps: Int
    /// Rows of the per-case table.
    public var rows: Int
  }

  /// History lines per file-stream post.
  static let chunk = 500

  /// Exports `session` from `store` through `client` to `settings`' entity and project (or
  /// `project` when given).
  public static func export(
    session sessionID: UUID, store: any BenchStore, client: WandbClient, settings: WandbSettings,
    project: String
  ) async throws -> Outcome {
    let data = try await ReportData.load(session: sessionID, store: store)
    let summary = try await BenchmarkSummary.build(store: store, sessionID: sessionID)
    let session = data.session
    let entity = settings.entity.isEmpty ? try await client.defaultEntity() : settings.entity
    let chosen =
      project.isEmpty ? (settings.project.isEmpty ? session.suite.name : settings.project) : project
    let projectName = String(chosen.map { "/\\#?%:".contains($0) ? "-" : $0 })
    let run = runID(session.id)

    var config: [String: JSONValue] = MLflowExporter.parameters(session.suite).mapValues(JSONValue.string)
    config["ltb_session_id"] = .string(session.id.lowercasedText)
    try await client.upsertRun(
      entity: entity, project: projectName, name: run, displayName: session.name, config: config,
      tags: ["ltb"] + session.tags, notes: session.description)

    let started = session.startedAt ?? session.createdAt
    let measured = data.measuredInSendOrder
    let lines = measured.enumerated().map { step, result in
      history(result, step: step, started: started).serialized(sortedKeys: true)
    }
    for start in stride(from: 0, to: lines.count, by: chunk) {
      try await client.stream(
        entity: entity, project: projectName, run: run,
        files: ["wandb-history.jsonl": (start, Array(lines[start..<min(start + chunk, lines.count)]))])
    }

    let (table, rows) = try tableFile(data, measured)
    let tableHash = SHA256.hash(data: table).map { String(format: "%02x", $0) }.joined()
    let step = measured.count
    let tablePath = "media/table/cases_\(step)_\(tableHash.prefix(20)).table.json"
    let artifact = try await client.logArtifact(
      entity: entity, project: projectName, run: run, type: "run_table", collection: "run-\(run)-cases",
      historyStep: step, files: [("cases.table.json", try artifactTable(table))])
    let reference: JSONValue = [
      "_type": "table-file", "path": .string(tablePath), "sha256": .string(tableHash),
      "size": .int(table.count),
      "ncols": .int(columns.count), "nrows": .int(rows), "log_mode": "IMMUTABLE",
      "artifact_path": .string("wandb-client-artifact://\(artifact.clientID)/cases.table.json"),
      "_latest_artifact_path": .string(
        "wandb-client-artifact://\(artifact.sequenceClientID):latest/cases.table.json"),
    ]
    let end = session.completedAt ?? Date()
    let stamp: [String: JSONValue] = [
      "_step": .int(step), "_timestamp": .double(end.timeIntervalSince1970),
      "_runtime": .double(max(0, end.timeIntervalSince(started))),
    ]
    var finalSummary = stamp.merging(["cases": reference, "ltb_export": "complete"]) { $1 }
    for metric in MLflowExporter.totals(summary, at: 0) { finalSummary[metric.key] = .double(metric.value) }
    for group in summary.groups {
      let graded = data.evaluation.groups.first { $0.provider == group.provider && $0.model == group.model }
      for metric in MLflowExporter.figures(group, graded, at: 0) where metric.value.isFinite {
        finalSummary["\(group.provider)/\(group.model)/\(metric.key)"] = .double(metric.value)
      }
    }
    let summaryText = JSONValue.object(finalSummary).serialized(sortedKeys: true)

    let urls = try await client.uploadURLs(
      entity: entity, project: projectName, run: run, files: [tablePath, "wandb-summary.json"])
    for (name, contents) in [(tablePath, table), ("wandb-summary.json", Data(summaryText.utf8))] {
      guard let url = urls[name] else {
        throw LTBError(
          .server, "W&B gave no upload address for \(name)", fix: "check the W&B server's version")
      }
      try await client.upload(contents, to: url, name: name)
    }
    try await client.stream(
      entity: entity, project: projectName, run: run,
      files: [
        "wandb-history.jsonl": (
          step, [JSONValue.object(stamp.merging(["cases": reference]) { $1 }).serialized(sortedKeys: true)]
        ),
        "wandb-summary.json": (0, [summaryText]),
      ],
      complete: true, uploaded: [tablePath, "wandb-summary.json"])
    let app = client.baseURL == "https://api.wandb.ai" ? "https://wandb.ai" : client.baseURL
    return Outcome(
      path: "\(entity)/\(projectName)/\(run)", url: "\(app)/\(entity)/\(projectName)/runs/\(run)",
      steps: step + 1, rows: rows)
  }

  /// The run's id: 8 hex digits of the session id's hash, the same on every export.
  static func runID(_ session: UUID) -> String {
    SHA256.hash(data: Data("ltb:wandb:\(session.lowercasedText)".utf8)).prefix(4).map {
      String(format: "%02x", $0)
    }.joined()
  }

  /// One request as a history step, its figures under its target's name.
  static func history(_ result: BenchmarkResult, step: Int, started: Date) -> JSONValue {
    let target = "\(result.provider)/\(result.model)"
    var line: [String: JSONValue] = [
      "_step": .int(step), "_timestamp": .double(result.createdAt.timeIntervalSince1970),
      "_runtime": .double(max(0, result.createdAt.timeIntervalSince(started))),
      "\(target)/success": .int(result.status == .success ? 1 : 0),
    ]
    if let value = result.endToEndMs { line["\(target)/e2e_ms"] = .double(value) }
    if let value = result.timeToFirstTokenMs { line["\(target)/ttft_ms"] = .double(value) }
    if let value = result.usage?.outputTokens { line["\(target)/output_tokens"] = .int(value) }
    return .object(line)
  }

  /// The per-case table's columns.
  static let columns = [
    "case", "target", "repeat", "status", "prompt", "response", "ttft_ms", "e2e_ms", "output_tokens",
    "cost_usd",
    "verdict", "score",
  ]

  /// The kind of each column's values (nulls aside), for the artifact's `column_types`.
  static let columnKinds = [
    "string", "string", "number", "string", "string", "string", "number", "number", "number", "number",
    "string", "number",
  ]

  /// The table as the `run_table` artifact holds it: W&B's full serialization, with the
  /// columns' types, the row and column counts and the log mode beside the run file's columns
  /// and data.
  static func artifactTable(_ runFile: Data) throws -> Data {
    guard case .object(var table) = try JSONValue.parse(runFile) else {
      throw LTBError(.internal, "the W&B table file is not a JSON object")
    }
    var types: [String: JSONValue] = [:]
    for (column, kind) in zip(columns, columnKinds) {
      types[column] = [
        "wb_type": "union", "params": ["allowed_types": [["wb_type": "none"], ["wb_type": .string(kind)]]],
      ]
    }
    table["_type"] = "table"
    table["column_types"] = ["wb_type": "typedDict", "params": ["type_map": .object(types)]]
    table["log_mode"] = "IMMUTABLE"
    table["ncols"] = .int(columns.count)
    table["nrows"] = .int(table["data"]?.arrayValue?.count ?? 0)
    return Data(JSONValue.object(table).serialized(sortedKeys: true).utf8)
  }

  /// The per-case table as W&B's table file (`{"columns", "data"}`) and its row count.
  static func tableFile(_ data: ReportData, _ results: [BenchmarkResult]) throws -> (Data, Int) {
    let rows: [JSONValue] = results.map { result in
      let verdict = data.cases[result.id]
      let cells: [JSONValue] = [
        .string(result.testID), .string("\(result.provider)/\(result.model)"), .int(result.repeatIndex),
        .string(result.status.rawValue), .string(result.prompt),
        result.response.map(JSONValue.string) ?? .null,
        result.timeToFirstTokenMs.map(JSONValue.double) ?? .null,
        result.endToEndMs.map(JSONValue.double) ?? .null,
        result.usage.map { .int($0.outputTokens) } ?? .null, result.cost.map { .double($0.total) } ?? .null,
        verdict.map { .string($0.verdict.rawValue) } ?? .null, verdict?.score.map(JSONValue.double) ?? .null,
      ]
      return .array(cells)
    }
    let document: JSONValue = ["columns": .array(columns.map(JSONValue.string)), "data": .array(rows)]
    return (Data(document.serialized().utf8), rows.count)
  }
}
