import Foundation
import LTBCore
import LTBEngine
import LTBFakeServer
import LTBStorage
import NIOConcurrencyHelpers

/// A fake OpenAI-compatible server, a dataset, a SQLite store and a benchmark service, wired
/// together for one test and torn down after it.
final class EngineHarness: Sendable {
  let server: LoopbackHTTPServer
  let store: SQLBenchStore
  let service: BenchmarkService
  let folder: URL
  let tracker: InFlightTracker

  static let providerName = "fake"

  /// Starts everything; `handler` defaults to the fake target with the given timings.
  static func start(
    options: FakeOpenAITarget.Options = .init(
      timeToFirstToken: .milliseconds(5), interTokenLatency: .milliseconds(1), outputTokens: 8),
    handler: LoopbackHTTPServer.Handler? = nil, pricing: ModelPricing? = nil,
    adjust: (inout ProviderSettings) -> Void = { _ in }
  ) async throws -> EngineHarness {
    let tracker = InFlightTracker()
    let inner = handler ?? FakeOpenAITarget.handler(options)
    let server = try await LoopbackHTTPServer.start { request, writer in
      tracker.begin()
      defer { tracker.end() }
      try await inner(request, writer)
    }
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "ltb-engine-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let store = try await SQLBenchStore.open(
      .sqlite(path: folder.appendingPathComponent("bench.sqlite").path))
    var settings = ProviderSettings(
      name: providerName, kind: .openaiCompatible, baseURL: server.baseURL + "/v1",
      firstByteTimeout: .seconds(10),
      totalTimeout: .seconds(30), maxRetries: 2, retryBaseDelay: .milliseconds(10), defaultModel: "fake-model"
    )
    adjust(&settings)
    let catalog = ModelCatalog(
      pricing.map {
        [
          ModelInfo(
            id: "fake-model", kind: .openaiCompatible, contextLength: 4_096, pricing: $0, capabilities: [])
        ]
      } ?? [])
    let service = BenchmarkService(
      store: store, providers: ProviderService(configured: [settings], catalog: catalog))
    return EngineHarness(server: server, store: store, service: service, folder: folder, tracker: tracker)
  }

  private init(
    server: LoopbackHTTPServer, store: SQLBenchStore, service: BenchmarkService, folder: URL,
    tracker: InFlightTracker
  ) {
    self.server = server
    self.store = store
    self.service = service
    self.folder = folder
    self.tracker = tracker
  }

  /// Writes a JSONL dataset of `count` cases and returns its path.
  func dataset(count: Int, name: String = "cases", question: String = "Question") throws -> String {
    let path = folder.appendingPathComponent("\(name).jsonl").path
    let lines = (0..<count).map {
      #"{"id": "c\#($0)", "prompt": "\#(question) \#($0)?", "tags": ["t\#($0 % 3)"]}"#
    }
    try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  /// A suite over `datasets` against the fake provider.
  func suite(
    datasets: [String], load: LoadSettings = LoadSettings(), stop: StopConditions = StopConditions(),
    repeats: Int = 1,
    cache: CacheMode = .off, slo: ServiceLevelObjectives = ServiceLevelObjectives()
  ) -> BenchmarkSuite {
    BenchmarkSuite(
      name: "engine-test", datasets: datasets,
      targets: [BenchmarkTarget(provider: Self.providerName, parameters: SamplingParameters(maxTokens: 8))],
      repeats: repeats, load: load, stop: stop, slo: slo, cache: cache)
  }

  /// Creates and runs a session.
  func run(_ suite: BenchmarkSuite) async throws -> BenchmarkSession {
    let session = try await service.createSession(suite)
    return try await service.run(sessionID: session.id, options: .init(cancellationGrace: .milliseconds(200)))
      .session
  }

  /// Every stored result of a session.
  func results(_ session: UUID) async throws -> [BenchmarkResult] {
    var all: [BenchmarkResult] = []
    try await store.forEachResultPage(session: session) { all += $0 }
    return all
  }

  func shutdown() async {
    await store.close()
    await server.stop()
    try? FileManager.default.removeItem(at: folder)
  }
}

/// Counts requests in flight at the fake server and remembers the peak.
final class InFlightTracker: Sendable {
  private let state = NIOLockedValueBox((current: 0, peak: 0, total: 0))

  func begin() {
    state.withLockedValue { value in
      value.current += 1
      value.total += 1
      value.peak = max(value.peak, value.current)
    }
  }

  func end() { state.withLockedValue { $0.current -= 1 } }

  var peak: Int { state.withLockedValue { $0.peak } }
  var total: Int { state.withLockedValue { $0.total } }
}

/// Runs `body` with a harness and always shuts it down.
func withHarness<T: Sendable>(
  options: FakeOpenAITarget.Options = .init(
    timeToFirstToken: .milliseconds(5), interTokenLatency: .milliseconds(1), outputTokens: 8),
  handler: LoopbackHTTPServer.Handler? = nil, pricing: ModelPricing? = nil,
  adjust: (inout ProviderSettings) -> Void = { _ in },
  _ body: (EngineHarness) async throws -> T
) async throws -> T {
  let harness = try await EngineHarness.start(
    options: options, handler: handler, pricing: pricing, adjust: adjust)
  do {
    let result = try await body(harness)
    await harness.shutdown()
    return result
  } catch {
    await harness.shutdown()
    throw error
  }
}
