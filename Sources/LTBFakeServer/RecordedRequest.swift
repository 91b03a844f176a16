public import Foundation

/// A request as the loopback server received it.
public struct RecordedRequest: Sendable {
  /// The method, e.g. `POST`.
  public var method: String
  /// The path with its query, e.g. `/v1/chat/completions?x=1`.
  public var uri: String
  /// The headers in arrival order.
  public var headers: [(name: String, value: String)]
  /// The body.
  public var body: Data

  /// The path without the query.
  public var path: String { String(uri.split(separator: "?", maxSplits: 1).first ?? "") }

  /// The first header called `name` (case-insensitive).
  public func header(_ name: String) -> String? {
    headers.first { $0.name.lowercased() == name.lowercased() }?.value
  }

  /// The body parsed as a JSON object, when it is one.
  public var jsonBody: [String: Any]? {
    (try? JSONSerialization.jsonObject(with: body)) as? [String: Any]
  }
}
