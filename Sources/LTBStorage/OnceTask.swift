import Synchronization

/// Runs a piece of work at most once, in a task of its own (so a cancelled caller cannot cut it
/// short); every caller, first or later, concurrent or not, returns when that one run has ended.
final class OnceTask: Sendable {
  private let task = Mutex<Task<Void, Never>?>(nil)
  private let started = Atomic<Bool>(false)

  /// Whether the work has been started (it may still be running).
  var hasStarted: Bool { started.load(ordering: .acquiring) }

  /// Starts `work` on the first call; every call waits for it to finish.
  func once(_ work: @escaping @Sendable () async -> Void) async {
    let running = task.withLock { current in
      if let current { return current }
      started.store(true, ordering: .releasing)
      let work = Task { await work() }
      current = work
      return work
    }
    await running.value
  }
}
