import Foundation
public import Hummingbird
import LTBAPI
public import LTBAuth
public import NIOCore

/// The request context of the gateway: Hummingbird's core storage, the peer's address, and
/// the principal the authentication middleware found.
public struct GatewayRequestContext: RequestContext, RemoteAddressRequestContext {
  /// Hummingbird's storage.
  public var coreContext: CoreRequestContextStorage
  /// The peer's address.
  public let remoteAddress: SocketAddress?
  /// Who is asking, once authenticated.
  public var principal: Principal? {
    didSet { record?.principal = principal?.username }
  }
  /// The request's id and what the access log learns about it (set by the access log).
  public var record: RequestRecord?

  /// Creates the context of one request.
  public init(source: ApplicationRequestContextSource) {
    self.coreContext = .init(source: source)
    self.remoteAddress = source.channel.remoteAddress
  }

  /// The client for audit entries: address and User-Agent.
  func client(_ request: Request) -> ClientInfo {
    ClientInfo(ipAddress: remoteAddress?.ipAddress, userAgent: request.headers[.userAgent])
  }
}

extension GatewayRequestContext {
  /// What a resolver learns about this request: its id, who asks, from where, and the
  /// authentication service for audit entries.
  func apiContext(_ request: Request, auth: AuthService?) -> APIContext {
    APIContext(
      requestID: record?.id ?? UUID().uuidString, principal: principal, client: client(request), auth: auth)
  }
}
