public import LTBCore

/// Counts and sizes of a dataset, for `ltb dataset stats`.
public struct DatasetStatistics: Sendable, Codable {
  /// Cases read without problems.
  public var cases = 0
  /// Cases with problems.
  public var invalidCases = 0
  /// Cases per category.
  public var categories: [String: Int] = [:]
  /// Cases per tag.
  public var tags: [String: Int] = [:]
  /// Cases with an expected answer.
  public var withExpected = 0
  /// Cases with references.
  public var withReferences = 0
  /// Cases with context passages.
  public var withContext = 0
  /// Cases given as multi-message conversations.
  public var conversations = 0
  /// Assertions over all cases.
  public var assertions = 0
  /// Images and audio over all cases.
  public var attachments = 0
  /// Shortest, mean and longest prompt (system plus messages), in characters.
  public var promptCharacters: (min: Int, mean: Double, max: Int) {
    (minimum, cases == 0 ? 0 : Double(total) / Double(cases), maximum)
  }
  /// Estimated prompt tokens over all cases (UTF-8 bytes / 4, an estimate).
  public var estimatedPromptTokens = 0

  /// The shortest prompt, in characters.
  public private(set) var minimum = 0
  /// The longest prompt, in characters.
  public private(set) var maximum = 0
  /// All prompts' characters together.
  public private(set) var total = 0

  /// Reads every case of `file`.
  public init(file: DatasetFile) throws(DatasetIssue) {
    var iterator = try file.makeCaseIterator()
    while let next = iterator.next() {
      guard case .success(let loaded) = next else {
        invalidCases += 1
        continue
      }
      add(loaded.testCase)
    }
  }

  private mutating func add(_ testCase: TestCase) {
    cases += 1
    if let category = testCase.category { categories[category, default: 0] += 1 }
    for tag in testCase.tags { tags[tag, default: 0] += 1 }
    if testCase.expected != nil { withExpected += 1 }
    if !testCase.references.isEmpty { withReferences += 1 }
    if !testCase.context.isEmpty { withContext += 1 }
    if testCase.messages != nil { conversations += 1 }
    assertions += testCase.assertions.count
    attachments += testCase.attachments.count
    let text = ([testCase.system, testCase.prompt].compactMap { $0 } + (testCase.messages ?? []).map(\.text))
      .joined(separator: "\n")
    let length = text.count
    minimum = cases == 1 ? length : min(minimum, length)
    maximum = max(maximum, length)
    total += length
    estimatedPromptTokens += TokenCount.estimate(text).count
  }
}
