import Synchronization

/// Wakes one waiting task early: ``wait(until:)`` returns at the deadline or at the first
/// ``signal()``, whichever comes first (a signal with nobody waiting wakes the next wait at once).
final class Wakeup: Sendable {
  private struct State {
    var pending = false
    var continuation: CheckedContinuation<Void, Never>?
  }

  private let state = Mutex(State())

  /// Wakes the waiter, or the next one.
  func signal() {
    let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
      guard let continuation = state.continuation else {
        state.pending = true
        return nil
      }
      state.continuation = nil
      return continuation
    }
    waiter?.resume()
  }

  /// Waits for a signal, or until `deadline` when there is one.
  func wait(until deadline: ContinuousClock.Instant?) async {
    let timer = deadline.map { deadline in
      Task { [self] in
        try? await Task.sleep(until: deadline, tolerance: .microseconds(100))
        signal()
      }
    }
    await withCheckedContinuation { continuation in
      let now = state.withLock { state -> Bool in
        if state.pending {
          state.pending = false
          return true
        }
        state.continuation = continuation
        return false
      }
      if now { continuation.resume() }
    }
    timer?.cancel()
  }
}
