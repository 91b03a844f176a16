import LTBStorage

/// What a page of results reads from the store, decided per request from the fields the
/// document selects and the parts the schema assigns them (`@stored(part:)`, generated as
/// `APIWiring.storedParts`): a part is read when the document may ask for one of its fields.
enum ResultListing {
  /// The stored parts this code knows how to read, by the schema's names.
  static let rowParts: [String: ResultRow.Parts] = ["text": .text, "labels": .labels, "media": .media]
  /// The schema's name of the part only a verdict's stored record holds.
  static let verdictDetailPart = "details"

  /// The groups of a result row the request needs.
  static func parts(_ context: APIContext) -> ResultRow.Parts {
    var parts: ResultRow.Parts = []
    for (name, part) in rowParts where context.mayAsk(for: APIWiring.storedParts[name] ?? []) {
      parts.insert(part)
    }
    return parts
  }

  /// Whether the request needs what only the verdicts' stored records hold.
  static func verdictDetails(_ context: APIContext) -> Bool {
    context.mayAsk(for: APIWiring.storedParts[verdictDetailPart] ?? [])
  }
}
