public import AsyncHTTPClient
import Crypto
public import Foundation
import JWTKit
public import LTBCore
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// The relying party of an OpenID Connect sign-in: discovery, the authorization URL with
/// `state`, `nonce` and a PKCE S256 challenge, the code exchange, and the ID token's checks
/// (an asymmetric algorithm only, signature from the provider's JWKS, issuer, audience,
/// expiry, issue time and nonce).
public actor OIDCClient {
  /// What a verified ID token says about the user.
  public struct Identity: Sendable, Equatable {
    /// The provider's subject.
    public var subject: String
    /// The email address, when the token carries one.
    public var email: String?
    /// A preferred username, when the token carries one.
    public var preferredUsername: String?
    /// The role claim's value, when valid.
    public var role: Role?
  }

  struct Discovery: Decodable {
    var issuer: String
    var authorizationEndpoint: String
    var tokenEndpoint: String
    var jwksURI: String

    enum CodingKeys: String, CodingKey {
      case issuer
      case authorizationEndpoint = "authorization_endpoint"
      case tokenEndpoint = "token_endpoint"
      case jwksURI = "jwks_uri"
    }
  }

  struct IDClaims: JWTPayload {
    var iss: IssuerClaim
    var sub: SubjectClaim
    var aud: AudienceClaim
    var exp: ExpirationClaim
    var iat: IssuedAtClaim
    var nonce: String?
    var email: String?
    var preferredUsername: String?

    enum CodingKeys: String, CodingKey {
      case iss, sub, aud, exp, iat, nonce, email
      case preferredUsername = "preferred_username"
    }

    func verify(using algorithm: some JWTAlgorithm) async throws {
      try exp.verifyNotExpired()
    }
  }

  private struct Pending {
    var verifier: String
    var nonce: String
    var created: Date
  }

  /// The settings.
  public nonisolated let settings: OIDCSettings
  private var discovery: Discovery?
  private var keys: JWTKeyCollection?
  private var pending: [String: Pending] = [:]
  private let client: HTTPClient
  /// How long a sign-in may take between the redirect and the callback.
  static let pendingLifetime: TimeInterval = 600
  /// The algorithms an ID token may be signed with (never `none` or a shared-secret HMAC).
  static let algorithms: Set<String> = ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384"]

  /// A client for `settings`.
  public init(settings: OIDCSettings, client: HTTPClient = .shared) {
    self.settings = settings
    self.client = client
  }

  /// The URL to send the browser to, with a fresh state, nonce and PKCE challenge.
  public func authorizationURL(now: Date = Date()) async throws -> String {
    let discovery = try await discovered()
    pending = pending.filter { now.timeIntervalSince($0.value.created) < Self.pendingLifetime }
    let state = Self.random()
    let verifier = Self.random()
    let nonce = Self.random()
    pending[state] = Pending(verifier: verifier, nonce: nonce, created: now)
    var components = URLComponents(string: discovery.authorizationEndpoint)
    let existing = components?.queryItems ?? []
    components?.queryItems =
      existing + [
        URLQueryItem(name: "response_type", value: "code"),
        URLQueryItem(name: "client_id", value: settings.clientID),
        URLQueryItem(name: "redirect_uri", value: settings.redirectURI),
        URLQueryItem(name: "scope", value: settings.scopes.joined(separator: " ")),
        URLQueryItem(name: "state", value: state), URLQueryItem(name: "nonce", value: nonce),
        URLQueryItem(name: "code_challenge", value: Self.challenge(verifier)),
        URLQueryItem(name: "code_challenge_method", value: "S256"),
      ]
    guard let url = components?.url?.absoluteString else {
      throw LTBError(
        .configuration, "the provider's authorization endpoint is not a URL",
        fix: "check the OpenID Connect issuer")
    }
    return url
  }

  /// Exchanges the callback's code (for a state this client issued, once) for a verified identity.
  public func finish(code: String, state: String, now: Date = Date()) async throws(AuthFailure) -> Identity {
    guard let started = pending.removeValue(forKey: state),
      now.timeIntervalSince(started.created) < Self.pendingLifetime
    else { throw .unauthenticated("unknown or expired OpenID Connect state") }
    do {
      let discovery = try await discovered()
      let token = try await exchange(code: code, verifier: started.verifier, at: discovery.tokenEndpoint)
      return try await verify(token, nonce: started.nonce, now: now)
    } catch let failure as AuthFailure {
      throw failure
    } catch {
      throw .unauthenticated("OpenID Connect sign-in failed: \(error)")
    }
  }

  /// The ID token's identity, after every check.
  func verify(_ token: String, nonce: String, now: Date) async throws -> Identity {
    let parts = token.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count == 3, let header = Base64URL.decode(String(parts[0])),
      let algorithm = try JSONValue.parse(header)["alg"]?.stringValue, Self.algorithms.contains(algorithm)
    else { throw AuthFailure.unauthenticated("the ID token's algorithm is not an accepted asymmetric one") }
    let keys = try await jwks()
    let claims = try await keys.verify(token, as: IDClaims.self)
    guard claims.iss.value == settings.issuer else {
      throw AuthFailure.unauthenticated("ID token issuer differs")
    }
    guard claims.aud.value.contains(settings.clientID) else {
      throw AuthFailure.unauthenticated("ID token audience differs")
    }
    guard claims.nonce == nonce else { throw AuthFailure.unauthenticated("ID token nonce differs") }
    guard claims.iat.value <= now.addingTimeInterval(60) else {
      throw AuthFailure.unauthenticated("ID token issued in the future")
    }
    let payload = Base64URL.decode(String(parts[1])).flatMap { try? JSONValue.parse($0) }
    let role = payload?[settings.roleClaim]?.stringValue.flatMap { Role(rawValue: $0.lowercased()) }
    return Identity(
      subject: claims.sub.value, email: claims.email, preferredUsername: claims.preferredUsername, role: role
    )
  }

  private func exchange(code: String, verifier: String, at endpoint: String) async throws -> String {
    var request = HTTPClientRequest(url: endpoint)
    request.method = .POST
    request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
    request.headers.add(name: "Accept", value: "application/json")
    if let secret = settings.clientSecret {
      let basic = Data("\(Self.formEncode(settings.clientID)):\(Self.formEncode(secret))".utf8)
        .base64EncodedString()
      request.headers.add(name: "Authorization", value: "Basic \(basic)")
    }
    let form = [
      ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", settings.redirectURI),
      ("client_id", settings.clientID), ("code_verifier", verifier),
    ]
    request.body = .bytes(
      ByteBuffer(string: form.map { "\($0)=\(Self.formEncode($1))" }.joined(separator: "&")))
    let response = try await client.execute(request, timeout: .seconds(10))
    let body = try await response.body.collect(upTo: 1 << 20)
    guard response.status == .ok,
      let idToken = try JSONValue.parse(Data(buffer: body))["id_token"]?.stringValue
    else {
      throw AuthFailure.unauthenticated(
        "the token endpoint answered \(response.status.code) without an ID token")
    }
    return idToken
  }

  private func discovered() async throws -> Discovery {
    if let discovery { return discovery }
    let url =
      settings.issuer.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
      + "/.well-known/openid-configuration"
    let body = try await get(url)
    let found: Discovery
    do {
      found = try JSONDecoder().decode(Discovery.self, from: body)
    } catch {
      throw LTBError(
        .configuration, "\(url) is not an OpenID Connect discovery document",
        fix: "check --oidc-issuer")
    }
    guard found.issuer == settings.issuer else {
      throw LTBError(
        .configuration, "the provider calls itself \(found.issuer), not \(settings.issuer)",
        fix: "set --oidc-issuer to \(found.issuer)")
    }
    discovery = found
    return found
  }

  private func jwks() async throws -> JWTKeyCollection {
    if let keys { return keys }
    let text = String(decoding: try await get(try await discovered().jwksURI), as: UTF8.self)
    let collection = try await JWTKeyCollection().add(jwksJSON: text)
    keys = collection
    return collection
  }

  private func get(_ url: String) async throws -> Data {
    let response: HTTPClientResponse
    do {
      response = try await client.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
    } catch {
      throw LTBError(
        .network, "cannot reach the OpenID Connect provider at \(url)", fix: "check --oidc-issuer")
    }
    let body = try await response.body.collect(upTo: 1 << 20)
    guard response.status == .ok else {
      throw LTBError(
        .network, "the OpenID Connect provider answered \(response.status.code) for \(url)",
        fix: "check --oidc-issuer")
    }
    return Data(buffer: body)
  }

  /// 32 random bytes, base64url (43 characters).
  static func random() -> String {
    var generator = SystemRandomNumberGenerator()
    return Base64URL.encode((0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
  }

  /// The PKCE S256 challenge of a verifier (RFC 7636 §4.2).
  static func challenge(_ verifier: String) -> String {
    Base64URL.encode(SHA256.hash(data: Data(verifier.utf8)))
  }

  static func formEncode(_ text: String) -> String {
    var allowed = CharacterSet.alphanumerics
    allowed.insert(charactersIn: "-._~")
    return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
  }
}
