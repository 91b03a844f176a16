import Foundation
import Synchronization

/// Where log lines go: a file descriptor (standard error by default), written in batches. Lines
/// below `warning` are appended to a buffer that a background thread writes every 20 ms (or
/// sooner once 64 KiB wait), so a request's access-log line costs a copy instead of a system
/// call on the thread that serves it; a `warning` or worse line writes the buffer and itself at
/// once, in order. ``flush()`` writes whatever waits, and runs at process exit.
public final class LogSink: Sendable {
  /// Standard error's sink, shared by every handler of the process.
  public static let standardError = LogSink(descriptor: 2)

  private let descriptor: Int32
  private let pending = Mutex<[UInt8]>([])
  private let started = Atomic<Bool>(false)
  /// Serialises writes so that lines leave in the order they were taken.
  private let writing = Mutex<Void>(())

  /// The largest buffer before the background writer is not waited for.
  static let flushThreshold = 64 * 1_024

  /// A sink writing to `descriptor`.
  public init(descriptor: Int32) { self.descriptor = descriptor }

  /// Takes `line` (its newline included) for writing; `immediately` writes it, and everything
  /// before it, before returning.
  public func write(_ line: [UInt8], immediately: Bool) {
    if immediately {
      writing.withLock { _ in
        let waiting = pending.withLock { buffer in
          defer { buffer.removeAll(keepingCapacity: true) }
          return buffer
        }
        Self.write(waiting, to: descriptor)
        Self.write(line, to: descriptor)
      }
      return
    }
    let size = pending.withLock { buffer in
      buffer.append(contentsOf: line)
      return buffer.count
    }
    startWriterOnce()
    if size >= Self.flushThreshold { flush() }
  }

  /// Writes every line taken so far.
  public func flush() {
    writing.withLock { _ in
      let waiting = pending.withLock { buffer in
        defer { buffer.removeAll(keepingCapacity: true) }
        return buffer
      }
      Self.write(waiting, to: descriptor)
    }
  }

  private func startWriterOnce() {
    guard !started.load(ordering: .relaxed),
      started.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
    else { return }
    if self === Self.standardError { atexit { LogSink.standardError.flush() } }
    let thread = Thread { [self] in
      while true {
        Thread.sleep(forTimeInterval: 0.02)
        flush()
      }
    }
    thread.name = "ltb-log-writer"
    thread.start()
  }

  /// Writes all of `bytes`, retrying short and interrupted writes; a closed descriptor drops them.
  private static func write(_ bytes: [UInt8], to descriptor: Int32) {
    guard !bytes.isEmpty else { return }
    bytes.withUnsafeBytes { buffer in
      var offset = 0
      while offset < buffer.count {
        let written = Foundation.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
        if written < 0 {
          if errno == EINTR { continue }
          return
        }
        offset += written
      }
    }
  }
}
