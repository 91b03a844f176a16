/// The file formats a dataset may take.
public enum DatasetFormat: String, Sendable, Hashable, CaseIterable {
  /// An array of cases, or an object with `cases` (and `name`, `description`, `defaults`).
  case json
  /// One case per line; a first line holding only `defaults` (and `name`, `description`) sets defaults.
  case jsonl
  /// Like JSON, in YAML.
  case yaml
  /// A header row; columns map to fields, `vars.NAME` to variables and `metadata.NAME` to metadata.
  case csv

  /// The format a file's extension names.
  public init?(path: String) {
    switch path.split(separator: ".").last?.lowercased() {
    case "json": self = .json
    case "jsonl", "ndjson": self = .jsonl
    case "yaml", "yml": self = .yaml
    case "csv": self = .csv
    default: return nil
    }
  }
}
