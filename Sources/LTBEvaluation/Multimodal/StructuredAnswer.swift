import Foundation
import LTBCore

/// The JSON a model was asked to answer with, found in its response: the whole response, the
/// inside of a Markdown code fence, or the span from the first `[` or `{` to the last `]` or `}`.
enum StructuredAnswer {
  /// The parsed JSON, or `nil` when the response holds none.
  static func json(in response: String) -> JSONValue? {
    let body = DeterministicEvaluator.jsonBody(response)
    if let value = try? JSONValue.parse(body) { return value }
    guard let start = body.firstIndex(where: { $0 == "[" || $0 == "{" }),
      let end = body.lastIndex(where: { $0 == "]" || $0 == "}" }), start < end
    else { return nil }
    return try? JSONValue.parse(String(body[start...end]))
  }

  /// The list under the first of `keys` in an object, or the value itself when it is a list.
  static func list(_ value: JSONValue, keys: [String]) -> [JSONValue]? {
    if case .array(let items) = value { return items }
    guard case .object(let members) = value else { return nil }
    for key in keys {
      if case .array(let items)? = members[key] { return items }
    }
    return nil
  }

  /// A label as compared: lower case, `_` and `-` read as spaces, whitespace collapsed.
  static func label(_ text: String) -> String {
    text.lowercased().replacingOccurrences(of: "_", with: " ").replacingOccurrences(of: "-", with: " ")
      .split(whereSeparator: \.isWhitespace).joined(separator: " ")
  }
}
