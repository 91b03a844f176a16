import Crypto
public import Foundation
public import LTBCore
public import LTBStorage

/// Users: created with a policy-checked password, their role and activity changed by an admin.
extension AuthService {
  /// Creates a user with a password (checked against the policy), audited as `user.created`.
  public func createUser(
    username: String, email: String, password: String?, role: Role, by actor: Principal?, client: ClientInfo
  ) async throws -> UserRecord {
    let name = username.trimmingCharacters(in: .whitespaces)
    guard name.range(of: #"^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$"#, options: .regularExpression) != nil else {
      throw LTBError(
        .invalidInput, "the username '\(username.prefix(64))' is not valid",
        fix: "use 2–64 letters, digits, '.', '_' or '-', starting with a letter or digit")
    }
    guard email.range(of: #"^[^@\s]+@[^@\s]+$"#, options: .regularExpression) != nil, email.count <= 254
    else {
      throw LTBError(
        .invalidInput, "the email '\(email.prefix(64))' is not valid", fix: "use name@example.org")
    }
    var hash = ""
    if let password {
      try checkPolicy(password, username: name)
      hash = try settings.hasher.hash(password)
    }
    let user = UserRecord(username: name, email: email, passwordHash: hash, role: role)
    try await store.createUser(user)
    try await audit(
      actor?.userID, "user.created", "user", user.id,
      ["username": .string(name), "role": .string(role.rawValue)],
      client)
    return user
  }

  /// Changes a user's role or deactivates them (revoking their tokens and keys); `actor` is
  /// `nil` for the command line.
  public func updateUser(_ id: UUID, role: Role?, active: Bool?, by actor: Principal?, client: ClientInfo)
    async throws -> UserRecord
  {
    guard var user = try await store.user(id: id) else {
      throw LTBError(.notFound, "no user \(id.lowercasedText)", fix: "list users with the users query")
    }
    if id == actor?.userID, active == false || (role != nil && role != .admin && user.role == .admin) {
      throw LTBError(
        .invalidInput, "you cannot deactivate yourself or take away your own admin role",
        fix: "ask another admin")
    }
    if let role { user.role = role }
    if let active { user.isActive = active }
    try await store.updateUser(user)
    if active == false || role != nil {
      try await store.revokeRefreshTokens(user: id, at: Date())
      for key in try await store.apiKeys(user: id) where key.revokedAt == nil {
        _ = try await store.revokeAPIKey(id: key.id, at: Date())
      }
      verifiedKeys = verifiedKeys.filter { $0.value.principal.userID != id }
    }
    activeUsers[id] = nil
    var details: [String: JSONValue] = [:]
    if let role { details["role"] = .string(role.rawValue) }
    if let active { details["active"] = .bool(active) }
    try await audit(actor?.userID, "user.updated", "user", id, details, client)
    return user
  }

  func checkPolicy(_ password: String, username: String) throws {
    guard password.count >= settings.minimumPasswordLength, password.count <= 1_024 else {
      throw LTBError(
        .invalidInput, "the password must be \(settings.minimumPasswordLength)–1024 characters",
        fix: "choose a longer passphrase")
    }
    guard password.lowercased() != username.lowercased() else {
      throw LTBError(
        .invalidInput, "the password must differ from the username", fix: "choose another password")
    }
  }
}
