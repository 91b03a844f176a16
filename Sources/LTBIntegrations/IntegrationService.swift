public import Foundation
public import LTBConfig
public import LTBCore
public import LTBEngine
public import LTBStorage

/// The one door to the trackers (spec 3.2): exports a session to MLflow, W&B or LangSmith and
/// imports a dataset from LangSmith or LlamaIndex, for the command line, the API and the export
/// queue alike.
///
/// Every export is recorded on the session (`session_exports`): the command line exports at once
/// and records the outcome; the API records a pending export that `ltb serve`'s queue writes,
/// retrying a tracker that fails with a doubling wait until the configured attempts run out.
/// Nothing here runs inside a benchmark, so a tracker that is down never slows one.
public struct IntegrationService: Sendable {
  /// The trackers sessions are exported to.
  public enum Tracker: String, Sendable, CaseIterable {
    /// MLflow's REST API (`[integrations.mlflow]`).
    case mlflow
    /// LangSmith's API (`[integrations.langsmith]`).
    case langsmith
    /// Weights & Biases (`[integrations.wandb]`).
    case wandb
  }

  let store: any BenchStore
  let mlflow: MLflowSettings
  let langsmith: LangSmithSettings
  let wandb: WandbSettings
  /// How exports are retried, and where imported datasets go.
  public let settings: ExportSettings

  /// The service over `store` with the trackers' settings.
  public init(
    store: any BenchStore, mlflow: MLflowSettings, langsmith: LangSmithSettings,
    wandb: WandbSettings = WandbSettings(), exports: ExportSettings
  ) {
    self.store = store
    self.mlflow = mlflow
    self.langsmith = langsmith
    self.wandb = wandb
    self.settings = exports
  }

  /// The service over `store` with `configuration`'s `[integrations]`.
  public init(_ configuration: LTBConfiguration, store: any BenchStore) {
    self.init(
      store: store, mlflow: configuration.mlflow, langsmith: configuration.langsmith,
      wandb: configuration.wandb,
      exports: configuration.exports)
  }

  /// A tracker by the name users type.
  public static func tracker(_ name: String) throws -> Tracker {
    guard let tracker = Tracker(rawValue: name.lowercased()) else {
      throw LTBError(
        .invalidInput, "cannot export to '\(name)'",
        fix: "use \(Tracker.allCases.map(\.rawValue).joined(separator: ", ")) (or llamaindex for a file)")
    }
    return tracker
  }

  /// Whether any tracker is configured (the server runs its export queue only then).
  public var hasTrackers: Bool { Tracker.allCases.contains { (try? checkConfigured($0)) != nil } }

  /// Checks that `tracker` is configured, before anything is recorded or sent.
  public func checkConfigured(_ tracker: Tracker) throws {
    switch tracker {
    case .mlflow:
      _ = try MLflowClient(settings: mlflow)
    case .langsmith:
      _ = try LangSmithClient(settings: langsmith)
    case .wandb:
      _ = try WandbClient(settings: wandb)
    }
  }

  /// Exports `session` to `tracker` now, recording the attempt and its outcome on the session.
  /// A failure is thrown and recorded as `failed`, or with `queueOnFailure` as `retrying`, for
  /// the export queue of `ltb serve` to try again (`ltb bench --log-to`: a tracker that is down
  /// when a run ends gets the session later).
  @discardableResult
  public func export(
    session: UUID, to tracker: Tracker, experiment: String? = nil, requestedBy: UUID? = nil,
    queueOnFailure: Bool = false
  ) async throws -> ExportOutcome {
    try checkConfigured(tracker)
    guard try await store.session(session) != nil else {
      throw LTBError(
        .notFound, "no session \(session.lowercasedText)", fix: "list sessions with `ltb sessions list`")
    }
    var record = ExportRecord(
      sessionID: session, tracker: tracker.rawValue, state: .running, experiment: experiment ?? "",
      requestedBy: requestedBy, now: WallClock.nowMicros)
    if let previous = try await store.exports(session: session).first(where: {
      $0.tracker == tracker.rawValue
    }) {
      record.attempts = previous.attempts
      record.requestedMicros = previous.requestedMicros
    }
    return try await attempt(&record, finalOnFailure: !queueOnFailure)
  }

  /// Starts logging `session` to MLflow while it runs (`MLflowExporter` completes the run at
  /// its end); `nil` when MLflow is not configured.
  public func liveLogger(session: BenchmarkSession, experiment: String, bus: EventBus) async
    -> MLflowLiveLogger?
  {
    guard let client = try? MLflowClient(settings: mlflow) else { return nil }
    return await MLflowLiveLogger(
      session: session, client: client,
      experiment: experiment.isEmpty ? mlflow.experiment : experiment, bus: bus)
  }

  /// Records an export of `session` to `tracker` for the queue (`runDue`) to write, and returns it.
  public func requestExport(
    session: UUID, to tracker: Tracker, experiment: String?, requestedBy: UUID?
  ) async throws -> ExportRecord {
    try checkConfigured(tracker)
    let now = WallClock.nowMicros
    if let running = try await store.exports(session: session).first(where: {
      $0.tracker == tracker.rawValue && [.pending, .running].contains($0.state)
    }) {
      return running
    }
    let record = ExportRecord(
      sessionID: session, tracker: tracker.rawValue, experiment: experiment ?? "", requestedBy: requestedBy,
      now: now)
    try await store.saveExport(record)
    return record
  }

  /// Writes the exports that are due (pending, or retrying and past their wait); returns how many
  /// were tried. A failure is retried after `retry_seconds`, doubled each time, until `attempts`.
  /// `failed` hears of each failure with the record as saved.
  @discardableResult
  public func runDue(
    limit: Int = 4, failed: @Sendable (ExportRecord, any Error) -> Void = { _, _ in }
  ) async throws -> Int {
    let claimed = try await store.claimDueExports(now: WallClock.nowMicros, limit: limit)
    for var record in claimed {
      do {
        _ = try await attempt(&record, finalOnFailure: false)
      } catch {
        failed(record, error)
      }
    }
    return claimed.count
  }

  /// Puts exports left running for longer than `age` back in the queue; how many.
  public func releaseStale(olderThan age: Duration) async throws -> Int {
    try await store.releaseRunningExports(
      updatedBefore: WallClock.nowMicros - Int64(age.components.seconds) * 1_000_000)
  }

  /// A session's exports, by tracker.
  public func exports(session: UUID) async throws -> [ExportRecord] {
    try await store.exports(session: session)
  }

  /// One attempt at `record`, saved before and after.
  private func attempt(_ record: inout ExportRecord, finalOnFailure: Bool) async throws -> ExportOutcome {
    record.attempts += 1
    record.state = .running
    record.updatedMicros = WallClock.nowMicros
    try await store.saveExport(record)
    do {
      let outcome = try await write(record)
      record.state = .complete
      record.lastError = nil
      record.externalID = outcome.externalID
      record.externalURL = outcome.url
      record.updatedMicros = WallClock.nowMicros
      try await store.saveExport(record)
      return outcome
    } catch {
      let now = WallClock.nowMicros
      // retry_seconds, doubled for each attempt after the first (capped at 2^20).
      let wait = (Int64(settings.retrySeconds) * 1_000_000) << Int64(min(max(record.attempts - 1, 0), 20))
      record.lastError = (error as? LTBError)?.message ?? "\(error)"
      record.state = finalOnFailure || record.attempts >= settings.attempts ? .failed : .retrying
      record.updatedMicros = now
      record.nextAttemptMicros = record.state == .retrying ? now + wait : now
      try await store.saveExport(record)
      throw error
    }
  }

  /// Writes one export to its tracker.
  private func write(_ record: ExportRecord) async throws -> ExportOutcome {
    guard let tracker = Tracker(rawValue: record.tracker) else {
      throw LTBError(.invalidInput, "unknown tracker '\(record.tracker)'")
    }
    switch tracker {
    case .mlflow:
      let client = try MLflowClient(settings: mlflow)
      let outcome = try await MLflowExporter.export(
        session: record.sessionID, store: store, client: client,
        experiment: record.experiment.isEmpty ? mlflow.experiment : record.experiment)
      return ExportOutcome(
        tracker: .mlflow, externalID: outcome.runID,
        url: "\(client.trackingURI)/#/experiments/\(outcome.experimentID)/runs/\(outcome.runID)",
        summary:
          "run \(outcome.runID) with \(outcome.targetRuns.count) target runs in experiment \(outcome.experimentID)",
        alreadyExported: outcome.alreadyExported)
    case .langsmith:
      let client = try LangSmithClient(settings: langsmith)
      let outcome = try await LangSmithExporter.export(
        session: record.sessionID, store: store, client: client, project: record.experiment)
      return ExportOutcome(
        tracker: .langsmith, externalID: outcome.projectID, url: outcome.url,
        summary:
          "project '\(outcome.projectName)' with \(outcome.runs) runs and \(outcome.feedback) feedback scores",
        alreadyExported: outcome.alreadyExported)
    case .wandb:
      let outcome = try await WandbExporter.export(
        session: record.sessionID, store: store, client: try WandbClient(settings: wandb), settings: wandb,
        project: record.experiment)
      return ExportOutcome(
        tracker: .wandb, externalID: outcome.path, url: outcome.url,
        summary: "run \(outcome.path) with \(outcome.steps) steps and a \(outcome.rows)-row table",
        alreadyExported: false)
    }
  }

  /// Imports datasets from LangSmith and LlamaIndex.
  public var importer: DatasetImporter {
    DatasetImporter(langsmith: langsmith, importDirectory: settings.importDirectory)
  }
}

/// What an export wrote.
public struct ExportOutcome: Sendable {
  /// The tracker.
  public var tracker: IntegrationService.Tracker
  /// The tracker's id for it.
  public var externalID: String
  /// Where to see it.
  public var url: String
  /// One line saying what was written.
  public var summary: String
  /// True when it had been exported in full before and nothing was written.
  public var alreadyExported: Bool
}
