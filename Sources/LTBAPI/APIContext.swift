/// What every resolver receives for one request, built by one factory for GraphQL over HTTP,
/// WebSocket subscriptions and the REST shim alike.
public struct APIContext: Sendable {
  /// The request's id, for logs and errors.
  public var requestID: String

  /// Creates a context.
  public init(requestID: String) {
    self.requestID = requestID
  }
}
