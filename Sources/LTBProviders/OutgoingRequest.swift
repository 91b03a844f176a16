public import Foundation
public import LTBCore

/// An HTTP request a provider wants sent, relative to its base URL.
public struct OutgoingRequest: Sendable {
  /// HTTP methods the providers use.
  public enum Method: String, Sendable {
    case get = "GET"
    case post = "POST"
  }

  /// The HTTP method.
  public var method: Method
  /// The path after the base URL (with its query, if any), e.g. `/chat/completions`.
  public var path: String
  /// Headers beyond the provider's authentication and extra headers.
  public var headers: [(String, String)]
  /// The body, usually JSON.
  public var body: Data?

  /// Creates a request.
  public init(method: Method = .post, path: String, headers: [(String, String)] = [], body: Data? = nil) {
    self.method = method
    self.path = path
    self.headers = headers
    self.body = body
  }

  /// A POST with a JSON body.
  public static func json(_ path: String, _ value: JSONValue, headers: [(String, String)] = [])
    -> OutgoingRequest
  {
    OutgoingRequest(method: .post, path: path, headers: headers, body: Data(value.serialized().utf8))
  }

  /// A POST with a JSON body encoded from `value`.
  public static func json(_ path: String, _ value: some Encodable, headers: [(String, String)] = []) throws
    -> OutgoingRequest
  {
    OutgoingRequest(method: .post, path: path, headers: headers, body: try WireJSON.encode(value))
  }
}

/// A non-2xx answer, handed to the provider's error mapping.
public struct HTTPErrorResponse: Sendable {
  /// The status code.
  public var status: Int
  /// The response headers, names lowercased.
  public var headers: [String: String]
  /// The response body (at most 1 MiB of it).
  public var body: Data

  /// The `Retry-After` delay, from `retry-after-ms`, or `Retry-After` in seconds or as an HTTP date.
  public var retryAfter: Duration? {
    if let milliseconds = headers["retry-after-ms"].flatMap(Double.init) {
      return .milliseconds(Int64(milliseconds.rounded(.up)))
    }
    guard let value = headers["retry-after"]?.trimmingCharacters(in: .whitespaces) else { return nil }
    if let seconds = Double(value) { return .milliseconds(Int64((seconds * 1_000).rounded(.up))) }
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "GMT")
    formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
    guard let date = formatter.date(from: value) else { return nil }
    return .milliseconds(Int64(max(0, date.timeIntervalSinceNow) * 1_000))
  }

  /// Creates an error response.
  public init(status: Int, headers: [String: String], body: Data) {
    self.status = status
    self.headers = headers
    self.body = body
  }

  /// The body as text, for messages.
  public var bodyText: String { String(decoding: body.prefix(2_000), as: UTF8.self) }
}
