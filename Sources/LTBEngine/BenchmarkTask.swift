public import LTBCore

/// One request of a run: a case, against a target, in a phase, for a repeat.
public struct BenchmarkTask: Sendable, Hashable, Codable {
  /// Unique within the session: `phase/target/dataset/case/repeat`.
  public var key: String
  /// The load phase.
  public var phase: Int
  /// The dataset's name.
  public var dataset: String
  /// The case.
  public var testCase: TestCase
  /// Which target of the suite.
  public var targetIndex: Int
  /// The target.
  public var target: BenchmarkTarget
  /// Which repeat.
  public var repeatIndex: Int

  /// The key of a task, from its parts.
  public static func key(phase: Int, target: Int, dataset: String, caseID: String, repeatIndex: Int) -> String
  {
    "\(phase)/\(target)/\(dataset)/\(caseID)/\(repeatIndex)"
  }
}
