public import Foundation
public import LTBCore

/// LlamaIndex's `LabelledRagDataset` JSON (`{"examples": [{"query", "reference_contexts",
/// "reference_answer", "query_by", "reference_answer_by"}]}`), read as a dataset as it is and
/// written from one: the query is the prompt, the reference answer the expected answer, and the
/// reference contexts the context the faithfulness and relevance judges read.
public enum LabelledRagDataset {
  /// Whether a JSON file's top-level members are a `LabelledRagDataset`'s.
  static func matches(_ header: [String: JSONValue]) -> Bool {
    header.keys.count == 1 && header["examples"]?.arrayValue != nil
  }

  /// The examples as case records (each with its position as the line, for errors).
  static func records(_ header: [String: JSONValue], file: String) throws(DatasetIssue) -> [(JSONValue, Int)]
  {
    var records: [(JSONValue, Int)] = []
    for (index, example) in (header["examples"]?.arrayValue ?? []).enumerated() {
      guard let query = example["query"]?.stringValue else {
        throw DatasetIssue(
          file: file, line: nil, field: "examples[\(index)].query",
          problem: "example \(index + 1) has no query string", fix: "give every example a \"query\"")
      }
      var record: [String: JSONValue] = ["id": .string("example-\(index + 1)"), "prompt": .string(query)]
      if let answer = example["reference_answer"]?.stringValue { record["expected"] = .string(answer) }
      if let contexts = example["reference_contexts"]?.arrayValue {
        record["context"] = .array(contexts.filter { $0.stringValue != nil })
      }
      var metadata: [String: JSONValue] = ["source": "llamaindex"]
      for key in ["query_by", "reference_answer_by"] {
        if let value = example[key], value != .null { metadata[key] = value }
      }
      record["metadata"] = .object(metadata)
      records.append((.object(record), index + 1))
    }
    return records
  }

  /// Cases as a `LabelledRagDataset` document (cases without a prompt are left out; the
  /// answers are marked as written by a human, as LlamaIndex marks hand-labelled data).
  public static func document(_ cases: [TestCase]) -> JSONValue {
    let examples: [JSONValue] = cases.compactMap { testCase in
      guard let prompt = testCase.prompt ?? testCase.messages?.last(where: { $0.role == .user })?.text else {
        return nil
      }
      return [
        "query": .string(prompt),
        "query_by": ["model_name": "", "type": "human"],
        "reference_contexts": .array(testCase.context.map(JSONValue.string)),
        "reference_answer": testCase.expected.map(JSONValue.string) ?? "",
        "reference_answer_by": ["model_name": "", "type": "human"],
      ]
    }
    return ["examples": .array(examples)]
  }
}

extension LabelledRagDataset {
  /// The examples of the `LabelledRagDataset` file at `path` as cases of this project's format
  /// (for `ltb dataset import --from llamaindex`).
  public static func cases(file path: String) throws(DatasetIssue) -> [JSONValue] {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw DatasetIssue(file: path, line: nil, problem: "cannot read the file", fix: "check the path")
    }
    var parser = JSONParser(Array(data))
    guard case .object(let members)? = try? parser.parseDocument(), matches(members) else {
      throw DatasetIssue(
        file: path, line: nil,
        problem: "not a LabelledRagDataset (a JSON object whose only member is examples)",
        fix: "export it from LlamaIndex with LabelledRagDataset.save_json")
    }
    return try records(members, file: path).map(\.0)
  }
}
