import Foundation
import LTBCore
import LTBEngine

/// Live progress of a run: a redrawn bar with rate, ETA, errors and the running median TTFT on
/// a terminal; a plain line every five seconds otherwise.
final class ProgressDisplay: Sendable {
  private let task: Task<Void, Never>

  init(bus: EventBus, sessionID: UUID) {
    let terminal = Console.isTerminal
    task = Task {
      let events = await bus.subscribe(
        topics: [RunEvent.sessionTopic(sessionID), "metrics", "alerts"], bufferSize: 4_096)
      var total = 0
      var completed = 0
      var failed = 0
      var medianTTFT: Double?
      let start = ContinuousClock.now
      var lastDraw = ContinuousClock.now - .seconds(10)
      for await event in events {
        switch event {
        case .benchmarkStarted(_, _, _, let count): total = count
        case .benchmarkProgress(_, let done, let count, _, _):
          completed = done
          total = count
        case .testCompleted(let test): if test.status == .failure || test.status == .timeout { failed += 1 }
        case .metricUpdate(let name, let value, _, _): if name == "ttft_p50_ms" { medianTTFT = value }
        case .alert(let severity, let message, let details):
          // This run's alerts and the store-wide ones, each on its own line above the bar.
          guard details["session"].map({ $0 == sessionID.uuidString.lowercased() }) ?? true else { continue }
          let state = details["state"] == "resolved" ? "resolved" : "FIRING"
          FileHandle.standardError.write(
            Data("\(terminal ? "\r\u{1B}[2K" : "")alert \(state) [\(severity.rawValue)] \(message)\n".utf8))
          lastDraw = .now - .seconds(10)
          continue
        case .gradingProgress(_, let graded, let count):
          // Grading comes after the run: one line per page graded, not a bar.
          FileHandle.standardError.write(
            Data(
              "\(terminal ? "\r\u{1B}[2K" : "")grading \(graded)/\(count) answers\(terminal ? "" : "\n")".utf8
            ))
          continue
        default: break
        }
        let now = ContinuousClock.now
        let interval: Duration = terminal ? .milliseconds(100) : .seconds(5)
        let finished: Bool = if case .benchmarkCompleted = event { true } else { false }
        guard now - lastDraw >= interval || finished else { continue }
        lastDraw = now
        let elapsed = (now - start).milliseconds / 1_000
        let rate = elapsed > 0 ? Double(completed) / elapsed : 0
        let eta = rate > 0 ? Double(max(0, total - completed)) / rate : 0
        let ttft = medianTTFT.map { String(format: "p50 TTFT %.1f ms", $0) } ?? "p50 TTFT -"
        let fraction = total > 0 ? min(1, Double(completed) / Double(total)) : 0
        let counts =
          "\(completed)/\(total)  \(String(format: "%.1f", rate)) req/s  ETA \(Int(eta.rounded())) s  errors \(failed)  \(ttft)"
        if terminal {
          let filled = Int(fraction * 30)
          let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: 30 - filled)
          FileHandle.standardError.write(Data("\r\u{1B}[2K[\(bar)] \(counts)".utf8))
        } else {
          FileHandle.standardError.write(Data("progress \(counts)\n".utf8))
        }
        if finished { break }
      }
      if terminal { FileHandle.standardError.write(Data("\n".utf8)) }
    }
  }

  /// Waits for the last line to be drawn.
  func finish() async {
    await task.value
  }

  /// Stops drawing without waiting for the run's end (which will not come when it failed).
  func stop() {
    task.cancel()
  }
}

/// Turns SIGINT and SIGTERM into a call of `onSignal` (a second signal exits at once).
/// Dispatch sources are thread-safe, hence the unchecked conformance.
final class SignalHandler: @unchecked Sendable {
  private let sources: [any DispatchSourceSignal]

  init(
    message: String = "stopping: no new requests; waiting for those in flight (Ctrl-C again to quit now)",
    _ onSignal: @escaping @Sendable () -> Void
  ) {
    let count = ManagedAtomicCounter()
    sources = [SIGINT, SIGTERM].map { signalNumber in
      signal(signalNumber, SIG_IGN)
      let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
      source.setEventHandler {
        // A second signal quits at once, without running exit handlers: every finished test
        // is already committed, and a half-written one is rolled back when the store reopens.
        if count.increment() > 1 { _exit(130) }
        FileHandle.standardError.write(Data("\n\(message)\n".utf8))
        onSignal()
      }
      source.resume()
      return source
    }
  }

  /// Restores the default signal behaviour.
  func stop() {
    for source in sources { source.cancel() }
    signal(SIGINT, SIG_DFL)
    signal(SIGTERM, SIG_DFL)
  }
}

/// A thread-safe counter.
final class ManagedAtomicCounter: @unchecked Sendable {
  private let lock = NSLock()
  private var value = 0

  func increment() -> Int {
    lock.lock()
    defer { lock.unlock() }
    value += 1
    return value
  }
}
