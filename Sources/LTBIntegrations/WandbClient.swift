import AsyncHTTPClient
import Crypto
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
    guard let key = settings.currentAPIKey, !key.value.isEmpty else {
      throw LTBError(
        .configuration, "no Weights & Biases API key: the \(settings.apiKeyOrigin) is empty or not set",
        fix: "set it, or name another with [integrations.wandb] api_key_env or api_key_file")
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

  /// What ``logArtifact`` created: the ids the run's table reference names it by.
  public struct LoggedArtifact: Sendable {
    /// The server's id of the artifact.
    public var id: String
    /// The client id of this version (`wandb-client-artifact://ID/FILE`).
    public var clientID: String
    /// The client id of the artifact's sequence (`wandb-client-artifact://ID:latest/FILE`).
    public var sequenceClientID: String
  }

  /// Logs an artifact of `type` named `collection` (aliased `latest`) for the run, holding
  /// `files`, as W&B's client does: `CreateArtifact` with the manifest's digest, an empty
  /// `CreateArtifactManifest`, `CreateArtifactFiles` for the upload addresses, the files, the
  /// manifest (`wandb_manifest.json`) and `CommitArtifact`. A file the server already holds (no
  /// upload address) and an artifact it already committed (same digest) are not sent again.
  public func logArtifact(
    entity: String, project: String, run: String, type: String, collection: String, historyStep: Int,
    files: [(name: String, contents: Data)]
  ) async throws -> LoggedArtifact {
    let digests = files.map {
      (name: $0.name, md5: Data(Insecure.MD5.hash(data: $0.contents)).base64EncodedString())
    }
    let manifestDigest = Insecure.MD5.hash(
      data: Data(
        (["wandb-artifact-manifest-v1"] + digests.sorted { $0.name < $1.name }.map { "\($0.name):\($0.md5)" })
          .map { $0 + "\n" }.joined().utf8)
    ).map { String(format: "%02x", $0) }.joined()
    let logged = LoggedArtifact(id: "", clientID: Self.clientID(), sequenceClientID: Self.clientID())
    let created = try await graphql(
      "CreateArtifact",
      """

      mutation CreateArtifact ($input: CreateArtifactInput!) {
      \tcreateArtifact(input: $input) {
      \t\t... CreatedArtifact
      \t}
      }
      fragment CreatedArtifact on CreateArtifactPayload {
      \tartifact {
      \t\tid
      \t\tstate
      \t\tartifactSequence {
      \t\t\tlatestArtifact {
      \t\t\t\tid
      \t\t\t}
      \t\t}
      \t}
      }

      """,
      variables: [
        "input": [
          "aliases": [["alias": "latest", "artifactCollectionName": .string(collection)]],
          "artifactCollectionName": .string(collection), "artifactTypeName": .string(type),
          "clientID": .string(logged.clientID), "sequenceClientID": .string(logged.sequenceClientID),
          "digest": .string(manifestDigest), "digestAlgorithm": "MANIFEST_MD5",
          "enableDigestDeduplication": true, "entityName": .string(entity), "projectName": .string(project),
          "runName": .string(run), "historyStep": .int(historyStep),
        ]
      ])
    guard let id = created["createArtifact"]?["artifact"]?["id"]?.stringValue else {
      throw LTBError(
        .server, "W&B created no artifact for \(collection)", fix: "check the W&B server's version")
    }
    let result = LoggedArtifact(id: id, clientID: logged.clientID, sequenceClientID: logged.sequenceClientID)
    if created["createArtifact"]?["artifact"]?["state"]?.stringValue == "COMMITTED" { return result }
    let manifestID = try await artifactManifest(
      artifact: id, entity: entity, project: project, run: run, digest: nil)?.id
    let addresses = try await graphql(
      "CreateArtifactFiles",
      """

      mutation CreateArtifactFiles ($input: CreateArtifactFilesInput!) {
      \tcreateArtifactFiles(input: $input) {
      \t\tfiles {
      \t\t\tedges {
      \t\t\t\tnode {
      \t\t\t\t\tstoragePath
      \t\t\t\t\tuploadUrl
      \t\t\t\t\tuploadHeaders
      \t\t\t\t\tartifact {
      \t\t\t\t\t\tid
      \t\t\t\t\t}
      \t\t\t\t}
      \t\t\t}
      \t\t}
      \t}
      }

      """,
      variables: [
        "input": [
          "artifactFiles": .array(
            digests.map {
              [
                "artifactID": .string(id), "artifactManifestID": manifestID.map(JSONValue.string) ?? .null,
                "md5": .string($0.md5), "name": .string($0.name),
              ]
            }),
          "storageLayout": "V2",
        ]
      ])
    let edges = addresses["createArtifactFiles"]?["files"]?["edges"]?.arrayValue ?? []
    for (file, edge) in zip(files, edges) {
      guard let url = edge["node"]?["uploadUrl"]?.stringValue else { continue }
      try await upload(file.contents, to: url, name: file.name)
    }
    var contents: [String: JSONValue] = [:]
    for (file, digest) in zip(files, digests) {
      contents[file.name] = [
        "digest": .string(digest.md5), "size": .int(file.contents.count), "birthArtifactID": .string(id),
      ]
    }
    let manifest: JSONValue = [
      "version": 1, "storagePolicy": "wandb-storage-policy-v1",
      "storagePolicyConfig": ["storageLayout": "V2"], "contents": .object(contents),
    ]
    let manifestData = Data(manifest.serialized(sortedKeys: true).utf8)
    let manifestUpload = try await artifactManifest(
      artifact: id, entity: entity, project: project, run: run,
      digest: Data(Insecure.MD5.hash(data: manifestData)).base64EncodedString())
    guard let url = manifestUpload?.uploadURL else {
      throw LTBError(
        .server, "W&B gave no upload address for \(collection)'s manifest",
        fix: "check the W&B server's version")
    }
    try await upload(manifestData, to: url, name: "wandb_manifest.json")
    _ = try await graphql(
      "CommitArtifact",
      """

      mutation CommitArtifact ($artifactID: ID!) {
      \tcommitArtifact(input: {artifactID:$artifactID}) {
      \t\tartifact {
      \t\t\tid
      \t\t\tdigest
      \t\t}
      \t}
      }

      """,
      variables: ["artifactID": .string(id)])
    return result
  }

  /// `CreateArtifactManifest`: without a digest, the manifest's record; with one, also where to
  /// upload it.
  private func artifactManifest(
    artifact: String, entity: String, project: String, run: String, digest: String?
  ) async throws -> (id: String?, uploadURL: String?)? {
    let data = try await graphql(
      "CreateArtifactManifest",
      """

      mutation CreateArtifactManifest ($artifactID: ID!, $baseArtifactID: ID, $name: String!, $digest: String!, $entityName: String!, $projectName: String!, $runName: String!, $manifestType: ArtifactManifestType!, $includeUpload: Boolean!) {
      \tcreateArtifactManifest(input: {artifactID:$artifactID,baseArtifactID:$baseArtifactID,name:$name,digest:$digest,entityName:$entityName,projectName:$projectName,runName:$runName,type:$manifestType}) {
      \t\tartifactManifest {
      \t\t\tid
      \t\t\tfile {
      \t\t\t\tid
      \t\t\t\tuploadUrl @include(if: $includeUpload)
      \t\t\t\tuploadHeaders @include(if: $includeUpload)
      \t\t\t}
      \t\t}
      \t}
      }

      """,
      variables: [
        "artifactID": .string(artifact), "baseArtifactID": .null, "name": "wandb_manifest.json",
        "digest": .string(digest ?? ""), "entityName": .string(entity), "projectName": .string(project),
        "runName": .string(run), "manifestType": "FULL", "includeUpload": .bool(digest != nil),
      ])
    guard let manifest = data["createArtifactManifest"]?["artifactManifest"] else { return nil }
    return (manifest["id"]?.stringValue, manifest["file"]?["uploadUrl"]?.stringValue)
  }

  /// A client id as W&B's client makes them: 128 random lowercase letters and digits.
  static func clientID() -> String {
    let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
    return String((0..<128).map { _ in alphabet[Int.random(in: 0..<alphabet.count)] })
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
