public import Foundation
public import LTBCore

/// One line of the audit log: who did what to which resource, from where, when.
public struct AuditEntry: Sendable, Equatable {
  /// The entry's id (time-ordered, so the log pages by id).
  public var id: UUID
  /// The acting user, when known.
  public var userID: UUID?
  /// What happened, e.g. `login.failure`, `mutation.createBenchmark`, `permission.denied`.
  public var action: String
  /// The kind of resource, e.g. `session`, `user`, `api_key`, `auth`.
  public var resourceType: String
  /// The resource's id, when it has a UUID.
  public var resourceID: UUID?
  /// Anything else worth keeping (never secrets).
  public var details: [String: JSONValue]
  /// The client's address.
  public var ipAddress: String?
  /// The client's User-Agent.
  public var userAgent: String?
  /// When it happened.
  public var createdAt: Date

  /// Creates an entry.
  public init(
    id: UUID = .timeOrdered(), userID: UUID?, action: String, resourceType: String, resourceID: UUID? = nil,
    details: [String: JSONValue] = [:], ipAddress: String? = nil, userAgent: String? = nil,
    createdAt: Date = Date()
  ) {
    self.id = id
    self.userID = userID
    self.action = action
    self.resourceType = resourceType
    self.resourceID = resourceID
    self.details = details
    self.ipAddress = ipAddress
    self.userAgent = userAgent
    self.createdAt = createdAt
  }
}
