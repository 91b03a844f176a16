/// What a case expects of its answer, kept with each result so that `ltb eval` can score stored
/// responses without the dataset file: the expected answer, references, context passages and
/// the assertions (the case's and the suite's).
public struct CaseExpectations: Sendable, Hashable, Codable {
  /// The expected answer.
  public var expected: String?
  /// Reference answers for overlap metrics.
  public var references: [String]
  /// Passages the answer should be faithful to.
  public var context: [String]
  /// The assertions, as written.
  public var assertions: [JSONValue]

  /// Creates expectations.
  public init(
    expected: String? = nil, references: [String] = [], context: [String] = [], assertions: [JSONValue] = []
  ) {
    self.expected = expected
    self.references = references
    self.context = context
    self.assertions = assertions
  }

  /// The expectations of `testCase` under a suite's assertions; `nil` when there is nothing to check.
  public init?(testCase: TestCase, suiteAssertions: [JSONValue]) {
    let assertions = suiteAssertions + testCase.assertions
    guard
      testCase.expected != nil || !testCase.references.isEmpty || !testCase.context.isEmpty
        || !assertions.isEmpty
    else { return nil }
    self.init(
      expected: testCase.expected, references: testCase.references, context: testCase.context,
      assertions: assertions)
  }
}
