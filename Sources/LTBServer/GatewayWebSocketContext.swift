public import Hummingbird
public import HummingbirdWebSocket
public import NIOCore

/// The request context of the WebSocket route: Hummingbird's storage, the handler reference
/// the upgrade needs, and the peer's address (for the audit log).
public struct GatewayWebSocketContext: RequestContext, WebSocketRequestContext, RemoteAddressRequestContext {
  /// Hummingbird's storage.
  public var coreContext: CoreRequestContextStorage
  /// The handler reference the upgrade fills.
  public let webSocket: WebSocketHandlerReference<Self>
  /// The peer's address.
  public let remoteAddress: SocketAddress?

  /// Creates the context of one upgrade request.
  public init(source: ApplicationRequestContextSource) {
    self.coreContext = .init(source: source)
    self.webSocket = .init()
    self.remoteAddress = source.channel.remoteAddress
  }
}
