public import Foundation
public import LTBCore

/// A dataset file, opened: its format, name and defaults; its cases are read on demand, and
/// JSONL and CSV files are streamed, never held in memory whole.
public struct DatasetFile: Sendable {
  /// The file's path.
  public let path: String
  /// Its format.
  public let format: DatasetFormat
  /// The dataset's name: its `name` field, or the file name without extension.
  public let name: String
  /// Its `description`, when it has one.
  public let description: String?
  /// Values applied to every case.
  public let defaults: DatasetDefaults
  /// For JSON and YAML: the parsed cases with their lines.
  private let records: [(JSONValue, Int)]?
  /// Whether the cases are in the Rust LLM Test Bench's format (``RustBenchDataset``).
  private var isRustBench = false

  /// A case with the line (or CSV row) it was read from.
  public struct LoadedCase: Sendable {
    /// The case, defaults applied and templates rendered.
    public var testCase: TestCase
    /// Its line or row.
    public var line: Int
  }

  /// Opens a dataset: reads JSON and YAML whole, and only the header of JSONL and CSV.
  public static func open(_ path: String) throws(DatasetIssue) -> DatasetFile {
    guard let format = DatasetFormat(path: path) else {
      throw DatasetIssue(
        file: path, line: nil, problem: "unknown dataset format",
        fix: "use a .json, .jsonl, .yaml, .yml or .csv file")
    }
    guard FileManager.default.isReadableFile(atPath: path) else {
      throw DatasetIssue(
        file: path, line: nil, problem: "the file does not exist or cannot be read", fix: "check the path")
    }
    let stem = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
    switch format {
    case .json, .yaml:
      let parsed: (cases: [(JSONValue, Int)], header: [String: JSONValue], key: String?)
      if format == .json {
        guard let data = FileManager.default.contents(atPath: path) else {
          throw DatasetIssue(
            file: path, line: nil, problem: "cannot read the file", fix: "check its permissions")
        }
        var scanner = JSONParser(Array(data))
        do {
          parsed = try scanner.parseCases(keys: ["cases", "test_cases"])
        } catch {
          // A LlamaIndex LabelledRagDataset holds "examples", not "cases".
          var whole = JSONParser(Array(data))
          if case .object(let members)? = try? whole.parseDocument(), LabelledRagDataset.matches(members) {
            return DatasetFile(
              path: path, format: format, name: stem, description: "a LlamaIndex LabelledRagDataset",
              defaults: DatasetDefaults(), records: try LabelledRagDataset.records(members, file: path))
          }
          throw DatasetIssue(
            file: path, line: error.line,
            problem: "JSON syntax error at column \(error.column): \(error.message)", fix: "correct the JSON")
        }
      } else {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
          throw DatasetIssue(
            file: path, line: nil, problem: "cannot read the file as UTF-8", fix: "save it as UTF-8")
        }
        parsed = try YAMLReader.read(text, file: path)
      }
      if parsed.key == "test_cases" {
        let header = try RustBenchDataset.header(parsed.header, file: path)
        return DatasetFile(
          path: path, format: format, name: header.name ?? stem, description: header.description,
          defaults: header.defaults, records: parsed.cases, isRustBench: true)
      }
      let header = try Header(parsed.header, file: path, line: 1)
      return DatasetFile(
        path: path, format: format, name: header.name ?? stem, description: header.description,
        defaults: header.defaults,
        records: parsed.cases)
    case .jsonl:
      var header = Header()
      if let reader = try? LineReader(path: path), let first = Self.firstNonBlank(reader) {
        var scanner = JSONParser(Array(first.bytes), firstLine: first.line)
        if case .object(let members)? = try? scanner.parseDocument(), members["defaults"] != nil,
          Set(members.keys).isSubset(of: ["defaults", "name", "description"])
        {
          header = try Header(members, file: path, line: first.line)
        }
      }
      return DatasetFile(
        path: path, format: format, name: header.name ?? stem, description: header.description,
        defaults: header.defaults,
        records: nil)
    case .csv:
      return DatasetFile(
        path: path, format: format, name: stem, description: nil, defaults: DatasetDefaults(), records: nil)
    }
  }

  /// Iterates the cases in order. A bad case yields its issue; iteration goes on after it.
  public func makeCaseIterator() throws(DatasetIssue) -> DatasetCaseIterator {
    let decoder = CaseDecoder(file: path, defaults: defaults, isRustBench: isRustBench)
    switch format {
    case .json, .yaml:
      return DatasetCaseIterator(source: .records(records ?? [], 0), decoder: decoder)
    case .jsonl:
      guard let reader = try? LineReader(path: path) else {
        throw DatasetIssue(file: path, line: nil, problem: "cannot open the file", fix: "check the path")
      }
      return DatasetCaseIterator(source: .lines(reader), decoder: decoder)
    case .csv:
      return DatasetCaseIterator(source: .csv(try CSVCaseReader(path: path)), decoder: decoder)
    }
  }

  /// Reads every case and reports the count and up to `maxIssues` problems.
  public func validate(maxIssues: Int = 50) -> (caseCount: Int, issues: [DatasetIssue]) {
    validate(maxIssues: maxIssues) { (_: TestCase) throws(Never) in }
  }

  /// ``validate(maxIssues:)``, with `inspect` seeing each good case on the way (the one pass a
  /// caller's own checks need); what `inspect` throws stops the reading.
  public func validate<Failure: Error>(maxIssues: Int = 50, inspect: (TestCase) throws(Failure) -> Void)
    throws(Failure) -> (caseCount: Int, issues: [DatasetIssue])
  {
    var issues: [DatasetIssue] = []
    var count = 0
    let opened: DatasetCaseIterator?
    do {
      opened = try makeCaseIterator()
    } catch {
      return (0, [error])
    }
    guard var iterator = opened else { return (0, []) }
    while let next = iterator.next() {
      switch next {
      case .success(let loaded):
        count += 1
        try inspect(loaded.testCase)
      case .failure(let issue): if issues.count < maxIssues { issues.append(issue) }
      }
    }
    return (count, issues)
  }

  private static func firstNonBlank(_ reader: LineReader) -> (bytes: ArraySlice<UInt8>, line: Int)? {
    while let line = reader.next() {
      if line.bytes.contains(where: { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") }) { return line }
    }
    return nil
  }

  /// `name`, `description` and `defaults` of a dataset.
  private struct Header {
    var name: String?
    var description: String?
    var defaults = DatasetDefaults()

    init() {}

    init(_ members: [String: JSONValue], file: String, line: Int) throws(DatasetIssue) {
      for key in members.keys where !["name", "description", "defaults", "cases"].contains(key) {
        throw DatasetIssue(
          file: file, line: line, field: key, problem: "unknown top-level field '\(key)'",
          fix: "a dataset object holds name, description, defaults and cases")
      }
      name = members["name"]?.stringValue
      description = members["description"]?.stringValue
      if let value = members["defaults"] {
        defaults = try CaseDecoder.decodeDefaults(value, file: file, line: line)
      }
    }
  }
}

/// Yields a dataset's cases one at a time, each decoded, or the issue that stopped it.
public struct DatasetCaseIterator: IteratorProtocol {
  enum Source {
    case records([(JSONValue, Int)], Int)
    case lines(LineReader)
    case csv(CSVCaseReader)
  }

  var source: Source
  let decoder: CaseDecoder
  private var index = 0
  /// Lines of the ids seen so far, by the ids' 64-bit hashes: 16 bytes a case whatever the ids'
  /// length, so a million-case file is checked for duplicates in about 20 MB.
  private var seenIDs: [Int: Int] = [:]

  init(source: Source, decoder: CaseDecoder) {
    self.source = source
    self.decoder = decoder
  }

  /// The next case, or the issue with it; `nil` at the end.
  public mutating func next() -> Result<DatasetFile.LoadedCase, DatasetIssue>? {
    guard let (value, line) = nextRecord() else { return nil }
    index += 1
    let decoded: Result<DatasetFile.LoadedCase, DatasetIssue>
    switch value {
    case .failure(let issue): decoded = .failure(issue)
    case .success(let record):
      do {
        decoded = .success(.init(testCase: try decoder.decode(record, line: line, index: index), line: line))
      } catch {
        decoded = .failure(error)
      }
    }
    guard case .success(let loaded) = decoded else { return decoded }
    let idHash = loaded.testCase.id.hashValue
    if let first = seenIDs[idHash] {
      return .failure(
        DatasetIssue(
          file: decoder.file, line: line, field: "id", caseID: loaded.testCase.id,
          problem: "the id is already used by the case at line \(first)", fix: "give every case its own id"))
    }
    seenIDs[idHash] = line
    return decoded
  }

  private mutating func nextRecord() -> (Result<JSONValue, DatasetIssue>, Int)? {
    switch source {
    case .records(let records, let position):
      guard position < records.count else { return nil }
      source = .records(records, position + 1)
      return (.success(records[position].0), records[position].1)
    case .lines(let reader):
      while let (bytes, line) = reader.next() {
        if bytes.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }) { continue }
        var scanner = JSONParser(Array(bytes), firstLine: line)
        do {
          let value = try scanner.parseDocument()
          if case .object(let members) = value, members["defaults"] != nil,
            Set(members.keys).isSubset(of: ["defaults", "name", "description"])
          {
            continue
          }
          return (.success(value), line)
        } catch {
          return (
            .failure(
              DatasetIssue(
                file: decoder.file, line: line,
                problem: "JSON syntax error at column \(error.column): \(error.message)",
                fix: "each line must be one JSON object")), line
          )
        }
      }
      return nil
    case .csv(let reader):
      guard let (row, number) = reader.next() else { return nil }
      return (row, number)
    }
  }
}
