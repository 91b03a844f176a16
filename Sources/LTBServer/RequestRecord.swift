import Synchronization

/// What the access log learns about one request while inner middleware and handlers run: its
/// id (the client's `X-Request-Id`, else a new one) and who turned out to be asking.
public final class RequestRecord: Sendable {
  /// The request's id, echoed in the `X-Request-Id` response header and the access log.
  public let id: String
  private let who = Mutex<String?>(nil)

  /// A record for a request with `id`.
  public init(id: String) { self.id = id }

  /// The principal's username, once authenticated.
  public var principal: String? {
    get { who.withLock { $0 } }
    set { who.withLock { $0 = newValue } }
  }
}
