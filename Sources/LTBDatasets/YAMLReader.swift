import Foundation
import LTBCore
import Yams

/// Reads YAML into JSON values, keeping the line where each case starts.
enum YAMLReader {
  /// The cases (each with its line) and the other top-level members, of a list or of a mapping with `cases`.
  static func read(_ text: String, file: String) throws(DatasetIssue) -> (
    cases: [(JSONValue, Int)], header: [String: JSONValue], key: String?
  ) {
    let root: Node?
    do {
      root = try Yams.compose(yaml: text)
    } catch let error as YamlError {
      throw DatasetIssue(
        file: file, line: Self.line(of: error), problem: "YAML syntax error: \(error)",
        fix: "correct the YAML")
    } catch {
      throw DatasetIssue(
        file: file, line: nil, problem: "cannot parse YAML: \(error)", fix: "correct the YAML")
    }
    guard let root else {
      throw DatasetIssue(file: file, line: 1, problem: "the file is empty", fix: "add a list of cases")
    }
    switch root {
    case .sequence(let sequence):
      return (sequence.map { (convert($0), $0.mark?.line ?? 0) }, [:], nil)
    case .mapping(let mapping):
      var header: [String: JSONValue] = [:]
      var cases: [(JSONValue, Int)]?
      var caseKey: String?
      for (key, value) in mapping {
        let name = key.string ?? ""
        // `test_cases`: the Rust LLM Test Bench's datasets (RustBenchDataset).
        if name == "cases" || name == "test_cases", cases == nil, case .sequence(let sequence) = value {
          cases = sequence.map { (convert($0), $0.mark?.line ?? 0) }
          caseKey = name
        } else {
          header[name] = convert(value)
        }
      }
      guard let cases else {
        throw DatasetIssue(
          file: file, line: root.mark?.line, problem: "the mapping has no 'cases' list",
          fix: "put the cases under cases:")
      }
      return (cases, header, caseKey)
    default:
      throw DatasetIssue(
        file: file, line: root.mark?.line, problem: "expected a list of cases",
        fix: "write a YAML list, or cases: [...]")
    }
  }

  /// A YAML node as a JSON value: plain scalars become numbers, booleans and nulls where they read as such.
  static func convert(_ node: Node) -> JSONValue {
    switch node {
    case .scalar(let scalar):
      guard scalar.style == .plain || scalar.style == .any else { return .string(scalar.string) }
      if node.null != nil { return .null }
      if let flag = node.bool { return .bool(flag) }
      if let number = node.int { return .int(number) }
      if let number = node.float { return .double(number) }
      return .string(scalar.string)
    case .sequence(let sequence):
      return .array(sequence.map(convert))
    case .mapping(let mapping):
      var members: [String: JSONValue] = [:]
      for (key, value) in mapping { members[key.string ?? ""] = convert(value) }
      return .object(members)
    case .alias:
      return .null
    }
  }

  private static func line(of error: YamlError) -> Int? {
    switch error {
    case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): mark.line
    default: nil
    }
  }
}
