import Foundation

/// The parameters of a query string as browsers and HTTP clients encode them
/// (`application/x-www-form-urlencoded`: `+` is a space, then percent-decoding); the first value
/// of a repeated name wins.
enum FormParameters {
  /// The parameters of `query` (none when it is `nil`).
  static func decode(_ query: String?) -> [String: String] {
    var parameters: [String: String] = [:]
    for pair in (query ?? "").split(separator: "&") {
      let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
      func decode(_ part: Substring) -> String {
        let spaced = part.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
      }
      let name = decode(parts[0])
      if parameters[name] == nil { parameters[name] = parts.count > 1 ? decode(parts[1]) : "" }
    }
    return parameters
  }
}
