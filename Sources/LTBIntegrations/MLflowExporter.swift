public import Foundation
public import LTBCore
import LTBEngine
import LTBEvaluation
public import LTBStorage

/// Exports a session to MLflow: an experiment per suite (or the configured one), a parent run per
/// session with the suite as parameters and the totals as metrics, a nested run per target with
/// its latency, throughput, token, cost and grading figures (and each request's latencies as
/// steps), and the summary, results, verdicts and HTML report as artifacts.
///
/// Exporting again is safe: a session exported in full is found by its `ltb.session_id` tag and
/// left as it is; a partial export (one that failed midway) is deleted and written again. The
/// run `ltb bench --log-to mlflow` logged while the session ran (tag `ltb.export = live`) is
/// completed rather than replaced, so its live steps stay.
public enum MLflowExporter {
  /// What an export wrote.
  public struct Outcome: Sendable {
    /// The experiment's id.
    public var experimentID: String
    /// The session's run.
    public var runID: String
    /// Each target's nested run, by `provider/model`.
    public var targetRuns: [String: String]
    /// True when the session had been exported in full before and nothing was written.
    public var alreadyExported: Bool
  }

  /// Exports `session` from `store` through `client`.
  public static func export(
    session sessionID: UUID, store: any BenchStore, client: MLflowClient, experiment name: String
  ) async throws -> Outcome {
    guard let session = try await store.session(sessionID) else {
      throw LTBError(.notFound, "no session \(sessionID)", fix: "list sessions with `ltb sessions list`")
    }
    let experiment = try await client.experiment(named: name.isEmpty ? session.suite.name : name)
    let key = "ltb.session_id"
    let identifier = session.id.lowercasedText
    var live: String?
    for existing in try await client.runs(in: experiment, taggedWith: key, identifier) {
      let tags = try await client.tags(of: existing)
      guard tags["mlflow.parentRunId"] == nil else { continue }
      // The run `--log-to mlflow` logged while the session ran: completed, not replaced.
      if tags["ltb.export"] == "live", live == nil {
        live = existing
        continue
      }
      if tags["ltb.export"] == "complete" {
        let children = try await client.runs(in: experiment, taggedWith: "mlflow.parentRunId", existing)
        var targets: [String: String] = [:]
        for child in children {
          let childTags = try await client.tags(of: child)
          if let provider = childTags["ltb.provider"], let model = childTags["ltb.model"] {
            targets["\(provider)/\(model)"] = child
          }
        }
        return Outcome(experimentID: experiment, runID: existing, targetRuns: targets, alreadyExported: true)
      }
      for child in try await client.runs(in: experiment, taggedWith: "mlflow.parentRunId", existing) {
        try await client.delete(run: child)
      }
      try await client.delete(run: existing)
    }

    // Read the session's results only once it is known that they are to be written.
    let data = try await ReportData.load(session: sessionID, store: store)
    let summary = try await BenchmarkSummary.build(store: store, sessionID: sessionID)
    let started = session.startedAt ?? session.createdAt
    let run: String
    if let live {
      // Its parameters were logged when it started (MLflow parameters cannot be logged twice).
      run = live
      try await client.logBatch(
        run: run, metrics: totals(summary, at: milliseconds(session.completedAt ?? Date())),
        tags: ["ltb.status": session.status.rawValue, "ltb.export": "partial"])
    } else {
      run = try await client.createRun(
        experiment: experiment, name: session.name, start: started,
        tags: [key: identifier, "ltb.status": session.status.rawValue, "ltb.export": "partial"])
      try await client.logBatch(
        run: run, parameters: parameters(session.suite),
        metrics: totals(summary, at: milliseconds(session.completedAt ?? Date())))
    }

    var targets: [String: String] = [:]
    for group in summary.groups {
      let label = "\(group.provider)/\(group.model)"
      guard targets[label] == nil else { continue }
      let child = try await client.createRun(
        experiment: experiment, name: label, start: started,
        tags: [
          "mlflow.parentRunId": run, key: identifier, "ltb.provider": group.provider,
          "ltb.model": group.model,
        ])
      let graded = data.evaluation.groups.first { $0.provider == group.provider && $0.model == group.model }
      let stamp = milliseconds(session.completedAt ?? Date())
      let rows = data.measuredInSendOrder.filter { $0.provider == group.provider && $0.model == group.model }
      try await client.logBatch(
        run: child, parameters: targetParameters(group),
        metrics: figures(group, graded, at: stamp) + steps(rows))
      try await client.finish(run: child, status: "FINISHED", end: session.completedAt ?? Date())
      targets[label] = child
    }

    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    encoder.dateEncodingStrategy = .iso8601
    try await client.upload(
      run: run, experiment: experiment, path: "summary.json", contents: try encoder.encode(summary),
      contentType: "application/json")
    try await client.upload(
      run: run, experiment: experiment, path: "results.jsonl",
      contents: try await resultLines(store: store, session: sessionID), contentType: "application/x-ndjson")
    try await client.upload(
      run: run, experiment: experiment, path: "evaluation.json",
      contents: try encoder.encode(
        EvaluationArtifact(records: data.records.values.flatMap { $0 }, cases: Array(data.cases.values))),
      contentType: "application/json")
    try await client.upload(
      run: run, experiment: experiment, path: "report.html",
      contents: Data(ReportFormat.html.render(data).utf8),
      contentType: "text/html")
    try await client.logBatch(run: run, tags: ["ltb.export": "complete"])
    let status =
      switch session.status {
      case .completed: "FINISHED"
      case .failed: "FAILED"
      case .cancelled: "KILLED"
      case .pending, .running: "RUNNING"
      }
    if status != "RUNNING" {
      try await client.finish(run: run, status: status, end: session.completedAt ?? Date())
    }
    return Outcome(experimentID: experiment, runID: run, targetRuns: targets, alreadyExported: false)
  }

  /// The suite as the session run's parameters.
  static func parameters(_ suite: BenchmarkSuite) -> [String: String] {
    var parameters: [String: String] = [
      "suite": suite.name, "datasets": suite.datasets.joined(separator: ","),
      "repeats": String(suite.repeats),
      "stream": String(suite.stream), "targets": suite.targets.map(\.label).joined(separator: ","),
      "warmup_requests": String(suite.load.warmupRequests),
    ]
    for (index, phase) in suite.load.phases.enumerated() {
      let prefix = suite.load.phases.count == 1 ? "load" : "load.\(index)"
      parameters["\(prefix).pattern"] = "\(phase.pattern)"
      parameters["\(prefix).concurrency"] = String(phase.concurrency)
      if let rate = phase.rate { parameters["\(prefix).rate"] = String(rate) }
    }
    return parameters
  }

  /// A target's sampling parameters.
  static func targetParameters(_ group: BenchmarkSummary.GroupSummary) -> [String: String] {
    var parameters = ["provider": group.provider, "model": group.model]
    let sampling = group.parameters
    if let value = sampling.temperature { parameters["temperature"] = String(value) }
    if let value = sampling.topP { parameters["top_p"] = String(value) }
    if let value = sampling.topK { parameters["top_k"] = String(value) }
    if let value = sampling.maxTokens { parameters["max_tokens"] = String(value) }
    return parameters
  }

  /// The session's totals.
  static func totals(_ summary: BenchmarkSummary, at stamp: Int) -> [MLflowClient.Metric] {
    let requests = summary.groups.reduce(0) { $0 + $1.requests }
    let succeeded = summary.groups.reduce(0) { $0 + $1.succeeded }
    let cost = summary.groups.reduce(0) { $0 + ($1.costUSD ?? 0) }
    return [
      .init("requests", Double(requests), timestamp: stamp),
      .init("succeeded", Double(succeeded), timestamp: stamp),
      .init("success_rate", requests == 0 ? 0 : Double(succeeded) / Double(requests), timestamp: stamp),
      .init("cost_usd", cost, timestamp: stamp),
    ]
  }

  /// A target's figures: latency percentiles, throughput, tokens, cost and its grading.
  static func figures(
    _ group: BenchmarkSummary.GroupSummary, _ graded: SessionEvaluation.Group?, at stamp: Int
  ) -> [MLflowClient.Metric] {
    var metrics: [MLflowClient.Metric] = [
      .init("requests", Double(group.requests), timestamp: stamp),
      .init("succeeded", Double(group.succeeded), timestamp: stamp),
      .init("success_rate", group.successRate, timestamp: stamp),
      .init("request_throughput", group.requestThroughput, timestamp: stamp),
      .init("output_token_throughput", group.outputTokenThroughput, timestamp: stamp),
      .init("input_tokens", Double(group.inputTokens), timestamp: stamp),
      .init("output_tokens", Double(group.outputTokens), timestamp: stamp),
    ]
    if let cost = group.costUSD { metrics.append(.init("cost_usd", cost, timestamp: stamp)) }
    for (name, distribution) in [
      ("ttft", group.timeToFirstToken), ("e2e", group.endToEnd), ("itl", group.interTokenLatency),
      ("tpot", group.timePerOutputToken),
    ] {
      guard let distribution else { continue }
      for (statistic, value) in [
        ("p50", distribution.p50), ("p90", distribution.p90), ("p99", distribution.p99),
        ("mean", distribution.mean),
      ] {
        metrics.append(.init("\(name)_\(statistic)_ms", value, timestamp: stamp))
      }
    }
    if let graded {
      metrics.append(
        .init(
          "pass_rate", graded.evaluated == 0 ? 0 : Double(graded.pass) / Double(graded.evaluated),
          timestamp: stamp))
      for (name, summary) in graded.metrics {
        let key = name.map { $0.isLetter || $0.isNumber || "_-./ ".contains($0) ? $0 : "_" }
        metrics.append(.init("score.\(String(key)).mean", summary.mean, timestamp: stamp))
        metrics.append(.init("score.\(String(key)).low", summary.low, timestamp: stamp))
        metrics.append(.init("score.\(String(key)).high", summary.high, timestamp: stamp))
        metrics.append(.init("score.\(String(key)).pass_rate", summary.passRate, timestamp: stamp))
      }
    }
    return metrics
  }

  /// Each measured request's latencies as steps, in the order they were sent.
  static func steps(_ results: [BenchmarkResult]) -> [MLflowClient.Metric] {
    var metrics: [MLflowClient.Metric] = []
    for (step, result) in results.enumerated() {
      let stamp = milliseconds(result.createdAt)
      if let value = result.endToEndMs {
        metrics.append(.init("request.e2e_ms", value, timestamp: stamp, step: step))
      }
      if let value = result.timeToFirstTokenMs {
        metrics.append(.init("request.ttft_ms", value, timestamp: stamp, step: step))
      }
      metrics.append(
        .init("request.success", result.status == .success ? 1 : 0, timestamp: stamp, step: step))
    }
    return metrics
  }

  /// The session's results as `ltb export` writes them (JSON lines).
  static func resultLines(store: any BenchStore, session: UUID) async throws -> Data {
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("ltb-mlflow-\(UUID()).jsonl")
    guard FileManager.default.createFile(atPath: file.path, contents: nil),
      let handle = FileHandle(forWritingAtPath: file.path)
    else {
      throw LTBError(.storage, "cannot write a temporary file in \(file.deletingLastPathComponent().path)")
    }
    defer { try? FileManager.default.removeItem(at: file) }
    _ = try await ResultExporter.export(store: store, session: session, format: .jsonl, to: handle)
    try handle.close()
    return try Data(contentsOf: file)
  }

  static func milliseconds(_ date: Date) -> Int { Int(date.timeIntervalSince1970 * 1_000) }
}
