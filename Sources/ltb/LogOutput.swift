import LTBObservability
import Logging
import Synchronization

/// The process's log output: swift-log writes lines (``LogLineHandler``) to standard error at the
/// configured level. The
/// logging system can be set up once per process, and a command may load its configuration
/// more than once, hence the flag.
enum LogOutput {
  private static let bootstrapped = Atomic<Bool>(false)

  /// Sends every logger's lines at `level` or above to standard error (the first call wins).
  static func bootstrap(level: Logger.Level) {
    guard
      bootstrapped.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
    else { return }
    LoggingSystem.bootstrap { label in LogLineHandler(label: label, level: level) }
  }
}
