import Foundation
import LTBAuth
import LTBCore
import LTBEngine
import LTBStorage
import Synchronization

/// The `Subscription` root: streams from the engine's event bus. A session's streams finish
/// when the session ends.
struct SubscriptionResolver: SubscriptionResolvers {
  let services: APIServices

  func benchmarkProgress(_ arguments: SubscriptionBenchmarkProgressArguments, context: APIContext)
    async throws
    -> AsyncThrowingStream<ProgressEvent, any Error>
  {
    try await sessionStream(arguments.sessionId, context) { $0 as? ProgressEvent }
  }

  func testCompleted(_ arguments: SubscriptionTestCompletedArguments, context: APIContext) async throws
    -> AsyncThrowingStream<TestCompletedEvent, any Error>
  {
    try await sessionStream(arguments.sessionId, context) { $0 as? TestCompletedEvent }
  }

  func sessionEvents(_ arguments: SubscriptionSessionEventsArguments, context: APIContext) async throws
    -> AsyncThrowingStream<any SessionEvent, any Error>
  {
    try await sessionStream(arguments.sessionId, context) { $0 }
  }

  /// One session's events that `pick` keeps, until the session ends (its end is delivered
  /// when `pick` keeps it); someone else's session is refused, and so is an unknown one for
  /// anyone but an admin.
  private func sessionStream<Value: Sendable>(
    _ session: UUID, _ context: APIContext, _ pick: @escaping @Sendable (any SessionEvent) -> Value?
  ) async throws -> AsyncThrowingStream<Value, any Error> {
    if try await SessionAccess.session(session, context, store: services.store) == nil,
      try context.requirePrincipal().seesEveryone == false
    {
      throw LTBError(.notFound, "no session \(session)", fix: "list sessions with the benchmarks query")
    }
    let events = await services.benchmarks.bus.subscribe(topics: [RunEvent.sessionTopic(session)])
    return Self.stream(events) { event in
      guard let mapped = Self.sessionEvent(event) else { return .skip }
      let finished = mapped is BenchmarkFinishedEvent
      guard let value = pick(mapped) else { return finished ? .finish : .skip }
      return finished ? .last(value) : .value(value)
    }
  }

  /// A session's run event as a member of the API's `SessionEvent` union (`nil` for the others).
  static func sessionEvent(_ event: RunEvent) -> (any SessionEvent)? {
    switch event {
    case .benchmarkProgress(let id, let completed, let total, let current, let percent):
      ProgressEvent(
        sessionId: id, completed: completed, total: total, currentTest: current, progressPercent: percent)
    case .testCompleted(let test):
      TestCompletedEvent(
        sessionId: test.sessionID, testId: test.testID,
        status: APIMapping.status(test.status),
        durationMs: test.durationMs)
    case .gradingProgress(let id, let graded, let total):
      GradingProgressEvent(sessionId: id, graded: graded, total: total)
    case .benchmarkCompleted(let id, let status, let completed, let failed, let seconds):
      BenchmarkFinishedEvent(
        sessionId: id, status: APIMapping.status(status),
        completed: completed, failed: failed, durationSeconds: seconds)
    default: nil
    }
  }

  func liveStats(_ arguments: SubscriptionLiveStatsArguments, context: APIContext) async throws
    -> AsyncThrowingStream<LiveStats, any Error>
  {
    let session = try await SessionAccess.session(arguments.sessionId, context, store: services.store)
    if session == nil, try context.requirePrincipal().seesEveryone == false {
      throw LTBError(
        .notFound, "no session \(arguments.sessionId)", fix: "list sessions with the benchmarks query")
    }
    // A session that ended before the hub saw it has no live figures: the stream ends at once
    // (its figures are the stored summary's), without leaving a watcher behind.
    let ended = session.map { [.completed, .failed, .cancelled].contains($0.status) } ?? false
    if ended, await services.live.knows(arguments.sessionId) == false {
      return AsyncThrowingStream { $0.finish() }
    }
    let updates = await services.live.watch(arguments.sessionId)
    return AsyncThrowingStream { continuation in
      let task = Task {
        for await figures in updates { continuation.yield(APIMapping.live(figures)) }
        continuation.finish()
      }
      continuation.onTermination = { _ in task.cancel() }
    }
  }

  func metricUpdates(context: APIContext) async throws -> AsyncThrowingStream<MetricUpdate, any Error> {
    let events = await services.benchmarks.bus.subscribe(topics: ["metrics"])
    let visible = try visibility(context)
    return Self.stream(events) { event in
      guard case .metricUpdate(let name, let value, let labels, let at) = event else { return .skip }
      guard await visible(labels["session"]) else { return .skip }
      return .value(
        MetricUpdate(name: name, value: value, labels: .object(labels.mapValues(JSONValue.string)), at: at))
    }
  }

  func alerts(context: APIContext) async throws -> AsyncThrowingStream<Alert, any Error> {
    let events = await services.benchmarks.bus.subscribe(topics: ["alerts"])
    let visible = try visibility(context)
    return Self.stream(events) { event in
      guard case .alert(let severity, let message, let details) = event else { return .skip }
      guard await visible(details["session"]) else { return .skip }
      return .value(APIMapping.alert(severity: severity, message: message, details: details))
    }
  }

  func workerEvents(context: APIContext) async throws -> AsyncThrowingStream<WorkerEvent, any Error> {
    _ = try context.requirePrincipal()
    let store = services.store
    return AsyncThrowingStream { continuation in
      let task = Task {
        var known: [UUID: Worker] = [:]
        while !Task.isCancelled {
          do {
            for worker in try await APIMapping.workers(store: store, state: nil).reversed() {
              let kind: WorkerEventKind?
              if let before = known[worker.id] {
                kind =
                  before.state != .gone && worker.state == .gone
                  ? .gone
                  : Self.changed(before, worker) ? .changed : nil
              } else {
                kind = worker.state == .gone ? nil : .joined
              }
              known[worker.id] = worker
              if let kind { continuation.yield(WorkerEvent(kind: kind, worker: worker)) }
            }
          } catch {
            continuation.finish(throwing: error)
            return
          }
          try? await Task.sleep(for: .seconds(1))
        }
        continuation.finish()
      }
      continuation.onTermination = { _ in task.cancel() }
    }
  }

  /// Whether a worker changed in what its events report: state, leases, results.
  static func changed(_ before: Worker, _ now: Worker) -> Bool {
    before.state != now.state || before.leasedTasks != now.leasedTasks || before.tasksDone != now.tasksDone
      || before.tasksRefused != now.tasksRefused
  }

  /// Which server-wide events a principal sees: admins all; others only those labelled with a
  /// session they own. A session's owner never changes, so each session is looked up once per
  /// subscription, not once per event.
  private func visibility(_ context: APIContext) throws -> @Sendable (String?) async -> Bool {
    let principal = try context.requirePrincipal()
    if principal.seesEveryone { return { _ in true } }
    let store = services.store
    let owned = Mutex<[String: Bool]>([:])
    return { label in
      guard let label, let id = UUID(uuidString: label) else { return false }
      if let known = owned.withLock({ $0[label] }) { return known }
      let mine = (try? await store.session(id))?.ownerID == principal.userID
      owned.withLock { $0[label] = mine }
      return mine
    }
  }

  /// What to do with one event.
  enum Step<Value> {
    case value(Value)
    case skip
    case finish
    /// The value, then the end.
    case last(Value)
  }

  /// The bus's events mapped to a subscription's values.
  static func stream<Value: Sendable>(
    _ events: AsyncStream<RunEvent>, _ transform: @escaping @Sendable (RunEvent) async -> Step<Value>
  ) -> AsyncThrowingStream<Value, any Error> {
    AsyncThrowingStream { continuation in
      let task = Task {
        for await event in events {
          switch await transform(event) {
          case .value(let value): continuation.yield(value)
          case .skip: continue
          case .finish:
            continuation.finish()
            return
          case .last(let value):
            continuation.yield(value)
            continuation.finish()
            return
          }
        }
        continuation.finish()
      }
      continuation.onTermination = { _ in task.cancel() }
    }
  }
}
