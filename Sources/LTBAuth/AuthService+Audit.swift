import Crypto
public import Foundation
public import LTBCore
public import LTBStorage

/// The audit log: who did what to which resource, from where.
extension AuthService {
  /// Appends to the audit log.
  public func audit(
    _ user: UUID?, _ action: String, _ resourceType: String, _ resource: UUID?,
    _ details: [String: JSONValue],
    _ client: ClientInfo
  ) async throws {
    try await store.appendAudit(
      AuditEntry(
        userID: user, action: action, resourceType: resourceType, resourceID: resource, details: details,
        ipAddress: client.ipAddress, userAgent: client.userAgent.map { String($0.prefix(512)) }))
  }

  /// Whether two byte strings are equal, in time that depends only on their length.
  static func constantTimeEqual(_ first: [UInt8], _ second: [UInt8]) -> Bool {
    guard first.count == second.count else { return false }
    var difference: UInt8 = 0
    for index in first.indices { difference |= first[index] ^ second[index] }
    return difference == 0
  }
}
