import Foundation
public import LTBIntegrations
import LTBStorage
public import Logging
public import ServiceLifecycle

/// Writes the exports to trackers that the API asked for (`exportSession`), in the background:
/// every `interval` it claims the exports that are due and writes them, each failure waiting
/// longer before its next attempt. Exports left running by a server that stopped are taken up
/// again after `staleAfter`.
public struct ExportQueue: Service {
  /// The exports' service.
  public let integrations: IntegrationService
  /// How often due exports are looked for.
  public let interval: Duration
  /// How long an export may run before another server takes it to be abandoned.
  public let staleAfter: Duration
  /// Where failures are logged.
  public let logger: Logger

  /// A queue over `integrations`.
  public init(
    integrations: IntegrationService, interval: Duration = .seconds(1),
    staleAfter: Duration = .seconds(1_800),
    logger: Logger
  ) {
    self.integrations = integrations
    self.interval = interval
    self.staleAfter = staleAfter
    self.logger = logger
  }

  /// Looks for due exports every `interval` until the server shuts down.
  public func run() async throws {
    do {
      let released = try await integrations.releaseStale(olderThan: staleAfter)
      if released > 0 { logger.notice("\(released) abandoned export(s) queued again") }
    } catch {
      logger.error("exports: \(error)")
    }
    while !Task.isCancelled && !Task.isShuttingDownGracefully {
      do {
        try await integrations.runDue { record, error in
          logger.warning(
            "export of session \(record.sessionID.uuidString.lowercased()) to \(record.tracker) failed (attempt \(record.attempts), \(record.state.rawValue)): \(error)"
          )
        }
      } catch {
        logger.error("exports: \(error)")
      }
      try? await Task.sleep(for: interval)
    }
  }
}
