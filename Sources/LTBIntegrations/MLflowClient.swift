import AsyncHTTPClient
public import Foundation
public import LTBCore
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// MLflow's tracking REST API (`/api/2.0/mlflow/...`) and its artifact proxy
/// (`/api/2.0/mlflow-artifacts/artifacts/...`): what an export needs, each call retried with
/// backoff on network errors, 429 and 5xx.
public struct MLflowClient: Sendable {
  /// The tracking server, e.g. `http://127.0.0.1:5000`.
  public let trackingURI: String
  let token: Secret?
  let attempts: Int
  let timeout: Duration

  /// A client of `settings`' server; without one it is refused with the setting to make.
  public init(settings: MLflowSettings) throws {
    guard !settings.trackingURI.isEmpty else {
      throw LTBError(
        .configuration, "no MLflow tracking server is configured",
        fix: "set [integrations.mlflow] tracking_uri in ltb.toml, or MLFLOW_TRACKING_URI")
    }
    self.init(trackingURI: settings.trackingURI, token: settings.currentToken)
  }

  /// A client of `trackingURI`, with a bearer `token` when the server wants one.
  public init(trackingURI: String, token: Secret?, attempts: Int = 5, timeout: Duration = .seconds(30)) {
    self.trackingURI = trackingURI.hasSuffix("/") ? String(trackingURI.dropLast()) : trackingURI
    self.token = token
    self.attempts = max(1, attempts)
    self.timeout = timeout
  }

  /// An experiment's id by name, created when it does not exist.
  public func experiment(named name: String) async throws -> String {
    let query =
      name.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed.subtracting(["&", "=", "+"])) ?? name
    switch try await call(.GET, "experiments/get-by-name?experiment_name=\(query)", nil, missingIsNil: true) {
    case let found?:
      if let id = found["experiment"]?["experiment_id"]?.stringValue { return id }
    case nil:
      break
    }
    let created = try await call(.POST, "experiments/create", ["name": .string(name)])
    guard let id = created?["experiment_id"]?.stringValue else {
      throw LTBError(.server, "MLflow created experiment '\(name)' without returning its id")
    }
    return id
  }

  /// Creates a run and returns its id.
  public func createRun(experiment: String, name: String, start: Date, tags: [String: String]) async throws
    -> String
  {
    let answer = try await call(
      .POST, "runs/create",
      [
        "experiment_id": .string(experiment), "run_name": .string(name),
        "start_time": .int(Int(start.timeIntervalSince1970 * 1_000)),
        "tags": .array(
          tags.sorted { $0.key < $1.key }.map { ["key": .string($0.key), "value": .string($0.value)] }),
      ])
    guard let id = answer?["run"]?["info"]?["run_id"]?.stringValue else {
      throw LTBError(.server, "MLflow created run '\(name)' without returning its id")
    }
    return id
  }

  /// One metric value at a step.
  public struct Metric: Sendable {
    /// Its key.
    public var key: String
    /// Its value.
    public var value: Double
    /// When, in milliseconds since 1970.
    public var timestamp: Int
    /// Its step.
    public var step: Int

    /// Creates a value.
    public init(_ key: String, _ value: Double, timestamp: Int, step: Int = 0) {
      (self.key, self.value, self.timestamp, self.step) = (key, value, timestamp, step)
    }
  }

  /// Logs parameters, metrics and tags in batches within MLflow's limits (100 parameters,
  /// 1,000 metrics, 1,000 entries per call; parameter values cut to 6,000 characters).
  public func logBatch(
    run: String, parameters: [String: String] = [:], metrics: [Metric] = [], tags: [String: String] = [:]
  )
    async throws
  {
    let parameterEntries: [JSONValue] = parameters.sorted { $0.key < $1.key }.map {
      ["key": .string(String($0.key.prefix(250))), "value": .string(String($0.value.prefix(6_000)))]
    }
    let metricEntries: [JSONValue] = metrics.filter { $0.value.isFinite }.map {
      [
        "key": .string($0.key), "value": .double($0.value), "timestamp": .int($0.timestamp),
        "step": .int($0.step),
      ]
    }
    let tagEntries: [JSONValue] = tags.sorted { $0.key < $1.key }.map {
      ["key": .string($0.key), "value": .string(String($0.value.prefix(8_000)))]
    }
    for start in stride(from: 0, to: max(parameterEntries.count, 1), by: 100) where !parameterEntries.isEmpty
    {
      let slice = Array(parameterEntries[start..<min(start + 100, parameterEntries.count)])
      _ = try await call(.POST, "runs/log-batch", ["run_id": .string(run), "params": .array(slice)])
    }
    for start in stride(from: 0, to: metricEntries.count, by: 1_000) {
      let slice = Array(metricEntries[start..<min(start + 1_000, metricEntries.count)])
      _ = try await call(.POST, "runs/log-batch", ["run_id": .string(run), "metrics": .array(slice)])
    }
    if !tagEntries.isEmpty {
      _ = try await call(.POST, "runs/log-batch", ["run_id": .string(run), "tags": .array(tagEntries)])
    }
  }

  /// Uploads a file to the run's artifacts through the tracking server's proxy.
  public func upload(run: String, experiment: String, path: String, contents: Data, contentType: String)
    async throws
  {
    var request = HTTPClientRequest(
      url: "\(trackingURI)/api/2.0/mlflow-artifacts/artifacts/\(experiment)/\(run)/artifacts/\(path)")
    request.method = .PUT
    request.headers.add(name: "Content-Type", value: contentType)
    if let token { request.headers.add(name: "Authorization", value: "Bearer \(token.value)") }
    request.body = .bytes(ByteBuffer(data: contents))
    _ = try await send(request, what: "upload \(path)", missingIsNil: false)
  }

  /// A run's experiment id, name and tags.
  public func run(_ id: String) async throws -> (experiment: String, name: String, tags: [String: String]) {
    guard let answer = try await call(.GET, "runs/get?run_id=\(id)", nil, missingIsNil: true),
      let info = answer["run"]?["info"], let experiment = info["experiment_id"]?.stringValue
    else {
      throw LTBError(.notFound, "MLflow at \(trackingURI) has no run \(id)", fix: "copy a run id from MLflow")
    }
    var tags: [String: String] = [:]
    for tag in answer["run"]?["data"]?["tags"]?.arrayValue ?? [] {
      if let key = tag["key"]?.stringValue, let value = tag["value"]?.stringValue { tags[key] = value }
    }
    return (experiment, info["run_name"]?.stringValue ?? id, tags)
  }

  /// A file of the run's artifacts, through the tracking server's proxy.
  public func download(run: String, experiment: String, path: String) async throws -> Data {
    var request = HTTPClientRequest(
      url: "\(trackingURI)/api/2.0/mlflow-artifacts/artifacts/\(experiment)/\(run)/artifacts/\(path)")
    if let token { request.headers.add(name: "Authorization", value: "Bearer \(token.value)") }
    let answer: (status: Int, body: String)
    do {
      answer = try await RetryingHTTP.send(request, attempts: attempts, timeout: timeout, maxBytes: 1 << 30)
    } catch let failure as RetryingHTTP.Exhausted {
      throw LTBError(
        .network,
        "MLflow at \(trackingURI) did not answer download \(path) after \(attempts) attempts: \(failure.last)",
        fix: "check that the tracking server runs and [integrations.mlflow] tracking_uri points at it")
    }
    guard (200..<300).contains(answer.status) else {
      throw LTBError(
        .notFound, "run \(run) has no artifact \(path) (HTTP \(answer.status))",
        fix: "compare runs that `ltb export --to mlflow` wrote")
    }
    return Data(answer.body.utf8)
  }

  /// Every run id tagged `key` = `value` in `experiment` (active runs only).
  public func runs(in experiment: String, taggedWith key: String, _ value: String) async throws -> [String] {
    let answer = try await call(
      .POST, "runs/search",
      [
        "experiment_ids": [.string(experiment)], "filter": .string("tags.`\(key)` = '\(value)'"),
        "max_results": 1_000,
      ])
    return answer?["runs"]?.arrayValue?.compactMap { $0["info"]?["run_id"]?.stringValue } ?? []
  }

  /// A run's tags.
  public func tags(of run: String) async throws -> [String: String] {
    let answer = try await call(.GET, "runs/get?run_id=\(run)", nil)
    var tags: [String: String] = [:]
    for tag in answer?["run"]?["data"]?["tags"]?.arrayValue ?? [] {
      if let key = tag["key"]?.stringValue, let value = tag["value"]?.stringValue { tags[key] = value }
    }
    return tags
  }

  /// Marks a run deleted.
  public func delete(run: String) async throws {
    _ = try await call(.POST, "runs/delete", ["run_id": .string(run)])
  }

  /// Ends a run.
  public func finish(run: String, status: String, end: Date) async throws {
    _ = try await call(
      .POST, "runs/update",
      [
        "run_id": .string(run), "status": .string(status),
        "end_time": .int(Int(end.timeIntervalSince1970 * 1_000)),
      ])
  }

  private func call(_ method: HTTPMethod, _ path: String, _ body: JSONValue?, missingIsNil: Bool = false)
    async throws -> JSONValue?
  {
    var request = HTTPClientRequest(url: "\(trackingURI)/api/2.0/mlflow/\(path)")
    request.method = method
    request.headers.add(name: "Accept", value: "application/json")
    if let token { request.headers.add(name: "Authorization", value: "Bearer \(token.value)") }
    if let body {
      request.headers.add(name: "Content-Type", value: "application/json")
      request.body = .bytes(ByteBuffer(string: body.serialized()))
    }
    return try await send(
      request, what: path.split(separator: "?")[0].description, missingIsNil: missingIsNil)
  }

  /// Sends with retries; `nil` for a 404 when `missingIsNil`.
  private func send(_ request: HTTPClientRequest, what: String, missingIsNil: Bool) async throws -> JSONValue?
  {
    let answer: (status: Int, body: String)
    do {
      answer = try await RetryingHTTP.send(request, attempts: attempts, timeout: timeout, maxBytes: 64 << 20)
    } catch let failure as RetryingHTTP.Exhausted {
      throw LTBError(
        .network,
        "MLflow at \(trackingURI) did not answer \(what) after \(attempts) attempts: \(failure.last)",
        fix: "check that the tracking server runs and [integrations.mlflow] tracking_uri points at it")
    }
    switch answer.status {
    case 200..<300:
      return answer.body.isEmpty
        ? .object([:]) : (try? JSONValue.parse(Data(answer.body.utf8))) ?? .object([:])
    case 404 where missingIsNil:
      return nil
    default:
      let message =
        (try? JSONValue.parse(Data(answer.body.utf8)))?["message"]?.stringValue
        ?? String(answer.body.prefix(300))
      throw LTBError(
        .server, "MLflow refused \(what) (HTTP \(answer.status)): \(message)",
        fix: "check [integrations.mlflow] and the tracking server's version (MLflow 2 or 3)")
    }
  }
}
