import Foundation
public import LTBCore
public import LTBDatasets

/// Expands a suite into its tasks, lazily: datasets are streamed, so a plan over a million cases
/// holds one case at a time. Within a phase, each case runs against every target before the next
/// case, so that targets see the same conditions over time.
public struct TaskPlan: Sendable {
  /// The suite.
  public let suite: BenchmarkSuite
  /// The datasets, opened.
  public let datasets: [DatasetFile]
  /// Cases per dataset (from validation).
  public let caseCounts: [Int]

  /// Opens and validates every dataset; any problem stops here, with file and line. `inspect`
  /// sees each case with its dataset's path, in the same pass (feature checks).
  public init(suite: BenchmarkSuite, inspect: (TestCase, String) throws -> Void = { _, _ in }) throws {
    guard !suite.targets.isEmpty else {
      throw LTBError(
        .invalidInput, "the suite has no targets",
        fix: "name at least one provider (and model) to run against")
    }
    guard !suite.datasets.isEmpty else {
      throw LTBError(.invalidInput, "the suite has no datasets", fix: "name at least one dataset file")
    }
    var files: [DatasetFile] = []
    var counts: [Int] = []
    for path in suite.datasets {
      let file: DatasetFile
      do {
        file = try DatasetFile.open(path)
      } catch {
        throw error.error
      }
      let (count, issues) = try file.validate(maxIssues: 20) { try inspect($0, path) }
      if !issues.isEmpty {
        throw LTBError(
          .invalidInput,
          "dataset \(path) has \(issues.count == 20 ? "20 or more" : String(issues.count)) problem\(issues.count == 1 ? "" : "s"):\n  "
            + issues.map(\.description).joined(separator: "\n  "),
          fix: "fix them, then check with `ltb dataset validate \(path)`")
      }
      files.append(file)
      counts.append(count)
    }
    self.suite = suite
    self.datasets = files
    self.caseCounts = counts
  }

  /// Tasks in one pass over the datasets (one phase without its own limit).
  public var tasksPerPhase: Int {
    caseCounts.reduce(0, +) * suite.targets.count * suite.repeats
  }

  /// Tasks in one phase, after the phase's own request limit.
  public func tasks(inPhase phase: Int) -> Int {
    let limit = suite.load.phases[phase].maxRequests ?? Int.max
    return min(tasksPerPhase, limit)
  }

  /// Tasks in the whole plan, after phase limits and the suite's request limit.
  public var totalTasks: Int {
    let sum = suite.load.phases.indices.reduce(0) { $0 + tasks(inPhase: $1) }
    return min(sum, suite.stop.maxRequests ?? Int.max)
  }

  /// The tasks of one phase, in order.
  public func makeIterator(phase: Int) throws -> TaskIterator {
    try TaskIterator(plan: self, phase: phase)
  }
}

/// Yields the tasks of one phase.
public struct TaskIterator: IteratorProtocol {
  private let plan: TaskPlan
  private let phase: Int
  private var datasetIndex = 0
  private var cases: DatasetCaseIterator?
  private var current: TestCase?
  private var targetIndex = 0
  private var repeatIndex = 0

  init(plan: TaskPlan, phase: Int) throws {
    self.plan = plan
    self.phase = phase
  }

  /// The next task; `nil` when the phase's tasks are done.
  public mutating func next() -> BenchmarkTask? {
    while true {
      if let testCase = current {
        let suite = plan.suite
        let task = BenchmarkTask(
          key: BenchmarkTask.key(
            phase: phase, target: targetIndex, dataset: plan.datasets[datasetIndex].name, caseID: testCase.id,
            repeatIndex: repeatIndex),
          phase: phase, dataset: plan.datasets[datasetIndex].name, testCase: testCase,
          targetIndex: targetIndex,
          target: suite.targets[targetIndex], repeatIndex: repeatIndex)
        repeatIndex += 1
        if repeatIndex == suite.repeats {
          repeatIndex = 0
          targetIndex += 1
          if targetIndex == suite.targets.count {
            targetIndex = 0
            current = nil
          }
        }
        return task
      }
      guard datasetIndex < plan.datasets.count else { return nil }
      if cases == nil { cases = try? plan.datasets[datasetIndex].makeCaseIterator() }
      if case .success(let loaded)? = cases?.next() {
        current = loaded.testCase
      } else {
        cases = nil
        datasetIndex += 1
      }
    }
  }
}
