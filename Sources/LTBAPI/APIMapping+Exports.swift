import Foundation
import LTBIntegrations
import LTBStorage

/// Exports to trackers and imported datasets, as the API shows them.
extension APIMapping {
  static func sessionExport(_ record: ExportRecord) -> SessionExport {
    func date(_ micros: Int64) -> Date { Date(timeIntervalSince1970: Double(micros) / 1_000_000) }
    return SessionExport(
      tracker: ExportTracker(rawValue: record.tracker.uppercased()) ?? .mlflow,
      state: ExportState(rawValue: record.state.rawValue.uppercased()) ?? .failed,
      experiment: record.experiment.isEmpty ? nil : record.experiment, attempts: record.attempts,
      lastError: record.lastError, externalId: record.externalID, url: record.externalURL,
      requestedAt: date(record.requestedMicros), updatedAt: date(record.updatedMicros),
      nextAttemptAt: record.state == .retrying ? date(record.nextAttemptMicros) : nil)
  }

  static func tracker(_ tracker: ExportTracker) -> IntegrationService.Tracker {
    switch tracker {
    case .mlflow: .mlflow
    case .langsmith: .langsmith
    case .wandb: .wandb
    }
  }

  static func source(_ source: DatasetSource) -> DatasetImporter.Source {
    switch source {
    case .langsmith: .langsmith
    case .llamaindex: .llamaindex
    }
  }
}
