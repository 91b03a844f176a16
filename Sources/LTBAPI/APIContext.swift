public import LTBAuth

/// What every resolver receives for one request, built by one factory for GraphQL over HTTP,
/// WebSocket subscriptions and the REST shim alike. An immutable class: every resolver of a
/// page receives it, and passing a reference is one retain where a struct is one per member.
public final class APIContext: Sendable {
  /// The request's id, for logs and errors.
  public let requestID: String
  /// Who is asking; `nil` when the request carries no credential.
  public let principal: Principal?
  /// Where the request came from.
  public let client: ClientInfo
  /// Records denials in the audit log, when the server has authentication.
  public let auth: AuthService?
  /// Nested fields of result pages load through this, once per page.
  public let batch: ResultBatch
  /// The fields the document selects, as `Type.field`, when known (queries run by plan);
  /// `nil` means anything may be asked for.
  public let selectedFields: Set<String>?

  /// Whether the document may ask for any of `fields` (always, when the selection is unknown).
  public func mayAsk(for fields: [String]) -> Bool {
    guard let selectedFields else { return true }
    return fields.contains(where: selectedFields.contains)
  }

  /// Creates a context with an empty batch.
  public convenience init(
    requestID: String, principal: Principal? = nil, client: ClientInfo = ClientInfo(),
    auth: AuthService? = nil
  ) {
    self.init(
      requestID: requestID, principal: principal, client: client, auth: auth, batch: ResultBatch(),
      selectedFields: nil)
  }

  private init(
    requestID: String, principal: Principal?, client: ClientInfo, auth: AuthService?, batch: ResultBatch,
    selectedFields: Set<String>?
  ) {
    self.requestID = requestID
    self.principal = principal
    self.client = client
    self.auth = auth
    self.batch = batch
    self.selectedFields = selectedFields
  }

  /// The same context (and batch), knowing which fields the document selects.
  public func selecting(_ fields: Set<String>?) -> APIContext {
    APIContext(
      requestID: requestID, principal: principal, client: client, auth: auth, batch: batch,
      selectedFields: fields)
  }

  /// The principal, or an authentication error.
  public func requirePrincipal() throws -> Principal {
    guard let principal else { throw AuthFailure.unauthenticated("no credential").error }
    return principal
  }
}
