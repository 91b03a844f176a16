public import Foundation
import JWTKit
public import LTBCore
import Synchronization

/// Signs and verifies access tokens: HS256 only (the header's `alg` is checked before anything
/// else, so `none`, RS256 and every other algorithm are refused), with the signature, `exp`,
/// `nbf`, `iat` (not in the future), issuer and audience all checked.
///
/// The signing secret can be rotated while the server runs (``rotate(to:now:)``): new tokens are
/// signed with the new secret, and tokens signed with the previous one stay valid until they
/// expire (the previous secret is kept for verification for one token lifetime). Copies of an
/// issuer share their keys, so a rotation reaches every copy.
public struct TokenIssuer: Sendable {
  /// The `iss` claim written and required.
  public let issuer: String
  /// The `aud` claim written and required.
  public let audience: String
  /// How long an access token lives.
  public let lifetime: Duration
  private let keys: Keys

  /// The current keys and the previous ones, while tokens they signed can still be alive.
  private final class Keys: Sendable {
    struct State {
      var secret: String
      var current: JWTKeyCollection
      var previous: (keys: JWTKeyCollection, until: Date)?
    }
    let state: Mutex<State>
    init(_ state: State) { self.state = Mutex(state) }
  }

  /// The shortest secret accepted: 32 bytes, the size of HS256's output.
  public static let minimumSecretBytes = 32

  /// Creates an issuer; a secret shorter than 32 bytes is refused.
  public init(secret: String, issuer: String, audience: String, lifetime: Duration) async throws(AuthFailure)
  {
    guard secret.utf8.count >= Self.minimumSecretBytes else {
      throw .invalidInput(
        "the token signing secret is \(secret.utf8.count) bytes; at least \(Self.minimumSecretBytes) are needed",
        fix: "generate one with `openssl rand -base64 48`")
    }
    self.issuer = issuer
    self.audience = audience
    self.lifetime = lifetime
    self.keys = Keys(.init(secret: secret, current: await Self.collection(secret), previous: nil))
  }

  private static func collection(_ secret: String) async -> JWTKeyCollection {
    await JWTKeyCollection().add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
  }

  /// Signs with `secret` from now on; the secret it replaces verifies the tokens it signed until
  /// `now` plus one lifetime. Returns whether anything changed (the same secret again is a no-op).
  @discardableResult
  public func rotate(to secret: String, now: Date = Date()) async throws(AuthFailure) -> Bool {
    guard secret.utf8.count >= Self.minimumSecretBytes else {
      throw .invalidInput(
        "the new token signing secret is \(secret.utf8.count) bytes; at least \(Self.minimumSecretBytes) are needed",
        fix: "generate one with `openssl rand -base64 48`")
    }
    guard keys.state.withLock({ $0.secret }) != secret else { return false }
    let fresh = await Self.collection(secret)
    let until = now.addingTimeInterval(lifetime.milliseconds / 1_000)
    keys.state.withLock { state in
      state.previous = (state.current, until)
      state.current = fresh
      state.secret = secret
    }
    return true
  }

  /// A signed token for `user`, valid from now for the lifetime, and its expiry.
  public func sign(user: UUID, username: String, role: Role, now: Date = Date()) async throws -> (
    token: String, expires: Date
  ) {
    let expires = now.addingTimeInterval(lifetime.milliseconds / 1_000)
    let claims = AccessClaims(
      sub: SubjectClaim(value: user.lowercasedText), iss: IssuerClaim(value: issuer),
      aud: AudienceClaim(value: [audience]), exp: ExpirationClaim(value: expires),
      nbf: NotBeforeClaim(value: now.addingTimeInterval(-1)), iat: IssuedAtClaim(value: now),
      role: role.rawValue,
      name: username)
    let current = keys.state.withLock { $0.current }
    return (try await current.sign(claims, header: ["typ": "JWT"]), expires)
  }

  /// The verified claims of `token`: user id, username, role, expiry.
  public func verify(_ token: String, now: Date = Date()) async throws(AuthFailure) -> (
    user: UUID, username: String, role: Role, expires: Date
  ) {
    try Self.requireHS256(token)
    let (current, previous) = keys.state.withLock { state in
      (state.current, state.previous.flatMap { now < $0.until ? $0.keys : nil })
    }
    let claims: AccessClaims
    do {
      claims = try await current.verify(token, as: AccessClaims.self)
    } catch {
      // A token signed before the last rotation, while it can still be alive.
      guard let previous, let old = try? await previous.verify(token, as: AccessClaims.self) else {
        throw .unauthenticated("token rejected: \(error)")
      }
      claims = old
    }
    guard claims.iss.value == issuer else { throw .unauthenticated("wrong issuer \(claims.iss.value)") }
    guard claims.aud.value.contains(audience) else { throw .unauthenticated("wrong audience") }
    guard claims.iat.value <= now.addingTimeInterval(60) else {
      throw .unauthenticated("issued in the future")
    }
    guard let user = UUID(uuidString: claims.sub.value), let role = Role(rawValue: claims.role) else {
      throw .unauthenticated("malformed subject or role")
    }
    return (user, claims.name, role, claims.exp.value)
  }

  /// Refuses a token whose header is not `{"alg":"HS256"...}`, before any key is looked at.
  static func requireHS256(_ token: String) throws(AuthFailure) {
    let parts = token.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count == 3, let header = Base64URL.decode(String(parts[0])),
      case .object(let fields)? = try? JSONValue.parse(header)
    else { throw .unauthenticated("not a JWT") }
    guard fields["alg"] == .string("HS256") else {
      throw .unauthenticated("algorithm \(fields["alg"]?.stringValue ?? "missing") is not HS256")
    }
  }
}
