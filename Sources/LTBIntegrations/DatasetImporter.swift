public import Foundation
public import LTBCore
import LTBDatasets

/// Pulls datasets from LangSmith (by name) or LlamaIndex (`LabelledRagDataset` files) into JSONL
/// datasets, for `ltb dataset import` and the `importDataset` mutation.
public struct DatasetImporter: Sendable {
  /// The sources datasets are imported from.
  public enum Source: String, Sendable, CaseIterable {
    /// A LangSmith dataset, by name.
    case langsmith
    /// A LlamaIndex `LabelledRagDataset` JSON file.
    case llamaindex
  }

  let langsmith: LangSmithSettings
  let importDirectory: String

  /// An importer reading LangSmith with `langsmith`, writing API imports under `importDirectory`.
  public init(langsmith: LangSmithSettings, importDirectory: String) {
    self.langsmith = langsmith
    self.importDirectory = importDirectory
  }

  /// The cases of a LangSmith dataset (by name) or a LlamaIndex file, as dataset lines.
  public func importCases(from source: Source, name: String) async throws -> [JSONValue] {
    switch source {
    case .langsmith:
      let client = try LangSmithClient(settings: langsmith)
      let dataset = try await client.dataset(named: name)
      guard let id = dataset["id"]?.stringValue else {
        throw LTBError(.decoding, "LangSmith returned dataset '\(name)' without an id")
      }
      return LangSmithExamples.cases(try await client.examples(dataset: id), dataset: name)
    case .llamaindex:
      do {
        return try LabelledRagDataset.cases(file: name)
      } catch {
        throw error.error
      }
    }
  }

  /// Imports a dataset and writes it to `path` (JSONL), checked as `ltb dataset validate` checks;
  /// returns the number of cases.
  @discardableResult
  public func importDataset(from source: Source, name: String, to path: String) async throws -> Int {
    let cases = try await importCases(from: source, name: name)
    let text = cases.map { $0.serialized(sortedKeys: true) }.joined(separator: "\n") + "\n"
    do {
      let url = URL(fileURLWithPath: path)
      try FileManager.default.createDirectory(
        at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
      try Data(text.utf8).write(to: url, options: .atomic)
    } catch {
      throw LTBError(.invalidInput, "cannot write \(path)", fix: "choose a writable path")
    }
    let (count, issues) = try DatasetFile.open(path).validate()
    if let issue = issues.first {
      throw LTBError(
        .invalidInput, "the imported dataset has \(issues.count) problem(s), first: \(issue)",
        fix: "report this with the dataset that caused it")
    }
    return count
  }

  /// Where the API writes an imported dataset: the import directory, a file named after the
  /// source and the dataset (letters, digits, `-` and `_` kept).
  public func importPath(from source: Source, name: String) -> String {
    let base = URL(fileURLWithPath: name).deletingPathExtension().lastPathComponent
    let slug = String(base.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "-" }.prefix(80))
    let directory = importDirectory.hasSuffix("/") ? String(importDirectory.dropLast()) : importDirectory
    return "\(directory)/\(source.rawValue)-\(slug.isEmpty ? "dataset" : slug).jsonl"
  }
}
