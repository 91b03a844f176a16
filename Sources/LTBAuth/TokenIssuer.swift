public import Foundation
import JWTKit
public import LTBCore

/// Signs and verifies access tokens: HS256 only (the header's `alg` is checked before anything
/// else, so `none`, RS256 and every other algorithm are refused), with the signature, `exp`,
/// `nbf`, `iat` (not in the future), issuer and audience all checked.
public struct TokenIssuer: Sendable {
  /// The `iss` claim written and required.
  public let issuer: String
  /// The `aud` claim written and required.
  public let audience: String
  /// How long an access token lives.
  public let lifetime: Duration
  private let keys: JWTKeyCollection

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
    self.keys = await JWTKeyCollection().add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
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
    return (try await keys.sign(claims, header: ["typ": "JWT"]), expires)
  }

  /// The verified claims of `token`: user id, username, role, expiry.
  public func verify(_ token: String, now: Date = Date()) async throws(AuthFailure) -> (
    user: UUID, username: String, role: Role, expires: Date
  ) {
    try Self.requireHS256(token)
    let claims: AccessClaims
    do {
      claims = try await keys.verify(token, as: AccessClaims.self)
    } catch {
      throw .unauthenticated("token rejected: \(error)")
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
