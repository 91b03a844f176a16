public import Foundation
public import LTBCore

/// Which sessions to list, newest first; every filter is optional.
public struct SessionQuery: Sendable, Hashable {
  /// One status.
  public var status: SessionStatus?
  /// One owner.
  public var owner: UUID?
  /// Words in the name (case-insensitive substring).
  public var name: String?
  /// Sessions with results from this provider.
  public var provider: String?
  /// Sessions with results from this model.
  public var model: String?
  /// Created at or after.
  public var createdFrom: Date?
  /// Created before.
  public var createdTo: Date?
  /// Page size (1-1000).
  public var limit: Int
  /// Where the previous page ended.
  public var cursor: String?

  /// Creates a query.
  public init(
    status: SessionStatus? = nil, owner: UUID? = nil, name: String? = nil, provider: String? = nil,
    model: String? = nil, createdFrom: Date? = nil, createdTo: Date? = nil, limit: Int = 20,
    cursor: String? = nil
  ) {
    self.status = status
    self.owner = owner
    self.name = name
    self.provider = provider
    self.model = model
    self.createdFrom = createdFrom
    self.createdTo = createdTo
    self.limit = limit
    self.cursor = cursor
  }
}
