import Crypto
import Foundation
import LTBCore
import Testing

@testable import LTBAuth

@Suite("Hashes, keys and tokens")
struct TokenAndHashTests {
  static let secret = "test-secret-0123456789-abcdefghijklmnopqrstuvwxyz"

  static func issuer(lifetime: Duration = .seconds(900), issuer: String = "ltb", audience: String = "ltb-api")
    async throws -> TokenIssuer
  {
    try await TokenIssuer(secret: secret, issuer: issuer, audience: audience, lifetime: lifetime)
  }

  @Test("argon2id: the PHC string carries the parameters; the right secret verifies, others do not")
  func argon2() throws {
    let hasher = PasswordHasher(memoryKiB: 4_096, iterations: 1, parallelism: 1)
    let hash = try hasher.hash("correct horse battery")
    #expect(hash.hasPrefix("$argon2id$v=19$m=4096,t=1,p=1$"))
    #expect(PasswordHasher.verify("correct horse battery", against: hash))
    #expect(!PasswordHasher.verify("correct horse batterx", against: hash))
    #expect(!PasswordHasher.verify("correct horse battery", against: "$argon2i$" + hash.dropFirst(10)))
    #expect(!PasswordHasher.verify("x", against: "not a hash"))
    #expect(try hasher.hash("same") != hasher.hash("same"), "every hash has its own salt")
    #expect(hasher.isOutdated(try PasswordHasher(memoryKiB: 2_048, iterations: 1, parallelism: 1).hash("p")))
    #expect(!hasher.isOutdated(hash))
    #expect(throws: AuthFailure.self) {
      try PasswordHasher(memoryKiB: 64, iterations: 1, parallelism: 1).validate()
    }
    let standard = try PasswordHasher.standard.hash("pw")
    #expect(standard.contains("$m=19456,t=2,p=1$"))
  }

  @Test("API keys: ltb_ and 32 alphanumerics, distinct, with an 8-character public id")
  func keyFormat() {
    let keys = (0..<200).map { _ in APIKeyFormat.generate() }
    #expect(Set(keys).count == 200)
    for key in keys {
      #expect(key.count == 36)
      #expect(APIKeyFormat.id(of: key) == String(key.dropFirst(4).prefix(8)))
    }
    let characters = Set(keys.joined().dropFirst(0).filter { $0 != "_" })
    #expect(characters.count > 50, "the whole alphabet is used")
    #expect(APIKeyFormat.id(of: "ltb_short") == nil)
    #expect(APIKeyFormat.id(of: "ltb_" + String(repeating: "-", count: 32)) == nil)
  }

  @Test("a signed token verifies with its user, name, role and expiry")
  func roundTrip() async throws {
    let issuer = try await Self.issuer()
    let user = UUID()
    let now = Date()
    let signed = try await issuer.sign(user: user, username: "ada", role: .user, now: now)
    let claims = try await issuer.verify(signed.token)
    #expect(claims.user == user)
    #expect(claims.username == "ada")
    #expect(claims.role == .user)
    #expect(abs(claims.expires.timeIntervalSince(now) - 900) < 1)
  }

  @Test(
    "tokens are refused: tampered, alg none, RS256, HS512, expired, not yet valid, wrong issuer or audience")
  func refusals() async throws {
    let issuer = try await Self.issuer()
    let signed = try await issuer.sign(user: UUID(), username: "ada", role: .viewer).token
    let parts = signed.split(separator: ".").map(String.init)

    func payload(_ edit: (inout [String: JSONValue]) -> Void) throws -> String {
      var claims = try JSONValue.parse(Base64URL.decode(parts[1])!).objectValue!
      edit(&claims)
      return Base64URL.encode(Data(JSONValue.object(claims).serialized(sortedKeys: true).utf8))
    }
    func header(_ alg: String) -> String {
      Base64URL.encode(Data(#"{"alg":"\#(alg)","typ":"JWT"}"#.utf8))
    }
    func hmac(_ input: String, key: String = Self.secret) -> String {
      Base64URL.encode(
        Data(
          HMAC<SHA256>.authenticationCode(for: Data(input.utf8), using: SymmetricKey(data: Data(key.utf8)))))
    }
    let admin = try payload { $0["role"] = "admin" }
    let now = Date().timeIntervalSince1970
    var cases: [(String, String)] = [
      ("tampered payload", parts[0] + "." + admin + "." + parts[2]),
      ("alg none", header("none") + "." + admin + "."),
      ("alg None", header("None") + "." + admin + "."),
      (
        "RS256 header with an HMAC signature",
        header("RS256") + "." + admin + "." + hmac(header("RS256") + "." + admin)
      ),
      ("HS512", header("HS512") + "." + parts[1] + "." + parts[2]),
      (
        "wrong key", parts[0] + "." + parts[1] + "." + hmac(parts[0] + "." + parts[1], key: Self.secret + "x")
      ),
      ("garbage", "not.a.token"),
      ("two parts", parts[0] + "." + parts[1]),
    ]
    for (name, edit) in [
      ("expired", { (c: inout [String: JSONValue]) in c["exp"] = .double(now - 10) }),
      ("not yet valid", { c in c["nbf"] = .double(now + 600) }),
      ("issued in the future", { c in c["iat"] = .double(now + 3_600) }),
      ("wrong issuer", { c in c["iss"] = "someone-else" }),
      ("wrong audience", { c in c["aud"] = .array(["other-api"]) }),
    ] as [(String, (inout [String: JSONValue]) -> Void)] {
      let body = try payload(edit)
      cases.append((name, parts[0] + "." + body + "." + hmac(parts[0] + "." + body)))
    }
    for (name, token) in cases {
      await #expect(throws: AuthFailure.self, "\(name)") { _ = try await issuer.verify(token) }
    }
    let resigned = try payload { _ in }
    _ = try await issuer.verify(parts[0] + "." + resigned + "." + hmac(parts[0] + "." + resigned))
  }

  @Test("a short secret is refused with the fix")
  func shortSecret() async {
    await #expect(throws: AuthFailure.self) {
      _ = try await TokenIssuer(secret: "short", issuer: "i", audience: "a", lifetime: .seconds(60))
    }
  }

  @Test("the role matrix is the spec's")
  func matrix() {
    #expect(Role.admin.permissions == Set(Permission.allCases))
    #expect(Role.user.permissions == [.runBenchmark, .viewResults, .manageProviders])
    #expect(Role.viewer.permissions == [.viewResults])
    #expect(AuthService.lesser(.admin, .viewer) == .viewer)
    #expect(AuthService.lesser(.user, .admin) == .user)
    #expect(AuthService.constantTimeEqual([1, 2, 3], [1, 2, 3]))
    #expect(!AuthService.constantTimeEqual([1, 2, 3], [1, 2, 4]))
    #expect(!AuthService.constantTimeEqual([1, 2], [1, 2, 3]))
  }

  @Test(
    "PKCE: the S256 challenge of RFC 7636's example verifier; ID tokens with HS256 or none are refused first")
  func openIDConnect() async throws {
    #expect(
      OIDCClient.challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
        == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
    #expect(OIDCClient.random().count == 43)
    let client = OIDCClient(
      settings: OIDCSettings(
        issuer: "http://127.0.0.1:9", clientID: "c", redirectURI: "http://127.0.0.1:9/cb"))
    let body = Base64URL.encode(
      Data(#"{"iss":"http://127.0.0.1:9","aud":"c","sub":"s","exp":9999999999,"iat":0}"#.utf8))
    for alg in ["HS256", "none"] {
      let header = Base64URL.encode(Data(#"{"alg":"\#(alg)"}"#.utf8))
      do {
        _ = try await client.verify(header + "." + body + ".", nonce: "n", now: Date())
        Issue.record("\(alg) accepted")
      } catch let failure as AuthFailure {
        #expect("\(failure)".contains("algorithm"), "refused before any key is fetched: \(failure)")
      }
    }
    // A callback for a state this client never issued.
    await #expect(throws: AuthFailure.self) { _ = try await client.finish(code: "x", state: "unknown") }
  }
}

@Suite("Signing secret rotation")
struct TokenRotationTests {
  static let next = "rotated-secret-9876543210-zyxwvutsrqponmlkjihgfedcba"

  @Test("after a rotation new tokens use the new secret and old ones stay valid for one lifetime")
  func rotation() async throws {
    let issuer = try await TokenAndHashTests.issuer(lifetime: .seconds(600))
    let user = UUID()
    let old = try await issuer.sign(user: user, username: "ada", role: .user).token
    #expect(try await issuer.rotate(to: Self.next))
    #expect(try await issuer.rotate(to: Self.next) == false, "the same secret again changes nothing")
    let new = try await issuer.sign(user: user, username: "ada", role: .user).token
    #expect(try await issuer.verify(old).user == user)
    #expect(try await issuer.verify(new).user == user)
    // Only the new secret verifies new tokens.
    let stale = try await TokenAndHashTests.issuer(lifetime: .seconds(600))
    await #expect(throws: AuthFailure.self) { try await stale.verify(new) }
    // Once a lifetime has passed since the rotation, the old secret no longer verifies anything.
    await #expect(throws: AuthFailure.self) {
      try await issuer.verify(old, now: Date().addingTimeInterval(601))
    }
    // A second rotation drops the first secret.
    let third = "third-secret-abcdefghijklmnopqrstuvwxyz-0123456789"
    #expect(try await issuer.rotate(to: third))
    await #expect(throws: AuthFailure.self) { try await issuer.verify(old) }
    #expect(try await issuer.verify(new).user == user)
    await #expect(throws: AuthFailure.self) { try await issuer.rotate(to: "short") }
  }
}
