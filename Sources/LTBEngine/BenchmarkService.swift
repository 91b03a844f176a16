public import Foundation
public import LTBCore
import LTBProviders
public import LTBStorage

/// The service behind `ltb bench` and the API: creates sessions, runs them with providers built
/// from the configuration (the suite's timeout applied), cancels them, and reports on them.
public actor BenchmarkService {
  private let store: any BenchStore
  private let settings: [String: ProviderSettings]
  private let catalog: ModelCatalog
  /// The bus run events are published on.
  public nonisolated let bus: EventBus
  private var runners: [UUID: BenchmarkRunner] = [:]
  private var shuttingDown = false

  /// Creates the service over a store, the enabled providers' settings and the model catalogue.
  public init(
    store: any BenchStore, providers: [ProviderSettings], catalog: ModelCatalog, bus: EventBus = EventBus()
  ) {
    self.store = store
    self.settings = Dictionary(providers.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    self.catalog = catalog
    self.bus = bus
  }

  /// Validates a suite (datasets, targets, provider keys) and records a pending session.
  public func createSession(_ suite: BenchmarkSuite, owner: UUID? = nil) async throws -> BenchmarkSession {
    let providers = try makeProviders(for: suite)
    defer { Task { for provider in providers.values { await provider.shutdown() } } }
    return try await BenchmarkRunner(store: store, providers: providers, bus: bus).createSession(
      suite, owner: owner)
  }

  /// Runs (or resumes) a session to its end and returns it.
  public func run(sessionID: UUID, cancellationGrace: Duration = .seconds(10)) async throws
    -> BenchmarkSession
  {
    guard let session = try await store.session(sessionID) else {
      throw LTBError(.notFound, "no session \(sessionID)", fix: "list sessions with `ltb sessions list`")
    }
    if shuttingDown {
      throw LTBError(
        .cancelled, "the server is shutting down", fix: "resume session \(sessionID) once it is back")
    }
    if session.status == .running, runners[sessionID] != nil {
      throw LTBError(
        .invalidInput, "session \(sessionID) is already running", fix: "wait for it, or cancel it first")
    }
    let providers = try makeProviders(for: session.suite)
    let runner = BenchmarkRunner(
      store: store, providers: providers, bus: bus, cancellationGrace: cancellationGrace)
    runners[sessionID] = runner
    defer { runners[sessionID] = nil }
    do {
      let finished = try await runner.run(sessionID: sessionID)
      for provider in providers.values { await provider.shutdown() }
      return finished
    } catch {
      for provider in providers.values { await provider.shutdown() }
      throw error
    }
  }

  /// Cancels a running session; returns whether it was running here.
  @discardableResult
  public func cancel(sessionID: UUID) async -> Bool {
    guard let runner = runners[sessionID] else { return false }
    await runner.cancel()
    return true
  }

  /// Sessions running now.
  public var runningSessions: [UUID] { Array(runners.keys) }

  /// Refuses new runs, cancels every running session (each stays resumable: requests in flight
  /// get the cancellation grace, the rest are sent on resume) and returns once all have stopped.
  public func shutdown() async {
    shuttingDown = true
    for runner in runners.values { await runner.cancel() }
    while !runners.isEmpty { try? await Task.sleep(for: .milliseconds(20)) }
  }

  /// The summary of a session.
  public func summary(sessionID: UUID) async throws -> BenchmarkSummary {
    try await BenchmarkSummary.build(store: store, sessionID: sessionID)
  }

  private func makeProviders(for suite: BenchmarkSuite) throws -> [String: any Provider] {
    var providers: [String: any Provider] = [:]
    for name in Set(suite.targets.map(\.provider)) {
      guard var providerSettings = settings[name] else {
        throw LTBError(
          .notFound, "the suite names provider '\(name)', which is not configured",
          fix: "configured providers: \(settings.keys.sorted().joined(separator: ", "))")
      }
      if let timeout = suite.requestTimeoutMilliseconds {
        providerSettings.totalTimeout = .milliseconds(timeout)
        providerSettings.firstByteTimeout = min(providerSettings.firstByteTimeout, .milliseconds(timeout))
      }
      let provider = try ProviderRegistry.makeProvider(providerSettings, catalog: catalog)
      try provider.validateConfig()
      providers[name] = provider
    }
    return providers
  }
}
