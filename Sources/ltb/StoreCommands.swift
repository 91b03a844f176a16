import ArgumentParser
import Foundation
import LTBConfig
import LTBCore
import LTBEngine
import LTBEvaluation
import LTBIntegrations
import LTBStorage

/// `ltb migrate`.
struct MigrateCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "migrate", abstract: "Apply pending database migrations.")

  @OptionGroup var global: GlobalOptions
  @OptionGroup var storage: DatabaseOption

  func run() async throws {
    let configuration = try global.loadConfiguration()
    let (applied, location) = try await global.withStore(
      configuration, database: storage.database, migrations: .skip
    ) { store in (try await store.migrate(), store.location) }
    print(
      applied.isEmpty
        ? "up to date: \(location)" : "applied \(applied.joined(separator: ", ")) to \(location)")
  }
}

/// `ltb sessions list|show`.
struct SessionsCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "sessions", abstract: "List and inspect benchmark sessions.",
    subcommands: [List.self, Show.self])

  struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Sessions, newest first.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var storage: DatabaseOption
    @Option(
      name: .long, help: "Only sessions with this status (pending, running, completed, failed, cancelled).",
      transform: ArgumentValue.parse)
    var status: SessionStatus?
    @Option(name: .long, help: "Page size.")
    var limit = 20
    @Option(name: .long, help: "The cursor printed at the end of the previous page.")
    var cursor: String?

    func run() async throws {
      try await global.withStore(try global.loadConfiguration(), database: storage.database) { store in
        let page = try await store.sessions(status: status, owner: nil, limit: limit, cursor: cursor)
        for session in page.items {
          let counts = try await store.resultCounts(session: session.id)
          let done = counts.values.reduce(0, +)
          print(
            "\(session.id.uuidString.lowercased())  \(session.status.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0))  "
              + "\(done)/\(session.totalTasks)  \(Console.timestamp(session.createdAt))  \(session.name)")
        }
        if let next = page.nextCursor { print("next page: --cursor \(next)") }
      }
    }
  }

  struct Show: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "A session's suite, status and summary.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var storage: DatabaseOption
    @Argument(help: "The session id.")
    var session: String
    @Flag(name: .long, help: "Print the summary as JSON.")
    var json = false

    func run() async throws {
      try await global.withStore(try global.loadConfiguration(), database: storage.database) { store in
        let id = try SessionID.parse(session)
        guard let record = try await store.session(id) else {
          throw LTBError(.notFound, "no session \(session)", fix: "list sessions with `ltb sessions list`")
        }
        let summary = try await BenchmarkSummary.build(store: store, sessionID: id)
        if json {
          print(try Console.json(summary))
        } else {
          print(
            "session \(id.uuidString.lowercased())  \(record.name)  \(record.status.rawValue)\(record.stopReason.map { " (\($0))" } ?? "")"
          )
          print(
            "created \(Console.timestamp(record.createdAt))  tasks \(record.totalTasks)  datasets \(record.suite.datasets.joined(separator: ", "))"
          )
          SummaryPrinter.print(summary, suite: record.suite)
          for export in try await store.exports(session: id) { print(Self.describe(export)) }
        }
      }
    }
  }
}

extension SessionsCommand.Show {
  /// One line for an export of the session: where it went, or why not and what happens next.
  static func describe(_ export: ExportRecord) -> String {
    let head = "export to \(export.tracker): \(export.state.rawValue), \(export.attempts) attempt(s)"
    switch export.state {
    case .complete: return head + ": " + (export.externalURL ?? export.externalID ?? "")
    case .retrying:
      let next = Console.timestamp(Date(timeIntervalSince1970: Double(export.nextAttemptMicros) / 1e6))
      return head + ", next at \(next) by `ltb serve`: \(export.lastError ?? "")"
    case .failed: return head + ": \(export.lastError ?? "")"
    case .pending, .running: return head
    }
  }
}

/// `ltb results query`.
struct ResultsCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "results", abstract: "Query stored results.", subcommands: [Query.self])

  struct Query: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Results by session, provider, model, dates, tags, status, score or text.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var storage: DatabaseOption
    @Option(name: .long, help: "Session id.") var session: String?
    @Option(name: .long, help: "Provider name.") var provider: String?
    @Option(name: .long, help: "Model.") var model: String?
    @Option(name: .long, help: "Case id.") var test: String?
    @Option(name: .long, help: "An OpenTelemetry trace id (32 hex digits): that trace's results.")
    var traceId: String?
    @Option(name: .long, help: "Sent at or after (ISO 8601).") var from: String?
    @Option(name: .long, help: "Sent before (ISO 8601).") var to: String?
    @Option(name: .long, help: "Any of these tags (comma-separated).") var tags: String?
    @Option(name: .long, help: "Statuses (comma-separated: success, failure, timeout, skipped).") var status:
      String?
    @Option(name: .long, help: "METRIC=VALUE: at least VALUE on METRIC.") var minScore: String?
    @Option(name: .long, help: "Words in the prompt or the response.") var text: String?
    @Option(name: .long, help: "Sort by created_at, duration_ms, ttft_ms or total_cost.") var orderBy:
      String = "created_at"
    @Flag(name: .long, help: "Ascending order.") var ascending = false
    @Option(name: .long, help: "Page size (1–1000).") var limit = 20
    @Option(name: .long, help: "The cursor printed at the end of the previous page.") var cursor: String?
    @Flag(name: .long, help: "One JSON object per line.") var jsonl = false

    func run() async throws {
      var query = ResultQuery(limit: limit, cursor: cursor)
      query.sessionID = try session.map(SessionID.parse)
      query.provider = provider
      query.model = model
      query.testID = test
      if let traceId {
        guard traceId.count == 32, traceId.allSatisfy(\.isHexDigit) else {
          throw LTBError(
            .invalidInput, "--trace-id '\(traceId.prefix(40))' is not a trace id",
            fix: "pass the 32 hex digits of a result's trace_id")
        }
        query.traceID = traceId.lowercased()
      }
      query.from = try from.map { try Console.date($0, option: "--from") }
      query.to = try to.map { try Console.date($0, option: "--to") }
      query.tagsAny = tags?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } ?? []
      query.statuses =
        try status?.split(separator: ",").map { name in
          guard let status = ResultStatus(rawValue: name.trimmingCharacters(in: .whitespaces)) else {
            throw LTBError(
              .invalidInput, "unknown status '\(name)'", fix: "use success, failure, timeout or skipped")
          }
          return status
        } ?? []
      if let minScore {
        let parts = minScore.split(separator: "=", maxSplits: 1)
        guard parts.count == 2, let value = Double(parts[1]) else {
          throw LTBError(
            .invalidInput, "--min-score '\(minScore)' is not METRIC=VALUE",
            fix: "write e.g. --min-score bleu=0.3")
        }
        query.minimumScore = ScoreThreshold(metric: String(parts[0]), value: value)
      }
      query.text = text
      guard let order = ResultOrder(rawValue: orderBy) else {
        throw LTBError(
          .invalidInput, "unknown --order-by '\(orderBy)'",
          fix: "use created_at, duration_ms, ttft_ms or total_cost")
      }
      query.order = order
      query.descending = !ascending
      let page = try await global.withStore(try global.loadConfiguration(), database: storage.database) {
        try await $0.results(query)
      }
      for result in page.items {
        if jsonl {
          print(try Console.json(result, pretty: false))
        } else {
          let ttft = result.timeToFirstTokenMs.map { Console.milliseconds($0) } ?? "-"
          print(
            "\(result.id.uuidString.lowercased().prefix(8))  \(result.status.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0))  "
              + "\(result.provider)/\(result.model)  \(result.testID)  TTFT \(ttft)  total \(Console.milliseconds(result.durationMs))  "
              + (result.traceID.map { "trace \($0)  " } ?? "")
              + "\(result.response.map { String($0.prefix(60)).replacingOccurrences(of: "\n", with: " ") } ?? result.error ?? "")"
          )
        }
      }
      if let next = page.nextCursor { print("next page: --cursor \(next)") }
    }
  }
}

/// `ltb export SESSION --format json|jsonl|csv`.
struct ExportCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "export",
    abstract:
      "Write every result of a session as JSON, JSONL or CSV, or export the session to MLflow, LangSmith or W&B."
  )
  @OptionGroup var global: GlobalOptions
  @OptionGroup var storage: DatabaseOption
  @Argument(help: "The session id.") var session: String
  @Option(name: .long, help: "json, jsonl or csv.", transform: ArgumentValue.parse) var format:
    ResultExporter.Format = .jsonl
  @Option(name: [.short, .long], help: "The file to write; standard output when omitted.") var output: String?
  @Option(
    name: .long,
    help:
      "mlflow: log the session as runs (summary, per-target figures, artifacts) to [integrations.mlflow]; langsmith: an experiment of trace runs with the verdicts as feedback ([integrations.langsmith]); wandb: a run with a step per request, the per-case table and the figures ([integrations.wandb]); llamaindex: write its verdicts as LlamaIndex EvaluationResults (to --output or standard output)."
  )
  var to: String?
  @Option(
    name: .long,
    help:
      "The MLflow experiment (default: [integrations.mlflow] experiment, else the suite's name) or the LangSmith project (default: the suite's name and the session's first 8 hex digits)."
  )
  var experiment: String?

  func run() async throws {
    let id = try SessionID.parse(session)
    let configuration = try global.loadConfiguration()
    try await global.withStore(configuration, database: storage.database) { store in
      guard try await store.session(id) != nil else {
        throw LTBError(.notFound, "no session \(session)", fix: "list sessions with `ltb sessions list`")
      }
      if to == "llamaindex" {
        let text = LlamaIndexEvaluations.document(try await ReportData.load(session: id, store: store))
          .serialized(sortedKeys: true)
        if let output {
          do {
            try Data((text + "\n").utf8).write(to: URL(fileURLWithPath: output))
          } catch {
            throw LTBError(.invalidInput, "cannot write \(output)", fix: "choose a writable path")
          }
          Console.writeError("wrote LlamaIndex evaluation results to \(output)")
        } else {
          print(text)
        }
        return
      }
      if let to {
        try await Self.export(id, to: to, experiment: experiment, configuration: configuration, store: store)
        return
      }
      let handle: FileHandle
      if let output {
        guard FileManager.default.createFile(atPath: output, contents: nil),
          let file = FileHandle(forWritingAtPath: output)
        else {
          throw LTBError(.invalidInput, "cannot write \(output)", fix: "choose a writable path")
        }
        handle = file
      } else {
        handle = FileHandle.standardOutput
      }
      let count = try await ResultExporter.export(store: store, session: id, format: format, to: handle)
      if output != nil {
        try? handle.close()
        Console.writeError("wrote \(count) results to \(output ?? "")")
      }
    }
  }
}

extension ExportCommand {
  /// Exports a session to a tracker, recorded on the session.
  static func export(
    _ id: UUID, to target: String, experiment: String?, configuration: LTBConfiguration, store: any BenchStore
  ) async throws {
    let service = IntegrationService(configuration, store: store)
    let outcome = try await service.export(
      session: id, to: try IntegrationService.tracker(target), experiment: experiment)
    let verb = outcome.alreadyExported ? "already exported as" : "exported as"
    Console.writeError("\(verb) \(outcome.summary): \(outcome.url)")
    print(outcome.externalID)
  }
}

/// Session ids as users type them.
enum SessionID {
  static func parse(_ text: String) throws -> UUID {
    guard let id = UUID(uuidString: text) else {
      throw LTBError(
        .invalidInput, "'\(text)' is not a session id", fix: "copy an id from `ltb sessions list`")
    }
    return id
  }
}
