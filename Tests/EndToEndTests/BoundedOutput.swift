import Foundation
import Testing

/// Reads a started process's standard output and error to their ends, both at once (so that a
/// process filling one pipe while the other is read cannot stall), for at most `seconds`: a
/// process still running then is killed and the test records which command hung, so a hang
/// fails the test instead of stalling the run.
enum BoundedOutput {
  /// What one pipe held; written by its reader thread, read after the group's wait.
  private final class Buffer: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    func set(_ value: Data) { lock.withLock { data = value } }
    var text: String { lock.withLock { String(decoding: data, as: UTF8.self) } }
  }

  /// Collects `process`'s output from `output` and `errors` until it ends, killing it after
  /// `seconds`.
  static func collect(_ process: Process, output: Pipe, errors: Pipe, within seconds: Double)
    -> (status: Int32, stdout: String, stderr: String)
  {
    let (stdout, stderr) = (Buffer(), Buffer())
    let group = DispatchGroup()
    DispatchQueue.global().async(group: group) {
      stdout.set(output.fileHandleForReading.readDataToEndOfFile())
    }
    DispatchQueue.global().async(group: group) {
      stderr.set(errors.fileHandleForReading.readDataToEndOfFile())
    }
    if group.wait(timeout: .now() + seconds) == .timedOut {
      let command = ([process.executableURL?.path ?? "?"] + (process.arguments ?? [])).joined(separator: " ")
      Issue.record("`\(command.prefix(300))` did not end within \(Int(seconds)) s; killed")
      kill(process.processIdentifier, SIGKILL)
      // A child that inherited the pipes may keep them open: give up on the rest after a moment.
      _ = group.wait(timeout: .now() + 5)
    }
    process.waitUntilExit()
    return (process.terminationStatus, stdout.text, stderr.text)
  }
}
