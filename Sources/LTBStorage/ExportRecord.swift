public import Foundation

/// A session's export to one experiment tracker (migration 0010): where it stands, how often it
/// was tried, the last failure and what the tracker calls it.
public struct ExportRecord: Sendable, Hashable {
  /// Where an export stands.
  public enum State: String, Sendable, CaseIterable {
    /// Asked for, not started.
    case pending
    /// Being written now.
    case running
    /// Failed; tried again at `nextAttemptMicros`.
    case retrying
    /// Written in full.
    case complete
    /// Failed on every attempt; `ltb export` or the `exportSession` mutation starts it again.
    case failed
  }

  /// The session exported.
  public var sessionID: UUID
  /// The tracker: `mlflow`, `wandb` or `langsmith`.
  public var tracker: String
  /// Where it stands.
  public var state: State
  /// The tracker's experiment or project ('' for the tracker's default: the suite's name).
  public var experiment: String
  /// Attempts made so far.
  public var attempts: Int
  /// Why the last attempt failed.
  public var lastError: String?
  /// The tracker's id for the export (MLflow's run id, W&B's run path, LangSmith's project id).
  public var externalID: String?
  /// Where to see it in the tracker.
  public var externalURL: String?
  /// Who asked for it through the API; `nil` for the command line.
  public var requestedBy: UUID?
  /// When it was asked for, microseconds since 1970.
  public var requestedMicros: Int64
  /// When it last changed.
  public var updatedMicros: Int64
  /// When it is due to be tried (again).
  public var nextAttemptMicros: Int64

  /// A new export of `sessionID` to `tracker`, due at `now`.
  public init(
    sessionID: UUID, tracker: String, state: State = .pending, experiment: String = "",
    requestedBy: UUID? = nil,
    now: Int64
  ) {
    self.sessionID = sessionID
    self.tracker = tracker
    self.state = state
    self.experiment = experiment
    self.attempts = 0
    self.requestedBy = requestedBy
    self.requestedMicros = now
    self.updatedMicros = now
    self.nextAttemptMicros = now
  }
}

/// Storage of sessions' exports to trackers.
public protocol ExportStore: Sendable {
  /// Inserts or replaces the export of `record.sessionID` to `record.tracker`.
  func saveExport(_ record: ExportRecord) async throws
  /// A session's exports, by tracker.
  func exports(session: UUID) async throws -> [ExportRecord]
  /// Claims up to `limit` exports that are pending, or retrying and due at `now`, marking them
  /// running; each is handed to one caller only.
  func claimDueExports(now: Int64, limit: Int) async throws -> [ExportRecord]
  /// Puts exports left running since before `updatedBefore` (by a process that stopped) back to
  /// pending; how many.
  func releaseRunningExports(updatedBefore: Int64) async throws -> Int
}
