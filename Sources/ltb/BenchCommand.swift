import ArgumentParser
import Foundation
import LTBAlerts
import LTBConfig
import LTBCore
import LTBEngine
import LTBEvaluation
import LTBIntegrations
import LTBProviders
import LTBStorage
import Logging

/// `ltb bench SUITE`: run a benchmark and print its figures; every suite setting can be given
/// (or overridden) on the command line, and `--resume SESSION` finishes an interrupted run.
struct BenchCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bench",
    abstract: "Run a benchmark suite: datasets × providers/models × repeats under a load pattern.")

  @OptionGroup var global: GlobalOptions
  @OptionGroup var storage: DatabaseOption
  @Argument(help: "A suite file (.yaml or .toml); optional when --dataset and --provider are given.")
  var suite: String?
  @Option(name: .long, help: "Resume this session: run only its missing or failed tasks.") var resume: String?
  @Option(name: .long, help: "Write summary.json, results.jsonl and results.csv to this directory.")
  var output: String?
  @OptionGroup var overrides: SuiteOverrides
  @Option(name: .long, help: "Seconds in-flight requests get to finish after Ctrl-C.") var grace: Double = 10
  @OptionGroup var evaluation: EvaluationOptions
  @Flag(name: .long, help: "Do not score the answers after the run (score later with `ltb eval`).")
  var noEval = false
  @Flag(
    name: .long,
    help:
      "Queue the tasks for workers (`ltb worker`) through a coordinator on this store, instead of sending them from here."
  )
  var distributed = false
  @Option(
    name: .long,
    help:
      "Log the session to a tracker: mlflow logs each request as a step while it runs and the whole session when it ends; langsmith and wandb export it when it ends. A tracker that fails never fails the run (retry with `ltb export ID --to TRACKER`)."
  )
  var logTo: [String] = []
  @Option(
    name: .long, help: "With --log-to: the MLflow experiment or LangSmith project (default: as `ltb export`)."
  )
  var experiment: String?

  func run() async throws {
    let configuration = try global.loadConfiguration()
    let finished = try await global.traced(configuration, rootSpan: "ltb bench") {
      try await global.withStore(configuration, database: storage.database) { store in
        try await global.withBenchmarks(configuration, store: store) { service in
          try await bench(
            service, store: store, integrations: IntegrationService(configuration, store: store),
            alerts: AlertService.build(
              configuration, store: store, bus: service.bus, logger: alertLogger(configuration)))
        }
      }
    }
    if finished.status == .cancelled {
      Console.writeError(
        "cancelled; continue with: ltb bench --resume \(finished.id.uuidString.lowercased())")
      throw ExitCode(130)
    }
    if finished.status == .failed { throw ExitCode(1) }
  }

  private func bench(
    _ service: BenchmarkService, store: SQLBenchStore, integrations: IntegrationService, alerts: AlertService
  ) async throws -> BenchmarkSession {
    let trackers = try logTo.map(IntegrationService.tracker)
    for tracker in trackers { try integrations.checkConfigured(tracker) }
    let session: BenchmarkSession
    if let resume {
      guard let existing = try await store.session(try SessionID.parse(resume)) else {
        throw LTBError(.notFound, "no session \(resume)", fix: "list sessions with `ltb sessions list`")
      }
      session = existing
    } else {
      let suite = try overrides.suite(file: suite)
      try alerts.check(suite)
      session = try await service.createSession(suite, distributed: distributed)
    }
    Console.writeError(
      "session \(session.id.uuidString.lowercased()): \(session.totalTasks) tasks → \(store.location)")
    let live =
      trackers.contains(.mlflow)
      ? await integrations.liveLogger(session: session, experiment: experiment ?? "", bus: service.bus) : nil
    let progress = ProgressDisplay(bus: service.bus, sessionID: session.id)
    let signals = SignalHandler { Task { await service.cancel(sessionID: session.id) } }
    let watching = await alerts.start()
    defer { watching.cancel() }
    let outcome: BenchmarkService.Outcome
    do {
      outcome = try await service.run(
        sessionID: session.id,
        options: .init(
          cancellationGrace: .milliseconds(Int64(grace * 1_000)), grade: !noEval,
          evaluation: evaluation.settings, distributed: distributed))
    } catch {
      signals.stop()
      progress.stop()
      throw error
    }
    signals.stop()
    await progress.finish()
    // Resolutions at the run's end and notifications under way get their few seconds.
    watching.cancel()
    await watching.value
    let finished = outcome.session
    let summary = try await service.summary(sessionID: session.id)
    print(
      "\nsession \(session.id.uuidString.lowercased())  \(finished.status.rawValue)\(finished.stopReason.map { " (\($0))" } ?? "")"
    )
    SummaryPrinter.print(summary, suite: finished.suite)
    if let evaluation = outcome.evaluation { EvaluationPrinter.print(evaluation) }
    if let output { try await writeOutput(output, summary: summary, store: store, session: session.id) }
    if let failure = await live?.finish().failure {
      Console.writeError("MLflow stopped taking the live log: \(failure)")
    }
    for tracker in trackers {
      await logSession(session.id, to: tracker, integrations: integrations)
    }
    if let failure = outcome.gradingFailure { throw failure }
    return finished
  }

  /// Exports the finished session to `tracker`; a failure is reported, recorded on the session
  /// and does not fail the run.
  private func logSession(
    _ id: UUID, to tracker: IntegrationService.Tracker, integrations: IntegrationService
  ) async {
    let command = "ltb export \(id.uuidString.lowercased()) --to \(tracker.rawValue)"
    do {
      let outcome = try await integrations.export(
        session: id, to: tracker, experiment: experiment, queueOnFailure: true)
      Console.writeError("logged to \(tracker.rawValue) as \(outcome.summary): \(outcome.url)")
    } catch {
      let reason = (error as? LTBError)?.message ?? "\(error)"
      let record = try? await integrations.exports(session: id).first { $0.tracker == tracker.rawValue }
      if let record, record.state == .retrying {
        let wait = max(0, (record.nextAttemptMicros - WallClock.nowMicros) / 1_000_000)
        Console.writeError(
          "could not log to \(tracker.rawValue): \(reason); queued: `ltb serve` on this database tries again in \(wait) s (attempt \(record.attempts + 1) of \(integrations.settings.attempts)), or now with: \(command)"
        )
      } else {
        Console.writeError(
          "could not log to \(tracker.rawValue): \(reason); the session is stored — export it with: \(command)"
        )
      }
    }
  }

  /// The alert service's log: warnings and errors only, since the progress output shows each
  /// alert as it fires and resolves.
  private func alertLogger(_ configuration: LTBConfiguration) -> Logger {
    var logger = global.logger(configuration, label: "ltb.alerts")
    logger.logLevel = max(logger.logLevel, .warning)
    return logger
  }

  private func writeOutput(
    _ directory: String, summary: BenchmarkSummary, store: SQLBenchStore, session: UUID
  ) async throws {
    do {
      try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    } catch {
      throw LTBError(.invalidInput, "cannot create \(directory)", fix: "choose a writable --output directory")
    }
    try Data(try Console.json(summary).utf8).write(to: URL(fileURLWithPath: directory + "/summary.json"))
    for (name, format) in [("results.jsonl", ResultExporter.Format.jsonl), ("results.csv", .csv)] {
      let path = directory + "/" + name
      _ = FileManager.default.createFile(atPath: path, contents: nil)
      guard let handle = FileHandle(forWritingAtPath: path) else {
        throw LTBError(.invalidInput, "cannot write \(path)", fix: "choose a writable --output directory")
      }
      try await ResultExporter.export(store: store, session: session, format: format, to: handle)
      try handle.close()
    }
    Console.writeError("wrote summary.json, results.jsonl and results.csv to \(directory)")
  }
}

/// Every suite setting as a command-line option; given options override the suite file.
struct SuiteOverrides: ParsableArguments {
  @Option(name: .long, help: "A dataset file (repeatable); replaces the suite's datasets.") var dataset:
    [String] = []
  @Option(name: .long, help: "A provider to run against (repeatable); replaces the suite's targets.")
  var provider: [String] = []
  @Option(name: .long, help: "Models for the --provider targets (comma-separated).") var model: String?
  @Option(name: .long, help: "A name for the session.") var name: String?
  @Option(name: .long, help: "What the session is for.") var description: String?
  @Option(name: .long, help: "A label stored with the session (repeatable).") var tag: [String] = []
  @Option(
    name: .long,
    help:
      "Cross every target with these parameter values, e.g. temperature=0,0.7 (repeatable; keys: temperature, top_p, top_k, max_tokens, seed, presence_penalty, frequency_penalty)."
  )
  var matrix: [String] = []
  @Option(name: .long, help: "Sampling temperature for every target.") var temperature: Double?
  @Option(name: .long, help: "Most tokens to generate, for every target.") var maxTokens: Int?
  @Option(name: .long, help: "Repeats of each case.") var repeats: Int?
  @Option(name: .long, help: "Closed-loop size, or the open loop's cap on requests in flight.")
  var concurrency: Int?
  @Option(name: .long, help: "closed-loop, constant or poisson.", transform: ArgumentValue.parse) var pattern:
    LoadPattern?
  @Option(name: .long, help: "Requests per second for constant and poisson.") var rate: Double?
  @Option(name: .long, help: "Sweep these rates (comma-separated); needs --pattern constant or poisson.")
  var sweepRates: String?
  @Option(name: .long, help: "Sweep these concurrencies (comma-separated), closed loop.")
  var sweepConcurrency: String?
  @Option(name: .long, help: "Requests per sweep step.") var sweepRequests: Int?
  @Option(name: .long, help: "Seed of the Poisson arrivals.") var seed: UInt64?
  @Option(name: .long, help: "Warm-up requests per phase, excluded from the figures.") var warmup: Int?
  @Option(name: .long, help: "Stop after this many requests.") var maxRequests: Int?
  @Option(name: .long, help: "Stop after this many seconds.") var maxDuration: Double?
  @Option(name: .long, help: "Stop when the error rate exceeds this (0–1).") var maxErrorRate: Double?
  @Option(name: .long, help: "Stop when the cost of the models under test exceeds this many dollars.")
  var maxCost: Double?
  @Option(name: .long, help: "Per-request time limit in milliseconds.") var timeoutMs: Int?
  @Option(name: .long, help: "SLO: time to first token at most this many ms.") var sloTtftMs: Double?
  @Option(name: .long, help: "SLO: end-to-end latency at most this many ms.") var sloE2eMs: Double?
  @Option(name: .long, help: "SLO: time per output token at most this many ms.") var sloTpotMs: Double?
  @Option(name: .long, help: "SLO: at least this many output tokens per second per request.")
  var sloMinTokensPerSecond: Double?
  @Option(
    name: .long, help: "Response cache: off, read-write or replay-only.", transform: ArgumentValue.parse)
  var cache: CacheMode?
  @Flag(name: .long, help: "Do not stream (no TTFT or ITL).") var noStream = false

  func validate() throws {
    if let concurrency, concurrency < 1 { throw ValidationError("--concurrency must be at least 1") }
    if let rate, rate <= 0 { throw ValidationError("--rate must be positive") }
    if let repeats, repeats < 1 { throw ValidationError("--repeats must be at least 1") }
    if let maxErrorRate, !(0...1).contains(maxErrorRate) {
      throw ValidationError("--max-error-rate must be between 0 and 1")
    }
    if let temperature, !(0...2).contains(temperature) {
      throw ValidationError("--temperature must be between 0 and 2")
    }
  }

  /// The suite from `file` (or from the options alone), with every given option applied.
  func suite(file: String?) throws -> BenchmarkSuite {
    var suite: BenchmarkSuite
    if let file {
      suite = try SuiteLoader.load(path: file)
    } else {
      guard !dataset.isEmpty, !provider.isEmpty else {
        throw LTBError(
          .invalidInput, "no suite file, and no --dataset and --provider",
          fix: "pass a suite file, or --dataset FILE --provider NAME")
      }
      suite = BenchmarkSuite(name: name ?? "ad-hoc", datasets: [], targets: [])
    }
    if !dataset.isEmpty {
      suite.datasets = try dataset.map { path in
        guard FileManager.default.fileExists(atPath: path) else {
          throw LTBError(.invalidInput, "the dataset \(path) does not exist", fix: "check the --dataset path")
        }
        return URL(fileURLWithPath: path).standardizedFileURL.path
      }
    }
    if !provider.isEmpty {
      let models: [String?] = model.map { $0.split(separator: ",").map { String($0) } } ?? [nil]
      suite.targets = provider.flatMap { name in models.map { BenchmarkTarget(provider: name, model: $0) } }
    } else if let model {
      suite.targets = suite.targets.flatMap { target in
        model.split(separator: ",").map {
          BenchmarkTarget(provider: target.provider, model: String($0), parameters: target.parameters)
        }
      }
    }
    for index in suite.targets.indices {
      if let temperature { suite.targets[index].parameters.temperature = temperature }
      if let maxTokens { suite.targets[index].parameters.maxTokens = maxTokens }
    }
    for entry in matrix { suite.targets = try crossed(suite.targets, with: entry) }
    if let name { suite.name = name }
    if let description { suite.description = description }
    if !tag.isEmpty { suite.tags += tag }
    if let repeats { suite.repeats = repeats }
    try applyLoad(to: &suite)
    if let seed { suite.load.seed = seed }
    if let warmup { suite.load.warmupRequests = warmup }
    if let maxRequests { suite.stop.maxRequests = maxRequests }
    if let maxDuration { suite.stop.maxDurationSeconds = maxDuration }
    if let maxErrorRate { suite.stop.maxErrorRate = maxErrorRate }
    if let maxCost { suite.stop.maxCostUSD = maxCost }
    if let timeoutMs { suite.requestTimeoutMilliseconds = timeoutMs }
    if let sloTtftMs { suite.slo.maxTimeToFirstTokenMs = sloTtftMs }
    if let sloE2eMs { suite.slo.maxEndToEndMs = sloE2eMs }
    if let sloTpotMs { suite.slo.maxTimePerOutputTokenMs = sloTpotMs }
    if let sloMinTokensPerSecond { suite.slo.minOutputTokensPerSecond = sloMinTokensPerSecond }
    if let cache { suite.cache = cache }
    if noStream { suite.stream = false }
    try SuiteLoader.validate(suite, origin: "the command line")
    return suite
  }

  private func applyLoad(to suite: inout BenchmarkSuite) throws {
    if pattern != nil || rate != nil || concurrency != nil {
      for index in suite.load.phases.indices {
        if let pattern { suite.load.phases[index].pattern = pattern }
        if let rate { suite.load.phases[index].rate = rate }
        if let concurrency { suite.load.phases[index].concurrency = concurrency }
        if suite.load.phases[index].pattern != .closedLoop {
          if suite.load.phases[index].rate == nil {
            throw LTBError(
              .invalidInput, "the \(suite.load.phases[index].pattern.rawValue) pattern needs a rate",
              fix: "add --rate N")
          }
          if concurrency == nil, suite.load.phases[index].concurrency == 1 {
            suite.load.phases[index].concurrency = 1_024
          }
        }
      }
    }
    let base = suite.load.phases.first ?? LoadPhase()
    if let sweepRates {
      guard base.pattern != .closedLoop else {
        throw LTBError(
          .invalidInput, "--sweep-rates needs an open-loop pattern",
          fix: "add --pattern constant or --pattern poisson")
      }
      suite.load.phases = try numbers(sweepRates, option: "--sweep-rates").map {
        LoadPhase(pattern: base.pattern, concurrency: base.concurrency, rate: $0, maxRequests: sweepRequests)
      }
    } else if let sweepConcurrency {
      suite.load.phases = try numbers(sweepConcurrency, option: "--sweep-concurrency").map {
        LoadPhase(pattern: .closedLoop, concurrency: Int($0), maxRequests: sweepRequests)
      }
    } else if let sweepRequests {
      for index in suite.load.phases.indices { suite.load.phases[index].maxRequests = sweepRequests }
    }
  }

  /// Every target once per value of one parameter, from `KEY=V1,V2`.
  private func crossed(_ targets: [BenchmarkTarget], with entry: String) throws -> [BenchmarkTarget] {
    let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
    let keys = [
      "temperature", "top_p", "top_k", "max_tokens", "seed", "presence_penalty", "frequency_penalty",
    ]
    guard parts.count == 2, keys.contains(parts[0]) else {
      throw LTBError(
        .invalidInput, "--matrix '\(entry)' is not KEY=V1,V2 with a known key",
        fix: "write e.g. --matrix temperature=0,0.7; keys: \(keys.joined(separator: ", "))")
    }
    let values = try parts[1].split(separator: ",").map { text -> Double in
      guard let value = Double(text.trimmingCharacters(in: .whitespaces)) else {
        throw LTBError(
          .invalidInput, "--matrix value '\(text)' is not a number",
          fix: "write numbers, e.g. temperature=0,0.7")
      }
      return value
    }
    return targets.flatMap { target in
      values.map { value in
        var crossed = target
        switch parts[0] {
        case "temperature": crossed.parameters.temperature = value
        case "top_p": crossed.parameters.topP = value
        case "top_k": crossed.parameters.topK = Int(value)
        case "max_tokens": crossed.parameters.maxTokens = Int(value)
        case "seed": crossed.parameters.seed = Int(value)
        case "presence_penalty": crossed.parameters.presencePenalty = value
        default: crossed.parameters.frequencyPenalty = value
        }
        return crossed
      }
    }
  }

  private func numbers(_ text: String, option: String) throws -> [Double] {
    try text.split(separator: ",").map { part in
      guard let value = Double(part.trimmingCharacters(in: .whitespaces)), value > 0 else {
        throw LTBError(
          .invalidInput, "\(option) '\(text)' is not a list of positive numbers",
          fix: "write e.g. \(option) 1,2,4")
      }
      return value
    }
  }
}

/// Parses enum-valued options, naming the allowed values on a mistake.
enum ArgumentValue {
  static func parse<Value: RawRepresentable & CaseIterable>(_ text: String) throws -> Value
  where Value.RawValue == String {
    guard let value = Value(rawValue: text) else {
      throw ValidationError(
        "'\(text)' is not one of \(Value.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    return value
  }
}
