public import Foundation
public import LTBCore
public import LTBEngine
import Synchronization

/// Logs a running session to MLflow as it runs (`ltb bench --log-to mlflow`): the session's run
/// is created at once with the suite as parameters (tag `ltb.export = live`), and every
/// `interval` the requests finished since are logged as steps (`live.e2e_ms`, `live.ttft_ms`,
/// `live.success`) with the running counts (`live.completed`, `live.errors`), so a long run
/// shows its progress in the tracker. `MLflowExporter` completes the same run when the session
/// ends.
///
/// The benchmark never waits for the tracker: events come off the bus into a bounded buffer and
/// are sent from this logger's own task. When the tracker fails, logging stops and the failure
/// is kept for `finish` to report; the final export tries again.
public final class MLflowLiveLogger: Sendable {
  /// What the logger's tasks share.
  private final class State: Sendable {
    let pending = Mutex<[TestCompletion]>([])
    let stopping = Mutex(false)
    let failure = Mutex<String?>(nil)
  }

  private let task: Task<String?, Never>
  private let state = State()

  /// Starts logging `session` (created, not yet run) through `client` into `experiment` (empty:
  /// the suite's name).
  public init(
    session: BenchmarkSession, client: MLflowClient, experiment: String, bus: EventBus,
    interval: Duration = .seconds(2)
  ) async {
    let events = await bus.subscribe(topics: [RunEvent.sessionTopic(session.id)], bufferSize: 65_536)
    let state = self.state
    let collector = Task {
      for await event in events {
        if case .testCompleted(let completion) = event { state.pending.withLock { $0.append(completion) } }
      }
    }
    task = Task {
      defer { collector.cancel() }
      let run: String
      do {
        run = try await Self.startRun(session, client: client, experiment: experiment)
      } catch {
        state.failure.withLock { $0 = (error as? LTBError)?.message ?? "\(error)" }
        return nil
      }
      var completed = 0
      var errors = 0
      while true {
        let done = state.stopping.withLock { $0 }
        // Once stopping, completions the bus still holds get a moment to arrive before the last send.
        if done { try? await Task.sleep(for: .milliseconds(200)) }
        let batch = state.pending.withLock { items in
          defer { items.removeAll(keepingCapacity: true) }
          return items
        }
        if !batch.isEmpty {
          let stamp = Int(Date().timeIntervalSince1970 * 1_000)
          var metrics: [MLflowClient.Metric] = []
          for completion in batch {
            if let value = completion.endToEndMs {
              metrics.append(.init("live.e2e_ms", value, timestamp: stamp, step: completed))
            }
            if let value = completion.timeToFirstTokenMs {
              metrics.append(.init("live.ttft_ms", value, timestamp: stamp, step: completed))
            }
            let success = completion.status == .success
            metrics.append(.init("live.success", success ? 1 : 0, timestamp: stamp, step: completed))
            completed += 1
            if !success { errors += 1 }
          }
          metrics.append(.init("live.completed", Double(completed), timestamp: stamp, step: completed))
          metrics.append(.init("live.errors", Double(errors), timestamp: stamp, step: completed))
          do {
            try await client.logBatch(run: run, metrics: metrics)
          } catch {
            state.failure.withLock { $0 = (error as? LTBError)?.message ?? "\(error)" }
            return run
          }
        }
        if done { return run }
        try? await Task.sleep(for: interval)
      }
    }
  }

  /// Sends what is left and stops, waiting at most `limit` for a tracker that does not answer;
  /// the run's id (`nil` when it could not be created) and why logging stopped early, when it did.
  public func finish(within limit: Duration = .seconds(10)) async -> (run: String?, failure: String?) {
    state.stopping.withLock { $0 = true }
    let task = self.task
    let state = self.state
    let deadline = Task {
      try await Task.sleep(for: limit)
      state.failure.withLock { $0 = $0 ?? "no answer within \(limit.components.seconds) s" }
      task.cancel()
    }
    let run = await task.value
    deadline.cancel()
    return (run, state.failure.withLock { $0 })
  }

  /// The session's run, tagged live, with the suite as parameters.
  static func startRun(_ session: BenchmarkSession, client: MLflowClient, experiment name: String)
    async throws
    -> String
  {
    let experiment = try await client.experiment(named: name.isEmpty ? session.suite.name : name)
    let run = try await client.createRun(
      experiment: experiment, name: session.name, start: Date(),
      tags: [
        "ltb.session_id": session.id.lowercasedText, "ltb.status": SessionStatus.running.rawValue,
        "ltb.export": "live",
      ])
    try await client.logBatch(run: run, parameters: MLflowExporter.parameters(session.suite))
    return run
  }
}
