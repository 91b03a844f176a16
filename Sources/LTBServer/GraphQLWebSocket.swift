import Foundation
import GraphQL
public import HummingbirdWebSocket
public import LTBAPI
public import LTBAuth
import LTBCore
import NIOWebSocket
import OrderedCollections
import Synchronization

/// The graphql-transport-ws protocol over one WebSocket: `connection_init` once (within the
/// init timeout) answered by `connection_ack`, `ping`/`pong`, and per operation id `subscribe`,
/// then `next` results and `complete` (or `error`); the client's `complete` stops an operation.
/// Protocol violations close the socket with the protocol's codes: 4400 invalid message, 4401
/// unauthorised (subscribe before the ack), 4408 init timeout, 4409 duplicate id, 4429 a second
/// init, 4500 internal error. Events reach a subscription through the engine's event bus,
/// whose per-subscriber buffer keeps the newest 1,024 events and counts the ones it drops; a
/// slow socket slows only its own subscriptions (each write is awaited).
public enum GraphQLWebSocket {
  /// The subprotocol name clients must offer.
  public static let subprotocol = "graphql-transport-ws"

  /// Serves one connection until it closes.
  ///
  /// With `auth`, the `connection_init` payload must carry a credential (`token`,
  /// `Authorization: Bearer ...` or `apiKey`; else the upgrade request's `Authorization`
  /// header counts): a missing or invalid one closes the socket with 4403, and so does the
  /// expiry of the access token it carried.
  public static func serve(
    inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, graphQL: GraphQLService,
    initTimeout: Duration = .seconds(10), maxMessageBytes: Int = 1 << 20, auth: AuthService? = nil,
    upgradeCredential: String? = nil, client: ClientInfo = ClientInfo()
  ) async {
    let connection = Connection()
    var principal: Principal?
    var expiry: Task<Void, Never>?
    let timeout = Task {
      try? await Task.sleep(for: initTimeout)
      if !connection.isAcknowledged, !Task.isCancelled {
        try? await outbound.close(.unknown(4408), reason: "Connection initialisation timeout")
      }
    }
    defer {
      timeout.cancel()
      expiry?.cancel()
      connection.cancelAll()
    }
    do {
      for try await message in inbound.messages(maxSize: maxMessageBytes) {
        guard case .text(let text) = message, let json = try? JSONValue.parse(text),
          case .string(let type)? = json["type"]
        else {
          try await outbound.close(.unknown(4400), reason: "Invalid message")
          return
        }
        switch type {
        case "connection_init":
          guard connection.initialise() else {
            try await outbound.close(.unknown(4429), reason: "Too many initialisation requests")
            return
          }
          if let auth {
            let credential = Self.credential(json["payload"]) ?? upgradeCredential
            guard let credential, let found = try? await auth.authenticate(credential, client: client) else {
              try await outbound.close(.unknown(4403), reason: "Forbidden")
              return
            }
            principal = found
            if let expires = found.expires {
              expiry = Task {
                try? await Task.sleep(for: .seconds(max(0, expires.timeIntervalSinceNow)))
                if !Task.isCancelled {
                  try? await outbound.close(.unknown(4403), reason: "Forbidden: token expired")
                }
              }
            }
          }
          try await send(outbound, ["type": "connection_ack"])
        case "ping":
          try await send(outbound, ["type": "pong"])
        case "pong":
          continue
        case "subscribe":
          guard connection.isAcknowledged else {
            try await outbound.close(.unknown(4401), reason: "Unauthorized")
            return
          }
          guard case .string(let id)? = json["id"], !id.isEmpty,
            case .string(let query)? = json["payload"]?["query"]
          else {
            try await outbound.close(
              .unknown(4400), reason: "Invalid message: subscribe needs an id and a payload.query")
            return
          }
          let variables = json["payload"]?["variables"].flatMap(map) ?? .dictionary([:])
          let operationName = json["payload"]?["operationName"]?.stringValue
          let context = APIContext(requestID: "ws-\(id)", principal: principal, client: client, auth: auth)
          let started = connection.start(id) {
            await run(
              id: id, query: query, variables: variables, operationName: operationName, graphQL: graphQL,
              outbound: outbound, context: context)
            connection.finish(id)
          }
          guard started else {
            try await outbound.close(.unknown(4409), reason: "Subscriber for \(id) already exists")
            return
          }
        case "complete":
          if case .string(let id)? = json["id"] { connection.cancel(id) }
        default:
          try await outbound.close(.unknown(4400), reason: "Invalid message type '\(type)'")
          return
        }
      }
    } catch {
      try? await outbound.close(.unknown(4500), reason: "Internal error")
    }
  }

  /// Runs one operation: a subscription streams `next` messages; a query or mutation sends one.
  static func run(
    id: String, query: String, variables: Map, operationName: String?, graphQL: GraphQLService,
    outbound: WebSocketOutboundWriter, context: APIContext
  ) async {
    let variableMap =
      variables.dictionary.map { Dictionary(uniqueKeysWithValues: $0.map { ($0.key, $0.value) }) } ?? [:]
    do {
      let isSubscription = query.range(of: #"^\s*subscription\b"#, options: .regularExpression) != nil
      if isSubscription {
        switch try await graphQL.subscribeJSON(
          query, variables: variableMap, operationName: operationName, context: context)
        {
        case .failure(let errors):
          try await send(outbound, type: "error", id: id, payload: errors.errors)
          return
        case .success(let stream):
          for try await payload in stream {
            try await send(outbound, type: "next", id: id, payloadJSON: payload)
          }
        }
      } else {
        let result = try await graphQL.execute(
          query, variables: variableMap, operationName: operationName, context: context)
        if result.data == nil, !result.errors.isEmpty {
          try await send(
            outbound, type: "error", id: id, payload: result.errors)
          return
        }
        try await send(outbound, type: "next", id: id, payload: result)
      }
      if !Task.isCancelled { try await send(outbound, ["type": "complete", "id": .string(id)]) }
    } catch {
      if !Task.isCancelled {
        try? await send(
          outbound, ["type": "error", "id": .string(id), "payload": [["message": .string("\(error)")]]])
      }
    }
  }

  static func send(_ outbound: WebSocketOutboundWriter, _ message: JSONValue) async throws {
    try await outbound.write(.text(message.serialized()))
  }

  /// The credential in a `connection_init` payload: `token`, `apiKey`, or an
  /// `Authorization`/`authorization` value with or without `Bearer `.
  static func credential(_ payload: JSONValue?) -> String? {
    for key in ["token", "apiKey", "Authorization", "authorization", "X-API-Key"] {
      guard let value = payload?[key]?.stringValue?.trimmingCharacters(in: .whitespaces), !value.isEmpty
      else {
        continue
      }
      return value.lowercased().hasPrefix("bearer ") ? String(value.dropFirst(7)) : value
    }
    return nil
  }

  /// Sends a `next` or `error` message; the payload keeps the order of the fields as selected
  /// (the GraphQL encoder writes an ordered map, spliced in as it is).
  static func send(
    _ outbound: WebSocketOutboundWriter, type: String, id: String, payload: some Encodable
  ) async throws {
    try await send(
      outbound, type: type, id: id,
      payloadJSON: String(decoding: try GraphQLJSONEncoder().encode(payload), as: UTF8.self))
  }

  /// Sends a message whose payload is JSON text already.
  static func send(_ outbound: WebSocketOutboundWriter, type: String, id: String, payloadJSON: String)
    async throws
  {
    let envelope = JSONValue.object(["type": .string(type), "id": .string(id)]).serialized(sortedKeys: true)
    try await outbound.write(.text(envelope.dropLast() + #","payload":"# + payloadJSON + "}"))
  }

  static func map(_ value: JSONValue) -> Map? {
    try? JSONDecoder().decode(Map.self, from: Data(value.serialized().utf8))
  }

  /// One connection's state: acknowledged or not, and its running operations.
  final class Connection: Sendable {
    private let state = Mutex<(acknowledged: Bool, operations: [String: Task<Void, Never>])>((false, [:]))

    var isAcknowledged: Bool { state.withLock { $0.acknowledged } }

    /// Marks the connection acknowledged; `false` when it already was.
    func initialise() -> Bool {
      state.withLock { state in
        guard !state.acknowledged else { return false }
        state.acknowledged = true
        return true
      }
    }

    /// Starts operation `id`; `false` when one with that id is running.
    func start(_ id: String, _ body: @escaping @Sendable () async -> Void) -> Bool {
      state.withLock { state in
        guard state.operations[id] == nil else { return false }
        state.operations[id] = Task { await body() }
        return true
      }
    }

    func finish(_ id: String) { _ = state.withLock { $0.operations.removeValue(forKey: id) } }

    func cancel(_ id: String) { state.withLock { $0.operations.removeValue(forKey: id) }?.cancel() }

    func cancelAll() {
      let operations = state.withLock { state in
        defer { state.operations = [:] }
        return Array(state.operations.values)
      }
      for operation in operations { operation.cancel() }
    }
  }
}
