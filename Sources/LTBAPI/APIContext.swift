/// What every resolver receives for one request, built by one factory for GraphQL over HTTP,
/// WebSocket subscriptions and the REST shim alike.
public struct APIContext: Sendable {
  /// The request's id, for logs and errors.
  public var requestID: String
  /// Nested fields of result pages load through this, once per page.
  public let batch: ResultBatch

  /// Creates a context with an empty batch.
  public init(requestID: String) {
    self.requestID = requestID
    self.batch = ResultBatch()
  }
}
