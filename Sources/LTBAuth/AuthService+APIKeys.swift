import Crypto
public import Foundation
public import LTBCore
public import LTBStorage

/// API keys: created (shown once) and revoked.
extension AuthService {
  /// Creates a key for `owner` (at most the owner's role), returning the key, shown only now.
  public func createAPIKey(
    owner: UUID, name: String, role: Role?, scopes: Set<Permission>?, expiresAt: Date?, by actor: Principal?,
    client: ClientInfo
  ) async throws -> (key: String, record: APIKeyRecord) {
    guard let user = try await store.user(id: owner), user.isActive else {
      throw LTBError(.notFound, "no active user \(owner.lowercasedText)", fix: "create the user first")
    }
    let keyRole = role ?? user.role
    guard keyRole.permissions.isSubset(of: user.role.permissions) else {
      throw LTBError(
        .permissionDenied, "a key cannot have more rights than its owner (\(user.role.rawValue))",
        fix: "choose the role \(user.role.rawValue) or a lesser one")
    }
    if let expiresAt, expiresAt <= Date() {
      throw LTBError(.invalidInput, "the expiry is in the past", fix: "give a future time")
    }
    let key = APIKeyFormat.generate()
    let record = APIKeyRecord(
      id: APIKeyFormat.id(of: key) ?? "", userID: owner, name: name, keyHash: try settings.hasher.hash(key),
      role: keyRole, scopes: scopes, expiresAt: expiresAt)
    try await store.createAPIKey(record)
    try await audit(
      actor?.userID ?? owner, "key.created", "api_key", nil,
      [
        "key_id": .string(record.id), "owner": .string(owner.lowercasedText),
        "role": .string(keyRole.rawValue),
      ], client)
    return (key, record)
  }

  /// Revokes a key: its owner may, and so may anyone with `MANAGE_USERS`.
  public func revokeAPIKey(id: String, by actor: Principal?, client: ClientInfo) async throws -> APIKeyRecord
  {
    guard let record = try await store.apiKey(id: id),
      actor == nil || actor?.userID == record.userID || actor?.has(.manageUsers) == true
    else {
      throw LTBError(.notFound, "no API key \(id) of yours", fix: "list your keys with the apiKeys query")
    }
    _ = try await store.revokeAPIKey(id: id, at: Date())
    verifiedKeys = verifiedKeys.filter { $0.value.principal.credential != .apiKey(id: id) }
    try await audit(actor?.userID, "key.revoked", "api_key", nil, ["key_id": .string(id)], client)
    return try await store.apiKey(id: id) ?? record
  }
}
