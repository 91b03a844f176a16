public import Foundation

/// A case's outcome for one response: three states, never merged.
public enum CaseVerdict: String, Sendable, Hashable, Codable, CaseIterable {
  /// Every required assertion passed.
  case pass
  /// An assertion failed.
  case fail
  /// An assertion could not be evaluated (and none failed), or the request itself failed.
  case error
}

/// The weighted score and verdict of one response over all its assertions: a row of the
/// `case_evaluations` table.
public struct CaseEvaluation: Sendable, Hashable, Codable {
  /// The result.
  public var resultID: UUID
  /// Its session.
  public var sessionID: UUID
  /// The case id.
  public var testID: String
  /// Pass, fail or error.
  public var verdict: CaseVerdict
  /// The weighted mean of the scored assertions, in [0, 1].
  public var score: Double?
  /// Assertions that passed.
  public var passed: Int
  /// Assertions evaluated.
  public var total: Int
  /// Why it failed or errored, in a line.
  public var reason: String?

  /// Creates a case evaluation.
  public init(
    resultID: UUID, sessionID: UUID, testID: String, verdict: CaseVerdict, score: Double?, passed: Int,
    total: Int,
    reason: String? = nil
  ) {
    self.resultID = resultID
    self.sessionID = sessionID
    self.testID = testID
    self.verdict = verdict
    self.score = score
    self.passed = passed
    self.total = total
    self.reason = reason
  }
}
