public import LTBAuth

/// What every resolver receives for one request, built by one factory for GraphQL over HTTP,
/// WebSocket subscriptions and the REST shim alike.
public struct APIContext: Sendable {
  /// The request's id, for logs and errors.
  public var requestID: String
  /// Who is asking; `nil` when the request carries no credential.
  public var principal: Principal?
  /// Where the request came from.
  public var client: ClientInfo
  /// Records denials in the audit log, when the server has authentication.
  public var auth: AuthService?
  /// Nested fields of result pages load through this, once per page.
  public let batch: ResultBatch
  /// The fields the document selects, as `Type.field`, when known (queries run by plan);
  /// `nil` means anything may be asked for.
  public var selectedFields: Set<String>?

  /// Whether the document may ask for any of `fields` (always, when the selection is unknown).
  public func mayAsk(for fields: [String]) -> Bool {
    guard let selectedFields else { return true }
    return fields.contains(where: selectedFields.contains)
  }

  /// Creates a context with an empty batch.
  public init(
    requestID: String, principal: Principal? = nil, client: ClientInfo = ClientInfo(),
    auth: AuthService? = nil
  ) {
    self.requestID = requestID
    self.principal = principal
    self.client = client
    self.auth = auth
    self.batch = ResultBatch()
  }

  /// The principal, or an authentication error.
  public func requirePrincipal() throws -> Principal {
    guard let principal else { throw AuthFailure.unauthenticated("no credential").error }
    return principal
  }
}
