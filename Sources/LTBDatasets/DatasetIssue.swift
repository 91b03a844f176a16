public import LTBCore

/// A problem in a dataset file: where (file, line or CSV row, field, case), what, and the fix.
public struct DatasetIssue: Error, Sendable, Hashable, CustomStringConvertible {
  /// The dataset file.
  public var file: String
  /// The line (JSON, JSONL, YAML) or row (CSV, counting the header as row 1).
  public var line: Int?
  /// The field, when one is at fault.
  public var field: String?
  /// The case's id, when known.
  public var caseID: String?
  /// What is wrong.
  public var problem: String
  /// What to do.
  public var fix: String

  /// Creates an issue.
  public init(
    file: String, line: Int?, field: String? = nil, caseID: String? = nil, problem: String, fix: String
  ) {
    self.file = file
    self.line = line
    self.field = field
    self.caseID = caseID
    self.problem = problem
    self.fix = fix
  }

  /// `file:line: field 'x' (case 'id'): problem (fix)`.
  public var description: String {
    var text = file
    if let line { text += ":\(line)" }
    text += ": "
    if let field { text += "field '\(field)'" + (caseID == nil ? ": " : " ") }
    if let caseID { text += "(case '\(caseID)'): " }
    return text + "\(problem) (\(fix))"
  }

  /// The same problem as an `LTBError` for the CLI and API.
  public var error: LTBError {
    LTBError(.invalidInput, description)
  }
}
