public import Foundation

/// One benchmark run: its suite, its status and its timeline.
public struct BenchmarkSession: Sendable, Hashable, Codable {
  /// The session's id.
  public var id: UUID
  /// A name (the suite's).
  public var name: String
  /// What it is for.
  public var description: String?
  /// Where it stands.
  public var status: SessionStatus
  /// The suite as resolved when the session started (so that resume runs the same tasks).
  public var suite: BenchmarkSuite
  /// Labels.
  public var tags: [String]
  /// When it was created.
  public var createdAt: Date
  /// When it started running.
  public var startedAt: Date?
  /// When it ended (completed, failed or cancelled).
  public var completedAt: Date?
  /// How many tasks the plan holds.
  public var totalTasks: Int
  /// Why it stopped early, when it did.
  public var stopReason: String?
  /// The user who created it through the API; `nil` for runs of the command line.
  public var ownerID: UUID?

  /// Creates a session.
  public init(
    id: UUID = .timeOrdered(), name: String, description: String? = nil, status: SessionStatus = .pending,
    suite: BenchmarkSuite,
    tags: [String] = [], createdAt: Date = Date(), startedAt: Date? = nil, completedAt: Date? = nil,
    totalTasks: Int = 0,
    stopReason: String? = nil, ownerID: UUID? = nil
  ) {
    self.id = id
    self.name = name
    self.description = description
    self.status = status
    self.suite = suite
    self.tags = tags
    self.createdAt = createdAt
    self.startedAt = startedAt
    self.completedAt = completedAt
    self.totalTasks = totalTasks
    self.stopReason = stopReason
    self.ownerID = ownerID
  }
}

/// Where a session stands.
public enum SessionStatus: String, Sendable, Hashable, Codable, CaseIterable {
  case pending, running, completed, failed, cancelled
}
