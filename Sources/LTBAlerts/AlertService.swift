public import Foundation
public import LTBConfig
public import LTBCore
public import LTBEngine
public import LTBStorage
public import Logging

/// The alert manager of a process that runs benchmarks (`ltb serve`, `ltb bench`): judges the
/// configuration's, the API's and each running suite's rules on the event bus every tick, stores
/// what fires and resolves in the `alerts` table, publishes it on the `alerts` topic (the
/// subscription, `/metrics` and the CLI's progress read it there) and hands it to the channels.
public actor AlertService {
  /// Where a rule comes from.
  public enum Source: String, Sendable, Hashable {
    /// `[[alerts.rules]]` in the configuration (read-only through the API).
    case configuration
    /// Created through the API (stored in `alert_rules`).
    case api
    /// A running suite's `alerts:` (for that session only).
    case suite
  }

  /// A rule and where it comes from.
  public struct Entry: Sendable, Hashable {
    /// The rule.
    public var rule: AlertRule
    /// Where it comes from.
    public var source: Source

    /// Creates an entry.
    public init(rule: AlertRule, source: Source) {
      self.rule = rule
      self.source = source
    }
  }

  let store: any BenchStore
  let bus: EventBus
  let dispatcher: AlertDispatcher
  let configured: [AlertRule]
  let tick: Duration
  let logger: Logger
  private var stored: [AlertRule] = []
  private var suites: [UUID: [AlertRule]] = [:]
  private var evaluator = AlertEvaluator(rules: [])
  private let origin = ContinuousClock.now
  private var lastResend = ContinuousClock.now
  private var lastReload = ContinuousClock.now

  /// A service over `store` and `bus` with the configured rules and channels; judges every `tick`.
  public init(
    store: any BenchStore, bus: EventBus, rules: [AlertRule], dispatcher: AlertDispatcher,
    tick: Duration = .milliseconds(250), logger: Logger
  ) {
    self.store = store
    self.bus = bus
    self.configured = rules
    self.dispatcher = dispatcher
    self.tick = tick
    self.logger = logger
  }

  /// The channels' names.
  public nonisolated var channelNames: [String] { dispatcher.channelNames }

  /// Notifications delivered and failed per channel since start.
  public nonisolated var deliveryCounts: [String: (delivered: Int, failed: Int)] { dispatcher.counts }

  /// Alerts firing now in this process.
  public var firing: [AlertFiring] { evaluator.firing }

  // MARK: Running

  /// Subscribes to the bus and reads the API's rules, then watches and judges until the
  /// returned task is cancelled. Stopping resolves the alerts still firing (no one is left to
  /// judge them: a stale firing alert would stay open in the store and in Alertmanager) and
  /// waits up to 5 s for the notifications under way.
  public func start() async -> Task<Void, Never> {
    let events = await bus.subscribe(topics: nil, bufferSize: 65_536)
    do { try await loadStoredRules() } catch { logger.error("alert rules could not be read: \(error)") }
    return Task {
      let ticker = Task { [tick] in
        while !Task.isCancelled {
          try? await Task.sleep(for: tick)
          await self.evaluate()
        }
      }
      for await event in events { await self.handle(event) }
      ticker.cancel()
      // Not cancelled with the watcher: the last writes and notifications must happen.
      await Task {
        await self.resolveAll(reason: "ltb stopped watching")
        await self.dispatcher.drain(within: .seconds(5))
      }.value
    }
  }

  /// Resolves every firing alert, noting why.
  func resolveAll(reason: String) async {
    let date = Date()
    let open = evaluator.firing
    guard !open.isEmpty else { return }
    evaluator.replaceRules([], date: date)
    await apply(
      open.map { alert in
        var ended = alert
        ended.resolvedAt = date
        ended.note = reason
        return .resolved(ended)
      })
    evaluator.replaceRules(rules.map(\.rule), date: date)
  }

  /// Refuses a suite whose alert rules name channels that are not configured.
  public nonisolated func check(_ suite: BenchmarkSuite) throws {
    for rule in suite.alerts { try rule.check(channels: Set(channelNames)) }
  }

  /// Takes one event of the bus.
  func handle(_ event: RunEvent) async {
    switch event {
    case .testCompleted(let completion):
      evaluator.record(completion, at: seconds())
    case .evaluationScored(let metric, _, let score?, _, _, let session?, let provider, let model):
      evaluator.recordScore(
        score, metric: metric, group: AlertGroup(session: session, provider: provider, model: model),
        at: seconds())
    case .benchmarkStarted(let session, _, _, _):
      guard let suite = try? await store.session(session)?.suite, !suite.alerts.isEmpty else { return }
      suites[session] = suite.alerts.map { rule in
        var scoped = rule
        scoped.id = AlertRule.id(forName: "\(session.uuidString)/\(rule.name)")
        scoped.labels.session = session
        return scoped
      }
      await applyRules()
    case .benchmarkCompleted(let session, _, _, _, _):
      await evaluate()
      await apply(evaluator.endSession(session, date: Date()))
      if suites.removeValue(forKey: session) != nil { await applyRules() }
    default:
      break
    }
  }

  /// Judges every rule now and acts on what changed.
  func evaluate() async {
    if evaluator.watchesStore { await readStoreFigures() }
    let changes = evaluator.evaluate(now: seconds(), date: Date())
    await apply(changes)
    // Another gateway on the same store may have changed the API's rules.
    if ContinuousClock.now - lastReload >= .seconds(30) {
      lastReload = .now
      do { try await loadStoredRules() } catch { logger.error("alert rules could not be read: \(error)") }
    }
    // Alertmanager forgets a firing alert not sent again within its resolve_timeout.
    if ContinuousClock.now - lastResend >= .seconds(60) {
      lastResend = .now
      for alert in evaluator.firing { dispatcher.notify(alert, only: [.alertmanager]) }
    }
  }

  private func apply(_ changes: [AlertTransition]) async {
    for change in changes {
      let alert = change.alert
      // In a task of its own, so that a watcher being stopped does not cancel the write.
      let stored = Task { [store] in
        switch change {
        case .fired:
          try await store.insertAlert(
            AlertRecord(
              id: alert.id, ruleID: alert.rule.id, ruleName: alert.rule.name, severity: alert.rule.severity,
              message: alert.message, details: alert.details, sessionID: alert.group.session,
              provider: alert.group.session == nil ? nil : alert.group.provider,
              model: alert.group.session == nil ? nil : alert.group.model, value: alert.value,
              threshold: alert.threshold, triggeredMicros: Self.micros(alert.startedAt)))
        case .resolved:
          try await store.resolveAlert(
            alert.id, atMicros: Self.micros(alert.resolvedAt ?? Date()), value: alert.value)
        }
      }
      do {
        try await stored.value
      } catch {
        logger.error("an alert could not be stored: \(error)", metadata: ["rule": "\(alert.rule.name)"])
      }
      logger.notice(
        "alert \(alert.state): \(alert.message)",
        metadata: ["rule": "\(alert.rule.name)", "severity": "\(alert.rule.severity.rawValue)"])
      await bus.publish(.alert(severity: alert.rule.severity, message: alert.message, details: alert.details))
      dispatcher.notify(alert)
    }
  }

  private func readStoreFigures() async {
    let metrics = Set(evaluator.rules.filter(\.enabled).map(\.metric))
    if metrics.contains(.queueDepth) {
      evaluator.queueDepth = (try? await store.queueCounts(session: nil)[.queued]).map { Double($0 ?? 0) }
    }
    if metrics.contains(.workerHeartbeatAge), let workers = try? await store.workers() {
      let now = WallClock.nowMicros
      let active = workers.filter { $0.state == .active }
      evaluator.workerHeartbeatAge = active.map { Double(now - $0.heartbeatMicros) / 1_000_000 }.max()
    }
  }

  private func seconds() -> Double {
    let elapsed = ContinuousClock.now - origin
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
  }

  static func micros(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1_000_000).rounded()) }

  // MARK: Rules

  /// Every rule: the configuration's, the API's, then the running suites'.
  public var rules: [Entry] {
    configured.map { Entry(rule: $0, source: .configuration) } + stored.map { Entry(rule: $0, source: .api) }
      + suites.values.flatMap { $0 }.sorted { $0.name < $1.name }.map { Entry(rule: $0, source: .suite) }
  }

  /// Reads the API's rules from the store again (after another process changed them).
  public func loadStoredRules() async throws {
    stored = try await store.alertRules()
    await applyRules()
  }

  /// Creates or replaces an API rule, checked first; refuses a configuration rule's name.
  public func save(_ rule: AlertRule, by user: UUID?) async throws -> AlertRule {
    try rule.check(channels: Set(channelNames))
    if configured.contains(where: { $0.name == rule.name || $0.id == rule.id }) {
      throw LTBError(
        .invalidInput, "alert rule '\(rule.name)' is defined in the configuration file",
        fix: "change it there, or give this rule another name")
    }
    try await store.saveAlertRule(rule, by: user)
    try await loadStoredRules()
    return rule
  }

  /// Deletes an API rule; its firing alerts resolve. Whether it existed.
  public func delete(_ id: UUID) async throws -> Bool {
    if configured.contains(where: { $0.id == id }) {
      throw LTBError(
        .invalidInput, "that alert rule is defined in the configuration file",
        fix: "remove it from [[alerts.rules]] and restart")
    }
    let existed = try await store.deleteAlertRule(id)
    try await loadStoredRules()
    return existed
  }

  private func applyRules() async {
    let all = rules.map(\.rule)
    for rule in all where rule.condition.needsBaseline && evaluator.baselines[rule.id] == nil {
      guard let baseline = rule.baselineSession else { continue }
      do {
        evaluator.baselines[rule.id] = try await Self.baselineFigure(rule, store: store, session: baseline)
      } catch {
        logger.error("the baseline of alert rule \(rule.name) could not be read: \(error)")
      }
    }
    await apply(evaluator.replaceRules(all, date: Date()))
  }

  /// The rule's figure over a whole finished session, from its summary (the group of the rule's
  /// provider and model when it names them, else the first).
  static func baselineFigure(_ rule: AlertRule, store: any BenchStore, session: UUID) async throws -> Double?
  {
    let summary = try await BenchmarkSummary.build(store: store, sessionID: session)
    let group =
      summary.groups.first {
        (rule.labels.provider == nil || $0.provider == rule.labels.provider)
          && (rule.labels.model == nil || $0.model == rule.labels.model)
      } ?? summary.groups.first
    guard let group else { return nil }
    func pick(_ distribution: Distribution?) -> Double? {
      guard let distribution else { return nil }
      switch rule.statistic {
      case .p50: return distribution.p50
      case .p90: return distribution.p90
      case .p95: return distribution.p95
      case .p99: return distribution.p99
      case .mean: return distribution.mean
      case .max: return distribution.max
      case .min: return distribution.min
      }
    }
    switch rule.metric {
    case .errorRate: return group.requests == 0 ? nil : 1 - group.successRate
    case .ttft: return pick(group.timeToFirstToken)
    case .e2e: return pick(group.endToEnd)
    case .itl: return pick(group.timePerOutputToken)
    case .throughput: return group.requestThroughput
    case .goodput: return group.goodput ?? group.requestThroughput
    case .cost: return group.costUSD
    case .score, .queueDepth, .workerHeartbeatAge: return nil
    }
  }
}

extension AlertService {
  /// The service of the configuration's rules and channels over `store` and `bus`.
  public static func build(
    _ configuration: LTBConfiguration, store: any BenchStore, bus: EventBus,
    logger: Logger = Logger(label: "ltb.alerts")
  ) -> AlertService {
    return AlertService(
      store: store, bus: bus, rules: configuration.alertRules,
      dispatcher: AlertDispatcher(settings: configuration.alertChannels, store: store, logger: logger),
      logger: logger)
  }
}
