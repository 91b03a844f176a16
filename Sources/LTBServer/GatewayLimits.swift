/// The gateway's limits against abuse, beside the query limits GraphQL applies.
public struct GatewayLimits: Sendable {
  /// The largest request body, in bytes.
  public var maxBodyBytes: Int
  /// How long a WebSocket client has to send `connection_init`.
  public var initTimeout: Duration
  /// Requests per second per identity and per address; `nil` turns limiting off.
  public var rateLimit: RateLimitMiddleware.Limits?
  /// Browser origins allowed by CORS; empty means same origin only.
  public var allowedOrigins: Set<String>

  /// Creates limits (1 MiB bodies, 10 s to initialise a WebSocket, no rate limit and no
  /// cross-origin access, by default).
  public init(
    maxBodyBytes: Int = 1 << 20, initTimeout: Duration = .seconds(10),
    rateLimit: RateLimitMiddleware.Limits? = nil, allowedOrigins: Set<String> = []
  ) {
    self.maxBodyBytes = maxBodyBytes
    self.initTimeout = initTimeout
    self.rateLimit = rateLimit
    self.allowedOrigins = allowedOrigins
  }
}
