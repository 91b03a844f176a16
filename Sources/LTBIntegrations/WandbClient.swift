import AsyncHTTPClient
public import Foundation
public import LTBCore
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// The calls of Weights & Biases' API a run needs, as its official client (`wandb-core`) makes
/// them: GraphQL at `/graphql` (`Viewer`, `UpsertBucket`, `CreateRunFiles`), the run's file stream
/// (`POST /files/{entity}/{project}/{run}/file_stream`: history lines by offset, the summary, the
/// end), and file uploads to the URLs `CreateRunFiles` hands out. The key goes as HTTP basic
/// `api:KEY`. Network errors, 429 and 5xx are retried with backoff.
public struct WandbClient: Sendable {
  /// The server.
  public let baseURL: String
  let authorization: String
  let attempts: Int

  /// A client of `settings`; without a key it is refused with the variable to set.
  public init(settings: WandbSettings, attempts: Int = 5) throws {
    guard let key = settings.apiKey, !key.value.isEmpty else {
      throw LTBError(
        .configuration, "no Weights & Biases API key: \(settings.apiKeyOrigin) is not set",
        fix: "export \(settings.apiKeyOrigin)=..., or set [integrations.wandb] api_key_env")
    }
    baseURL = settings.baseURL.hasSuffix("/") ? String(settings.baseURL.dropLast()) : settings.baseURL
    authorization = "Basic " + Data("api:\(key.value)".utf8).base64EncodedString()
    self.attempts = max(1, attempts)
  }

  /// The key's default entity.
  public func defaultEntity() async throws -> String {
    let data = try await graphql(
      "Viewer", "query Viewer {\n\tviewer {\n\t\tid\n\t\tentity\n\t\tusername\n\t}\n}\n", variables: [:])
    guard let entity = data["viewer"]?["entity"]?.stringValue, !entity.isEmpty else {
      throw LTBError(
        .authentication, "W&B did not name the key's entity",
        fix: "set [integrations.wandb] entity (or WANDB_ENTITY)")
    }
    return entity
  }

  /// Creates or updates the run `name` in `entity`/`project` with its display name, config
  /// (`{key: {"value": v}}`, as W&B stores it), tags and notes.
  public func upsertRun(
    entity: String, project: String, name: String, displayName: String, config: [String: JSONValue],
    tags: [String], notes: String?
  ) async throws {
    let wrapped = JSONValue.object(config.mapValues { ["value": $0] })
    _ = try await graphql(
      "UpsertBucket",
      """
      mutation UpsertBucket ($name: String, $project: String, $entity: String, $displayName: String, $notes: String, $config: JSONString, $tags: [String!]) {
      \tupsertBucket(input: {name:$name,modelName:$project,entityName:$entity,displayName:$displayName,notes:$notes,config:$config,tags:$tags}) {
      \t\tbucket {
      \t\t\tid
      \t\t\tname
      \t\t\tproject {
      \t\t\t\tname
      \t\t\t\tentity {
      \t\t\t\t\tname
      \t\t\t\t}
      \t\t\t}
      \t\t}
      \t\tinserted
      \t}
      }

      """,
      variables: [
        "name": .string(name), "project": .string(project), "entity": .string(entity),
        "displayName": .string(displayName), "notes": notes.map(JSONValue.string) ?? .null,
        "config": .string(wrapped.serialized(sortedKeys: true)), "tags": .array(tags.map(JSONValue.string)),
      ])
  }

  /// Upload URLs for the run's files, by name.
  public func uploadURLs(entity: String, project: String, run: String, files: [String]) async throws
    -> [String: String]
  {
    let data = try await graphql(
      "CreateRunFiles",
      """
      mutation CreateRunFiles ($entity: String!, $project: String!, $run: String!, $files: [String!]!) {
      \tcreateRunFiles(input: {entityName:$entity,projectName:$project,runName:$run,files:$files}) {
      \t\trunID
      \t\tuploadHeaders
      \t\tfiles {
      \t\t\tname
      \t\t\tuploadUrl
      \t\t}
      \t}
      }

      """,
      variables: [
        "entity": .string(entity), "project": .string(project), "run": .string(run),
        "files": .array(files.map(JSONValue.string)),
      ])
    var urls: [String: String] = [:]
    for file in data["createRunFiles"]?["files"]?.arrayValue ?? [] {
      if let name = file["name"]?.stringValue, let url = file["uploadUrl"]?.stringValue { urls[name] = url }
    }
    return urls
  }

  /// Uploads `contents` to a URL `CreateRunFiles` gave.
  public func upload(_ contents: Data, to url: String, name: String) async throws {
    var request = HTTPClientRequest(url: url)
    request.method = .PUT
    request.body = .bytes(ByteBuffer(data: contents))
    let answer = try await send(request, what: "upload \(name)")
    guard (200..<300).contains(answer.status) else {
      throw LTBError(.server, "W&B refused the upload of \(name) (HTTP \(answer.status))")
    }
  }

  /// One post to the run's file stream: `files` (name → offset and lines), and at the end
  /// `complete` with the exit code and the files uploaded.
  public func stream(
    entity: String, project: String, run: String, files: [String: (offset: Int, lines: [String])],
    complete: Bool = false, uploaded: [String] = []
  ) async throws {
    var body: [String: JSONValue] = [
      "files": .object(
        files.mapValues { ["offset": .int($0.offset), "content": .array($0.lines.map(JSONValue.string))] })
    ]
    if complete {
      body["complete"] = true
      body["exitcode"] = 0
      body["uploaded"] = .array(uploaded.map(JSONValue.string))
    }
    var request = HTTPClientRequest(url: "\(baseURL)/files/\(entity)/\(project)/\(run)/file_stream")
    request.method = .POST
    request.headers.add(name: "Authorization", value: authorization)
    request.headers.add(name: "Content-Type", value: "application/json")
    request.body = .bytes(ByteBuffer(string: JSONValue.object(body).serialized()))
    let answer = try await send(request, what: "the file stream")
    try check(answer, what: "the file stream")
  }

  /// A GraphQL operation's `data`.
  func graphql(_ operation: String, _ query: String, variables: [String: JSONValue]) async throws -> JSONValue
  {
    var request = HTTPClientRequest(url: "\(baseURL)/graphql")
    request.method = .POST
    request.headers.add(name: "Authorization", value: authorization)
    request.headers.add(name: "Content-Type", value: "application/json")
    let body: JSONValue = [
      "operationName": .string(operation), "query": .string(query), "variables": .object(variables),
    ]
    request.body = .bytes(ByteBuffer(string: body.serialized()))
    let answer = try await send(request, what: operation)
    try check(answer, what: operation)
    guard let value = try? JSONValue.parse(Data(answer.body.utf8)) else {
      throw LTBError(.decoding, "W&B answered \(operation) with something that is not JSON")
    }
    if let message = value["errors"]?[0]?["message"]?.stringValue {
      throw LTBError(
        .server, "W&B refused \(operation): \(message)", fix: "check [integrations.wandb] entity and project")
    }
    return value["data"] ?? .null
  }

  private func send(_ request: HTTPClientRequest, what: String) async throws -> (status: Int, body: String) {
    do {
      return try await RetryingHTTP.send(
        request, attempts: attempts, timeout: .seconds(60), maxBytes: 16 << 20)
    } catch let failure as RetryingHTTP.Exhausted {
      throw LTBError(
        .network, "W&B at \(baseURL) did not answer \(what) after \(attempts) attempts: \(failure.last)",
        fix: "check the network and [integrations.wandb] base_url (or WANDB_BASE_URL)")
    }
  }

  private func check(_ answer: (status: Int, body: String), what: String) throws {
    switch answer.status {
    case 200..<300: return
    case 401, 403:
      throw LTBError(
        .authentication, "W&B refused the API key (HTTP \(answer.status))",
        fix: "check the key in [integrations.wandb] api_key_env")
    default:
      throw LTBError(.server, "W&B refused \(what) (HTTP \(answer.status)): \(answer.body.prefix(300))")
    }
  }
}
