public import Foundation
public import LTBCore

/// What a worker needs to send one task of a distributed run: the planned task and the suite
/// settings a local run would take from the suite. It travels as the queued task's payload (JSON).
public struct DistributedTask: Sendable, Hashable, Codable {
  /// The planned task: case, target, phase, repeat.
  public var task: BenchmarkTask
  /// Whether it is a warm-up request.
  public var warmup: Bool
  /// Whether to stream the response.
  public var stream: Bool
  /// The suite's assertions (every case's expectations carry them).
  public var suiteAssertions: [JSONValue]
  /// The suite's per-request timeout, in milliseconds.
  public var requestTimeoutMilliseconds: Int?
  /// When the run started, on the coordinator's clock, in microseconds since 1970 (a result's
  /// send offset counts from it).
  public var runStartMicros: Int64
  /// At most this many of the session's tasks run at once on one worker (a closed-loop phase's
  /// concurrency, split over the workers); `nil` when the schedule alone paces the tasks.
  public var concurrency: Int?
  /// The coordinator's session span (W3C `traceparent`), when tracing is on: the worker's task
  /// span becomes its child, so one trace holds the whole distributed run.
  public var traceparent: String?

  /// Creates a payload.
  public init(
    task: BenchmarkTask, warmup: Bool, stream: Bool, suiteAssertions: [JSONValue],
    requestTimeoutMilliseconds: Int?, runStartMicros: Int64, concurrency: Int?, traceparent: String? = nil
  ) {
    self.task = task
    self.warmup = warmup
    self.stream = stream
    self.suiteAssertions = suiteAssertions
    self.requestTimeoutMilliseconds = requestTimeoutMilliseconds
    self.runStartMicros = runStartMicros
    self.concurrency = concurrency
    self.traceparent = traceparent
  }

  /// The payload as the queue stores it.
  public func encoded() throws -> String {
    String(decoding: try JSONEncoder().encode(self), as: UTF8.self)
  }

  /// A payload read back from the queue.
  public static func decode(_ text: String) throws -> DistributedTask {
    do {
      return try JSONDecoder().decode(DistributedTask.self, from: Data(text.utf8))
    } catch {
      throw LTBError(
        .invalidInput, "a queued task's payload is not a task: \(error)",
        fix: "the coordinator and the worker must run the same ltb version")
    }
  }
}
