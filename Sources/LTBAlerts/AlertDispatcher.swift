import AsyncHTTPClient
import Foundation
public import LTBCore
import LTBEngine
public import LTBStorage
public import Logging
import Synchronization

/// Sends alerts to their rules' channels off the evaluation path: each notification is its own
/// task that retries with exponential backoff (1, 2, 4 ... s, at most 30 s apart) up to the
/// channel's attempts, each attempt bounded by the channel's timeout, and records the outcome in
/// the store. Evaluation never waits for a channel.
public final class AlertDispatcher: Sendable {
  private let channels: [String: (settings: AlertChannelSettings, channel: any AlertChannel)]
  private let store: (any AlertStore)?
  private let logger: Logger
  private let backoff: Duration
  private let inFlight = Mutex<[UUID: Task<Void, Never>]>([:])
  private let outcomes = Mutex<[String: (delivered: Int, failed: Int)]>([:])

  /// A dispatcher over built channels; `backoff` is the first retry's delay.
  public init(
    channels: [(settings: AlertChannelSettings, channel: any AlertChannel)], store: (any AlertStore)?,
    logger: Logger, backoff: Duration = .seconds(1)
  ) {
    self.channels = Dictionary(
      channels.map { ($0.settings.name, $0) }, uniquingKeysWith: { first, _ in first })
    self.store = store
    self.logger = logger
    self.backoff = backoff
  }

  /// The channels' names.
  public var channelNames: [String] { channels.keys.sorted() }

  /// Notifications delivered and failed (after their retries) per channel since start.
  public var counts: [String: (delivered: Int, failed: Int)] { outcomes.withLock { $0 } }

  /// Sends `alert` to each channel its rule names (`only` narrows them, e.g. to Alertmanager's
  /// re-sends); returns at once.
  public func notify(_ alert: AlertFiring, only kinds: Set<AlertChannelSettings.Kind>? = nil) {
    for name in alert.rule.channels {
      guard let (settings, channel) = channels[name] else {
        logger.error("alert rule \(alert.rule.name) names channel \(name), which is not configured")
        continue
      }
      if let kinds, !kinds.contains(settings.kind) { continue }
      let id = UUID()
      let task = Task { [self] in
        await deliver(alert, to: channel, settings: settings)
        _ = inFlight.withLock { $0.removeValue(forKey: id) }
      }
      inFlight.withLock { $0[id] = task }
    }
  }

  /// Waits for the notifications under way (at shutdown), at most `limit`.
  public func drain(within limit: Duration) async {
    let deadline = ContinuousClock.now + limit
    while ContinuousClock.now < deadline, !inFlight.withLock({ $0.isEmpty }) {
      try? await Task.sleep(for: .milliseconds(20))
    }
  }

  private func deliver(_ alert: AlertFiring, to channel: any AlertChannel, settings: AlertChannelSettings)
    async
  {
    var attempt = 0
    var lastError: String?
    var delay = backoff
    while attempt < settings.maxAttempts, !Task.isCancelled {
      attempt += 1
      do {
        try await channel.deliver(alert)
        lastError = nil
        break
      } catch {
        lastError = LTBError.wrapping(error).message
        logger.warning(
          "alert notification failed",
          metadata: [
            "channel": "\(settings.name)", "alert": "\(alert.rule.name)", "attempt": "\(attempt)",
            "error": "\(lastError ?? "")",
          ])
        guard attempt < settings.maxAttempts else { break }
        try? await Task.sleep(for: delay)
        delay = min(delay * 2, .seconds(30))
      }
    }
    let delivered = lastError == nil
    outcomes.withLock { outcomes in
      var count = outcomes[settings.name] ?? (0, 0)
      if delivered { count.delivered += 1 } else { count.failed += 1 }
      outcomes[settings.name] = count
    }
    do {
      try await store?.recordDelivery(
        AlertDelivery(
          alertID: alert.id, channel: settings.name, event: alert.state, delivered: delivered,
          attempts: attempt,
          lastError: lastError, updatedMicros: WallClock.nowMicros))
    } catch {
      logger.error("could not record an alert notification: \(error)")
    }
  }
}

extension AlertDispatcher {
  /// A dispatcher over the configured channels: HTTP ones share the process's HTTP client.
  public convenience init(settings: [AlertChannelSettings], store: (any AlertStore)?, logger: Logger) {
    self.init(
      channels: settings.map { settings in
        let channel: any AlertChannel =
          switch settings.kind {
          case .email:
            EmailAlertChannel(
              name: settings.name,
              client: SMTPClient(
                settings: settings.smtp ?? SMTPSettings(host: "localhost", from: "ltb@localhost", to: []),
                timeout: settings.timeout))
          case .alertmanager, .webhook, .slack:
            HTTPAlertChannel(
              name: settings.name, kind: settings.kind, url: settings.url, secret: settings.secret,
              timeout: settings.timeout, client: .shared)
          }
        return (settings, channel)
      }, store: store, logger: logger)
  }
}
