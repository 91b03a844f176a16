public import Foundation

/// Something that happened during a run, published on the event bus (the spec's section 1.3).
public enum RunEvent: Sendable, Hashable {
  /// A benchmark started.
  case benchmarkStarted(sessionID: UUID, dataset: String, providers: [String], totalTests: Int)
  /// Progress of a benchmark.
  case benchmarkProgress(
    sessionID: UUID, completed: Int, total: Int, currentTest: String, progressPercent: Double)
  /// One test finished.
  case testCompleted(TestCompletion)
  /// Grading of a run's answers: `graded` of `total` stored results done.
  case gradingProgress(sessionID: UUID, graded: Int, total: Int)
  /// A benchmark ended (after its answers were graded, when they were).
  case benchmarkCompleted(
    sessionID: UUID, status: SessionStatus, completed: Int, failed: Int, durationSeconds: Double)
  /// A metric's new value.
  case metricUpdate(name: String, value: Double, labels: [String: String], timestamp: Date)
  /// An alert fired.
  case alert(severity: AlertSeverity, message: String, details: [String: String])
  /// One metric scored one answer (`durationMs` is 0 when the cache answered), of a stored
  /// result of `sessionID` from `provider` and `model` when it is one.
  case evaluationScored(
    metric: String, state: String, score: Double?, durationMs: Double, cached: Bool, sessionID: UUID? = nil,
    provider: String = "", model: String = "")
  /// The process's health.
  case healthUpdate(cpuUsage: Double, memoryBytes: Double, activeTasks: Int)

  /// The topic the event is published on: `session.<id>`, `metrics`, `evaluations`, `alerts` or
  /// `health`.
  public var topic: String {
    switch self {
    case .benchmarkStarted(let id, _, _, _), .benchmarkProgress(let id, _, _, _, _),
      .gradingProgress(let id, _, _), .benchmarkCompleted(let id, _, _, _, _):
      Self.sessionTopic(id)
    case .testCompleted(let completion): Self.sessionTopic(completion.sessionID)
    case .evaluationScored: "evaluations"
    case .metricUpdate: "metrics"
    case .alert: "alerts"
    case .healthUpdate: "health"
    }
  }

  /// The topic of one session's events.
  public static func sessionTopic(_ id: UUID) -> String { "session.\(id.uuidString.lowercased())" }
}

/// How serious an alert is.
public enum AlertSeverity: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
  case info, warning, error, critical

  /// Orders by seriousness.
  public static func < (lhs: AlertSeverity, rhs: AlertSeverity) -> Bool {
    allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
  }
}
