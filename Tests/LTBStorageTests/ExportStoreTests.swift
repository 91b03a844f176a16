import Foundation
import LTBCore
import Testing

@testable import LTBStorage

/// Sessions' exports to trackers (migration 0010), on SQLite and on a real PostgreSQL server.
@Suite("Export store")
struct ExportStoreTests {
  @Test(
    "an export is saved and replaced per session and tracker; due ones are claimed once; abandoned ones come back",
    arguments: StoreConformanceTests.dialects)
  func exports(dialect: SQLDialectKind) async throws {
    try await TestDatabase.withStore(dialect) { store in
      let session = Fixtures.session(name: "s", createdAt: Date(), status: .completed)
      try await store.createSession(session)
      let now: Int64 = 1_790_000_000_000_000
      var mlflow = ExportRecord(sessionID: session.id, tracker: "mlflow", experiment: "e", now: now)
      try await store.saveExport(mlflow)
      var langsmith = ExportRecord(sessionID: session.id, tracker: "langsmith", now: now)
      langsmith.state = .retrying
      langsmith.attempts = 1
      langsmith.lastError = "LangSmith did not answer"
      langsmith.nextAttemptMicros = now + 60_000_000
      try await store.saveExport(langsmith)
      #expect(try await store.exports(session: session.id) == [langsmith, mlflow])
      #expect(try await store.exports(session: UUID()).isEmpty)

      // The pending one is due; the retrying one only after its wait. Each is claimed once.
      let claimed = try await store.claimDueExports(now: now + 1, limit: 10)
      #expect(claimed.map(\.tracker) == ["mlflow"])
      #expect(claimed.first?.state == .running)
      #expect(try await store.claimDueExports(now: now + 2, limit: 10).isEmpty)
      #expect(
        try await store.claimDueExports(now: now + 60_000_000, limit: 10).map(\.tracker) == ["langsmith"])

      // Written: the same row, replaced.
      mlflow.state = .complete
      mlflow.attempts = 1
      mlflow.externalID = "run-1"
      mlflow.externalURL = "http://tracker/run-1"
      mlflow.updatedMicros = now + 5
      try await store.saveExport(mlflow)
      #expect(try await store.exports(session: session.id).first { $0.tracker == "mlflow" } == mlflow)

      // LangSmith's was left running by a server that stopped: taken up again once stale.
      #expect(try await store.releaseRunningExports(updatedBefore: now) == 0)
      #expect(try await store.releaseRunningExports(updatedBefore: now + 120_000_000) == 1)
      #expect(
        try await store.exports(session: session.id).first { $0.tracker == "langsmith" }?.state == .pending)
    }
  }
}
