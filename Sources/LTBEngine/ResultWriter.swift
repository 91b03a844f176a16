import LTBCore
import LTBStorage
import Tracing

/// Streams results to storage in batches as they arrive, so that a run's memory stays flat and
/// everything finished is durable within a fraction of a second.
actor ResultWriter {
  private let store: any BenchStore
  private let batchSize: Int
  private var buffer: [BenchmarkResult] = []
  private var inFlight: Task<Void, any Error>?
  private(set) var written = 0
  private(set) var failure: LTBError?
  /// The trace context of the run that made the writer: a batch's database span belongs to the
  /// session, not to whichever task's result filled the batch.
  private let traceContext: InstrumentationContext?

  init(store: any BenchStore, batchSize: Int = 256) {
    self.store = store
    self.batchSize = batchSize
    self.traceContext = InstrumentationContext.current
  }

  /// Adds a result; writes a batch when one is full, waiting when the previous batch is still
  /// being written (back-pressure instead of unbounded buffering).
  func add(_ result: BenchmarkResult) async {
    buffer.append(result)
    if buffer.count >= batchSize { await flush() }
  }

  /// Writes everything buffered.
  func flush() async {
    if let inFlight { _ = await inFlight.result }
    guard !buffer.isEmpty else { return }
    let batch = buffer
    buffer.removeAll(keepingCapacity: true)
    let (store, context) = (store, traceContext)
    let task = Task {
      try await InstrumentationContext.$current.withValue(context) { try await store.insertResults(batch) }
    }
    inFlight = task
    switch await task.result {
    case .success:
      written += batch.count
    case .failure:
      // One retry: a busy database or a dropped connection should not lose results.
      do {
        try await store.insertResults(batch)
        written += batch.count
      } catch {
        failure =
          (error as? LTBError)
          ?? LTBError(.storage, "cannot store results: \(error)", fix: "check the database")
        buffer.insert(contentsOf: batch, at: 0)
      }
    }
    inFlight = nil
  }
}
