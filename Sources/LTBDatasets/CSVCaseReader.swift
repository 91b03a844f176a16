import CSV
import Foundation
import LTBCore

/// Reads a CSV dataset: a header row names the columns; each later row becomes a case record.
/// Columns `vars.NAME` fill variables and `metadata.NAME` metadata; list columns (`tags`,
/// `references`, `context`, `stop`, `images`, `audio`) split on `|`; `assertions` holds JSON.
final class CSVCaseReader {
  static let columns = [
    "id", "prompt", "system", "expected", "references", "context", "tags", "category", "model", "temperature",
    "max_tokens", "stop", "assertions", "images", "audio",
  ]
  static let listColumns: Set<String> = ["references", "context", "stop", "images", "audio"]

  private let reader: CSVReader
  private let header: [String]
  private let path: String
  private var row = 1
  private var finished = false

  init(path: String) throws(DatasetIssue) {
    self.path = path
    // CSV.swift's stream reader reports a read error at the end of a file on Linux, so the
    // text is read whole; CSV datasets are the hand-edited kind, JSONL is the one for millions.
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
      throw DatasetIssue(
        file: path, line: nil, problem: "cannot read the file as UTF-8",
        fix: "check the path and save it as UTF-8")
    }
    do {
      reader = try CSVReader(string: text, hasHeaderRow: true)
    } catch {
      throw DatasetIssue(
        file: path, line: 1, problem: "cannot read the CSV header: \(error)",
        fix: "save the file as UTF-8 CSV")
    }
    header = reader.headerRow?.map { $0.trimmingCharacters(in: .whitespaces) } ?? []
    for column in header
    where !Self.columns.contains(column) && !column.hasPrefix("vars.") && !column.hasPrefix("metadata.") {
      let fix =
        EditDistance.suggestion(for: column, among: Self.columns).map { "did you mean '\($0)'?" }
        ?? "known columns: \(Self.columns.joined(separator: ", ")), vars.NAME, metadata.NAME"
      throw DatasetIssue(file: path, line: 1, field: column, problem: "unknown column '\(column)'", fix: fix)
    }
    guard header.contains("prompt") else {
      throw DatasetIssue(
        file: path, line: 1, problem: "the header has no 'prompt' column", fix: "add a prompt column")
    }
  }

  /// The next row as a record, with its row number (the header is row 1).
  func next() -> (Result<JSONValue, DatasetIssue>, Int)? {
    guard !finished else { return nil }
    guard let cells = reader.next() else {
      finished = true
      if let error = reader.error {
        row += 1
        return (
          .failure(
            DatasetIssue(
              file: path, line: row, problem: "cannot read the row: \(error)", fix: "check the CSV quoting")),
          row
        )
      }
      return nil
    }
    row += 1
    guard cells.count == header.count else {
      return (
        .failure(
          DatasetIssue(
            file: path, line: row, problem: "the row has \(cells.count) cells, the header \(header.count)",
            fix: "quote cells that contain commas")), row
      )
    }
    var fields: [String: JSONValue] = [:]
    var variables: [String: JSONValue] = [:]
    var metadata: [String: JSONValue] = [:]
    for (column, cell) in zip(header, cells) where !cell.isEmpty {
      if column.hasPrefix("vars.") {
        variables[String(column.dropFirst(5))] = .string(cell)
      } else if column.hasPrefix("metadata.") {
        metadata[String(column.dropFirst(9))] = .string(cell)
      } else if column == "assertions" {
        var scanner = JSONParser(Array(cell.utf8))
        guard let value = try? scanner.parseDocument() else {
          return (
            .failure(
              DatasetIssue(
                file: path, line: row, field: "assertions", problem: "the cell is not JSON",
                fix: "write a JSON list of assertions")),
            row
          )
        }
        fields[column] = value
      } else if Self.listColumns.contains(column) {
        fields[column] = .array(
          cell.split(separator: "|").map { .string($0.trimmingCharacters(in: .whitespaces)) })
      } else {
        fields[column] = .string(cell)
      }
    }
    if !variables.isEmpty { fields["vars"] = .object(variables) }
    if !metadata.isEmpty { fields["metadata"] = .object(metadata) }
    return (.success(.object(fields)), row)
  }
}
