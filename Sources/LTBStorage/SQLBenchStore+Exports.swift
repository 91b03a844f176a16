public import Foundation
import SQLKit

/// Sessions' exports to trackers (migration 0010).
extension SQLBenchStore {
  /// Inserts or replaces the export of `record.sessionID` to `record.tracker`.
  public func saveExport(_ record: ExportRecord) async throws {
    try await connections.write { database in
      try await database.raw(
        """
        INSERT INTO session_exports (session_id, tracker, state, experiment, attempts, last_error, external_id,
          external_url, requested_by, requested_us, updated_us, next_attempt_us)
        VALUES (\(bind: record.sessionID), \(bind: record.tracker), \(bind: record.state.rawValue),
          \(bind: record.experiment), \(bind: record.attempts), \(bind: record.lastError), \(bind: record.externalID),
          \(bind: record.externalURL), \(bind: record.requestedBy), \(bind: record.requestedMicros),
          \(bind: record.updatedMicros), \(bind: record.nextAttemptMicros))
        ON CONFLICT (session_id, tracker) DO UPDATE SET state = excluded.state, experiment = excluded.experiment,
          attempts = excluded.attempts, last_error = excluded.last_error, external_id = excluded.external_id,
          external_url = excluded.external_url, requested_by = excluded.requested_by,
          requested_us = excluded.requested_us, updated_us = excluded.updated_us,
          next_attempt_us = excluded.next_attempt_us
        """
      ).run()
    }
  }

  /// A session's exports, by tracker.
  public func exports(session: UUID) async throws -> [ExportRecord] {
    try await connections.read { database in
      try await database.raw(
        "SELECT \(unsafeRaw: Self.exportColumns) FROM session_exports WHERE session_id = \(bind: session) ORDER BY tracker"
      ).all().map(Self.exportRecord)
    }
  }

  /// Claims up to `limit` due exports, marking them running; each goes to one caller only.
  public func claimDueExports(now: Int64, limit: Int) async throws -> [ExportRecord] {
    try await connections.write { database in
      let due = try await database.raw(
        """
        SELECT \(unsafeRaw: Self.exportColumns) FROM session_exports
        WHERE state = 'pending' OR (state = 'retrying' AND next_attempt_us <= \(bind: now))
        ORDER BY next_attempt_us LIMIT \(bind: limit)
        """
      ).all().map(Self.exportRecord)
      var claimed: [ExportRecord] = []
      for var record in due {
        // Only a row still in the state it was read in is claimed: another server may have taken it.
        let taken = try await database.raw(
          """
          UPDATE session_exports SET state = 'running', updated_us = \(bind: now)
          WHERE session_id = \(bind: record.sessionID) AND tracker = \(bind: record.tracker)
            AND state = \(bind: record.state.rawValue) RETURNING tracker
          """
        ).all()
        guard !taken.isEmpty else { continue }
        record.state = .running
        record.updatedMicros = now
        claimed.append(record)
      }
      return claimed
    }
  }

  /// Puts exports left running since before `updatedBefore` back to pending; how many.
  public func releaseRunningExports(updatedBefore: Int64) async throws -> Int {
    try await connections.write { database in
      try await database.raw(
        """
        UPDATE session_exports SET state = 'pending'
        WHERE state = 'running' AND updated_us < \(bind: updatedBefore) RETURNING tracker
        """
      ).all().count
    }
  }

  static let exportColumns = """
    session_id, tracker, state, experiment, attempts, last_error, external_id, external_url, requested_by,
    requested_us, updated_us, next_attempt_us
    """

  static func exportRecord(_ row: any SQLRow) throws -> ExportRecord {
    let state = try row.decode(column: "state", as: String.self)
    var record = ExportRecord(
      sessionID: try row.decode(column: "session_id", as: UUID.self),
      tracker: try row.decode(column: "tracker", as: String.self),
      state: ExportRecord.State(rawValue: state) ?? .failed,
      experiment: try row.decode(column: "experiment", as: String.self),
      requestedBy: try row.decode(column: "requested_by", as: UUID?.self),
      now: try row.decode(column: "requested_us", as: Int64.self))
    record.attempts = try row.decode(column: "attempts", as: Int.self)
    record.lastError = try row.decode(column: "last_error", as: String?.self)
    record.externalID = try row.decode(column: "external_id", as: String?.self)
    record.externalURL = try row.decode(column: "external_url", as: String?.self)
    record.updatedMicros = try row.decode(column: "updated_us", as: Int64.self)
    record.nextAttemptMicros = try row.decode(column: "next_attempt_us", as: Int64.self)
    return record
  }
}
