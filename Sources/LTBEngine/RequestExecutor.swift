import Foundation
import LTBCore
import LTBStorage

/// Sends one task of a local run through its ``TaskSender``, stores the result, counts it
/// against the stop conditions, and publishes its events.
enum RequestExecutor {
  static func execute(
    _ task: BenchmarkTask, scheduledAt: ContinuousClock.Instant, warmup: Bool, context: ExecutionContext
  ) async {
    guard let result = await context.sender.outcome(of: task, scheduledAt: scheduledAt, warmup: warmup)
    else { return }
    await context.writer.add(result)
    await context.control.record(result)
    if let failure = await context.writer.failure {
      await context.control.requestStop(.storage(failure.message))
    }
    let completed = await context.control.completed
    await context.bus.publish(.testCompleted(TestCompletion(result, slo: context.slo)))
    await context.bus.publish(
      .benchmarkProgress(
        sessionID: context.sessionID, completed: completed, total: context.total,
        currentTest: task.testCase.id,
        progressPercent: context.total == 0 ? 100 : min(100, Double(completed) * 100 / Double(context.total)))
    )
  }
}
