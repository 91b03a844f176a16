import AsyncHTTPClient
public import Foundation
public import LTBCore
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// LangSmith's REST API for datasets, projects, runs and feedback. Datasets are asked as its official client asks: `GET /datasets?name=`
/// (one page of one) for the dataset, then `GET /examples?dataset=ID` in pages of 100 by
/// `offset` until a short page, with the key in `x-api-key`. Network errors, 429 and 5xx are
/// retried with backoff.
public struct LangSmithClient: Sendable {
  /// The API's address.
  public let apiURL: String
  let apiKey: Secret
  let attempts: Int

  /// A client of `settings`; without a key it is refused with the variable to set.
  public init(settings: LangSmithSettings, attempts: Int = 4) throws {
    guard let key = settings.currentAPIKey, !key.value.isEmpty else {
      throw LTBError(
        .configuration, "no LangSmith API key: the \(settings.apiKeyOrigin) is empty or not set",
        fix: "set it, or name another with [integrations.langsmith] api_key_env or api_key_file")
    }
    apiURL = settings.apiURL.hasSuffix("/") ? String(settings.apiURL.dropLast()) : settings.apiURL
    apiKey = key
    self.attempts = max(1, attempts)
  }

  /// A dataset (its members as LangSmith returns them) by name.
  public func dataset(named name: String) async throws -> [String: JSONValue] {
    let page = try await get("/datasets", ["limit": "1", "name": name])
    guard case .object(let dataset)? = page.arrayValue?.first else {
      throw LTBError(
        .notFound, "LangSmith has no dataset named '\(name)'",
        fix: "check the name in LangSmith's Datasets page")
    }
    return dataset
  }

  /// Every example of the dataset with `id`, in LangSmith's order.
  public func examples(dataset id: String) async throws -> [JSONValue] {
    var examples: [JSONValue] = []
    let limit = 100
    while true {
      let page =
        try await get("/examples", ["dataset": id, "offset": String(examples.count), "limit": String(limit)])
        .arrayValue ?? []
      examples += page
      if page.count < limit { return examples }
    }
  }

  /// A project (LangSmith's "session") by name, or `nil`.
  public func project(named name: String) async throws -> [String: JSONValue]? {
    try await get("/sessions", ["limit": "1", "name": name]).arrayValue?.first?.objectValue
  }

  /// `GET path?query`, answered with JSON.
  func get(_ path: String, _ query: [String: String]) async throws -> JSONValue {
    try await call(.GET, path, query: query)
  }

  /// `POST` or `PATCH` of a JSON body to `path`; the answer's JSON (`null` for an empty one).
  @discardableResult
  func send(_ method: HTTPMethod, _ path: String, _ body: JSONValue) async throws -> JSONValue {
    try await call(method, path, query: [:], body: body)
  }

  private func call(
    _ method: HTTPMethod, _ path: String, query: [String: String], body: JSONValue? = nil
  ) async throws -> JSONValue {
    var components = URLComponents()
    components.queryItems = query.sorted { $0.key < $1.key }.map {
      URLQueryItem(name: $0.key, value: $0.value)
    }
    let suffix = query.isEmpty ? "" : "?" + (components.percentEncodedQuery ?? "")
    var request = HTTPClientRequest(url: apiURL + path + suffix)
    request.method = method
    request.headers.add(name: "x-api-key", value: apiKey.value)
    request.headers.add(name: "Accept", value: "application/json")
    if let body {
      request.headers.add(name: "Content-Type", value: "application/json")
      request.body = .bytes(ByteBuffer(string: body.serialized()))
    }
    let answer: (status: Int, body: String)
    do {
      answer = try await RetryingHTTP.send(
        request, attempts: attempts, timeout: .seconds(30), maxBytes: 256 << 20)
    } catch let failure as RetryingHTTP.Exhausted {
      throw LTBError(
        .network, "LangSmith at \(apiURL) did not answer \(path) after \(attempts) attempts: \(failure.last)",
        fix: "check the network and [integrations.langsmith] api_url")
    }
    switch answer.status {
    case 200..<300:
      if answer.body.isEmpty { return .null }
      guard let value = try? JSONValue.parse(Data(answer.body.utf8)) else {
        throw LTBError(.decoding, "LangSmith answered \(path) with something that is not JSON")
      }
      return value
    case 401, 403:
      throw LTBError(
        .authentication, "LangSmith refused the API key (HTTP \(answer.status))",
        fix: "check the key in [integrations.langsmith] api_key_env")
    case 409:
      throw LTBError(
        .server, "LangSmith already has what \(method) \(path) creates: \(answer.body.prefix(300))")
    default:
      throw LTBError(.server, "LangSmith refused \(path) (HTTP \(answer.status)): \(answer.body.prefix(300))")
    }
  }
}
