public import Foundation

/// Which audit entries to read: filters, newest first, one page after a cursor.
public struct AuditQuery: Sendable, Equatable {
  /// Only this user's entries.
  public var userID: UUID?
  /// Only entries whose action starts with this (e.g. `login.` for every sign-in event).
  public var actionPrefix: String?
  /// Only this kind of resource.
  public var resourceType: String?
  /// Only entries at or after this time.
  public var since: Date?
  /// At most this many (1–1000).
  public var limit: Int
  /// The page after this cursor.
  public var cursor: String?

  /// Creates a query.
  public init(
    userID: UUID? = nil, actionPrefix: String? = nil, resourceType: String? = nil, since: Date? = nil,
    limit: Int = 50, cursor: String? = nil
  ) {
    self.userID = userID
    self.actionPrefix = actionPrefix
    self.resourceType = resourceType
    self.since = since
    self.limit = limit
    self.cursor = cursor
  }
}
