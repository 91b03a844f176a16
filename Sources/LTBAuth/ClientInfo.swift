/// Where a request came from, for the audit log and per-address limits.
public struct ClientInfo: Sendable, Equatable {
  /// The peer's IP address.
  public var ipAddress: String?
  /// The User-Agent header.
  public var userAgent: String?

  /// Creates client information.
  public init(ipAddress: String? = nil, userAgent: String? = nil) {
    self.ipAddress = ipAddress
    self.userAgent = userAgent
  }
}
