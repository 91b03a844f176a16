import Crypto
public import Foundation
public import LTBCore
public import LTBStorage

/// Users, sign-in, tokens, API keys and the audit log: the one place identities are created,
/// proven and recorded.
public actor AuthService {
  /// Lifetimes and names.
  public struct Settings: Sendable {
    /// How long a refresh token lives.
    public var refreshLifetime: Duration
    /// The password hasher (also for API keys).
    public var hasher: PasswordHasher
    /// The shortest password accepted.
    public var minimumPasswordLength: Int
    /// How long a verified API key is trusted before its hash is checked again.
    public var keyCacheLifetime: Duration

    /// Creates settings (30-day refresh tokens, OWASP's argon2id parameters, 10-character
    /// passwords, keys re-verified every 60 s).
    public init(
      refreshLifetime: Duration = .seconds(30 * 86_400), hasher: PasswordHasher = .standard,
      minimumPasswordLength: Int = 10, keyCacheLifetime: Duration = .seconds(60)
    ) {
      self.refreshLifetime = refreshLifetime
      self.hasher = hasher
      self.minimumPasswordLength = minimumPasswordLength
      self.keyCacheLifetime = keyCacheLifetime
    }
  }

  /// The store of users, keys, tokens and audit entries.
  public nonisolated let store: any AuthStore
  /// Signs and verifies access tokens.
  public nonisolated let issuer: TokenIssuer
  /// Lifetimes and hashing.
  public nonisolated let settings: Settings
  var throttle = LoginThrottle()
  var verifiedKeys: [SHA256Digest: VerifiedKey] = [:]
  var checking: [SHA256Digest: Task<VerifiedKey, any Error>] = [:]
  var activeUsers: [UUID: (active: Bool, until: Date)] = [:]
  let dummyHash: String

  /// Creates the service.
  public init(store: any AuthStore, issuer: TokenIssuer, settings: Settings = Settings()) throws {
    self.store = store
    self.issuer = issuer
    self.settings = settings
    try settings.hasher.validate()
    self.dummyHash = try settings.hasher.hash(APIKeyFormat.generate())
  }

}

extension SHA256Digest {
  /// Lower-case hex.
  var hexText: String { map { String(format: "%02x", $0) }.joined() }
}
