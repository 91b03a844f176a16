public import LTBStorage

/// What every resolver receives for one request, built the same way for GraphQL over HTTP,
/// WebSocket subscriptions and the REST shim.
public struct APIContext: Sendable {
  /// The store the request reads and writes.
  public var store: any BenchStore
  /// The request's id, for logs and errors.
  public var requestID: String

  /// Creates a context.
  public init(store: any BenchStore, requestID: String) {
    self.store = store
    self.requestID = requestID
  }
}
