import Foundation
import LTBCore
import LTBMedia

extension CaseDecoder {
  /// The detail levels an image may ask for.
  static let imageDetails = ["low", "high", "auto"]

  /// A case's `images` and `audio`: each a path (relative to the dataset file), an http(s) URL,
  /// a `data:` URL, or an object `{path | url | base64, detail}`. A file's first bytes must be
  /// an image or audio format ``MediaInspector`` reads, and base64 must decode to one; each
  /// problem is an issue at the element (`images[2]`).
  func attachments(_ reader: FieldReader) throws(DatasetIssue) -> [Attachment] {
    var attachments: [Attachment] = []
    for (field, kind) in [("images", Attachment.Kind.image), ("audio", .audio)] {
      let items: [JSONValue]
      switch reader.fields[field] {
      case nil, .null?: continue
      case .array(let elements)?: items = elements
      case let one?: items = [one]
      }
      for (index, item) in items.enumerated() {
        attachments.append(try attachment(item, kind: kind, field: "\(field)[\(index)]", reader: reader))
      }
    }
    return attachments
  }

  private func attachment(_ item: JSONValue, kind: Attachment.Kind, field: String, reader: FieldReader)
    throws(DatasetIssue) -> Attachment
  {
    switch item {
    case .string(let location):
      return Attachment(kind: kind, location: try media(location, kind: kind, field: field, reader: reader))
    case .object(let members):
      if let unknown = members.keys.sorted().first(where: {
        !["path", "url", "base64", "detail"].contains($0)
      }) {
        throw reader.issue(
          field, "unknown key '\(unknown)'", "use path, url or base64, and optionally detail")
      }
      let given = ["path", "url", "base64"].filter { members[$0] != nil }
      guard given.count == 1, case .string(let value)? = members[given[0]] else {
        throw reader.issue(
          field,
          "give exactly one of path, url or base64 as text (found \(given.isEmpty ? "none" : given.joined(separator: ", ")))",
          "write { \"path\": \"receipt.png\" }, { \"url\": \"https://…\" } or { \"base64\": \"iVBOR…\" }")
      }
      var detail: String?
      if let written = members["detail"] {
        guard case .string(let text) = written, Self.imageDetails.contains(text), kind == .image else {
          throw reader.issue(
            field + ".detail",
            "detail must be one of \(Self.imageDetails.joined(separator: ", ")) on an image",
            "write \"detail\": \"low\", or leave it out")
        }
        detail = text
      }
      let location: String
      switch given[0] {
      case "url":
        guard value.hasPrefix("http://") || value.hasPrefix("https://") else {
          throw reader.issue(
            field + ".url", "'\(value.prefix(60))' is not an http(s) URL", "use path for a file")
        }
        location = value
      case "base64":
        location = try media("data:;base64," + value, kind: kind, field: field + ".base64", reader: reader)
      default: location = try media(value, kind: kind, field: field + ".path", reader: reader)
      }
      return Attachment(kind: kind, location: location, detail: detail)
    default:
      throw reader.issue(
        field, "expected a path, a URL or an object, found \(Self.describe(item))",
        "write \"receipt.png\" or { \"path\": \"receipt.png\", \"detail\": \"low\" }")
    }
  }

  /// Checks one location: a URL as given, a `data:` URL decoded and recognised, a file found
  /// (relative to the dataset) and its first bytes recognised; returns what to keep.
  private func media(_ location: String, kind: Attachment.Kind, field: String, reader: FieldReader)
    throws(DatasetIssue) -> String
  {
    if location.hasPrefix("http://") || location.hasPrefix("https://") { return location }
    if location.hasPrefix("data:") {
      // The format is in the first bytes: 4 KB are decoded here, the whole payload once, when sent.
      let header =
        location.firstIndex(of: ",").map { location.distance(from: location.startIndex, to: $0) + 1 } ?? 0
      let data: Data
      do {
        data = try MediaLoader.decodeDataURL(String(location.prefix(header + 5_464)), limit: .max)
      } catch {
        throw reader.issue(field, error.message, error.fix ?? "encode the file with `base64 -w0 FILE`")
      }
      try check(MediaInspector.format(of: data), kind: kind, field: field, reader: reader)
      return location
    }
    let url =
      location.hasPrefix("/") ? URL(fileURLWithPath: location) : directory.appendingPathComponent(location)
    guard let handle = try? FileHandle(forReadingFrom: url) else {
      throw reader.issue(
        field, "the file '\(location)' does not exist or cannot be read (looked at \(url.path))",
        "give a path relative to the dataset file, or a URL")
    }
    let head = (try? handle.read(upToCount: 4_096)) ?? Data()
    try? handle.close()
    try check(MediaInspector.format(of: head), kind: kind, field: field, reader: reader)
    return url.standardizedFileURL.path
  }

  private func check(_ format: MediaFormat?, kind: Attachment.Kind, field: String, reader: FieldReader)
    throws(DatasetIssue)
  {
    guard let format, format.kind == kind else {
      throw reader.issue(
        field,
        "this is \(format.map { "\($0.rawValue.uppercased()), not \(kind.rawValue)" } ?? "no \(kind.rawValue) format LTB reads")",
        "give \(MediaFormat.names(of: kind)); convert other formats first")
    }
  }
}
