import Foundation
import LTBCore
import LTBProviders
import Testing

/// OpenID Connect sign-in against a real provider process (`oidc-provider-mock` from PyPI):
/// authorization code with PKCE, the ID token verified against the provider's JWKS, claims
/// mapped to a local user and role; a replayed or forged callback is refused.
@Suite("OpenID Connect sign-in", .serialized)
struct OIDCSignInTests {
  /// The redirect target of a request (curl does not follow it).
  static func redirect(_ url: String, form: String? = nil) throws -> (status: Int, location: String) {
    var arguments = ["-s", "-o", "/dev/null", "-w", "%{http_code} %{redirect_url}"]
    if let form { arguments += ["--data", form] }
    let run = try Shell.run("/usr/bin/curl", arguments + [url])
    let parts = run.stdout.split(separator: " ", maxSplits: 1).map(String.init)
    return (Int(parts.first ?? "") ?? 0, parts.count > 1 ? parts[1] : "")
  }

  @Test(
    "sign-in by authorization code with PKCE maps claims to a user and role; replays and forgeries are refused"
  )
  func signIn() async throws {
    let directory = try BenchCommandTests.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let tool = URL(fileURLWithPath: try APIServerTests.python()).deletingLastPathComponent()
      .appendingPathComponent("oidc-provider-mock").path
    let providerPort = try FreePort.find()
    let provider = Process()
    provider.executableURL = URL(fileURLWithPath: tool)
    provider.arguments = [
      "--port", String(providerPort),
      "--user-claims",
      #"{"sub": "alice", "email": "alice@example.org", "preferred_username": "alice", "ltb_role": "user"}"#,
      "--user-claims", #"{"sub": "bob", "email": "bob@example.org"}"#,
    ]
    provider.standardOutput = FileHandle.nullDevice
    provider.standardError = FileHandle.nullDevice
    try provider.run()
    defer {
      // The mock's server ignores SIGTERM.
      kill(provider.processIdentifier, SIGKILL)
      provider.waitUntilExit()
    }
    let issuer = "http://127.0.0.1:\(providerPort)"
    for _ in 0..<100 {
      if (try? Shell.run("/usr/bin/curl", ["-fs", issuer + "/.well-known/openid-configuration"]))?.status == 0
      {
        break
      }
      try await Task.sleep(for: .milliseconds(100))
    }
    let database = "sqlite:" + directory.appendingPathComponent("o.sqlite").path
    let admin = try ServedAPI.key(database: database)
    let port = try FreePort.find()
    let server = try ServedAPI.start(
      port: port, database: database, ["--oidc-issuer", issuer, "--oidc-client-id", "ltb-tests"],
      environment: ["LTB_OIDC_CLIENT_SECRET": "client-secret-for-tests"])
    defer { server.process.terminate() }
    try await APIServerTests.waitUntilReady(port, server)
    let base = "http://127.0.0.1:\(port)"

    func signIn(_ subject: String) throws -> (status: Int, body: JSONValue, callback: String) {
      let start = try Self.redirect(base + "/api/v1/auth/oidc/login")
      #expect(start.status == 302)
      let authorize = try #require(URLComponents(string: start.location))
      let items = Dictionary(
        uniqueKeysWithValues: (authorize.queryItems ?? []).map { ($0.name, $0.value ?? "") })
      #expect(start.location.hasPrefix(issuer + "/oauth2/authorize"))
      #expect(items["code_challenge_method"] == "S256" && items["code_challenge"]?.count == 43)
      #expect(items["state"]?.count == 43 && items["nonce"]?.count == 43)
      #expect(items["redirect_uri"] == base + "/api/v1/auth/oidc/callback")
      let approved = try Self.redirect(start.location, form: "sub=\(subject)")
      #expect(approved.location.hasPrefix(base + "/api/v1/auth/oidc/callback?"), "\(approved)")
      let answer = try SecurityTests.request(approved.location)
      return (answer.status, (try? JSONValue.parse(answer.body)) ?? .null, approved.location)
    }

    let alice = try signIn("alice")
    #expect(alice.status == 200, "\(alice.body)")
    #expect(alice.body["user"]?["username"] == "alice" && alice.body["user"]?["role"] == "USER")
    let token = try #require(alice.body["accessToken"]?.stringValue)
    let me = try SecurityTests.request(base + "/api/v1/me", key: token)
    #expect(
      me.status == 200 && (try? JSONValue.parse(me.body))?["email"] == "alice@example.org", "\(me.body)")
    // The same callback again: its state was used up.
    #expect(try SecurityTests.request(alice.callback).status == 401)
    // A forged state, and a provider refusal.
    #expect(try SecurityTests.request(base + "/api/v1/auth/oidc/callback?code=x&state=forged").status == 401)
    #expect(try SecurityTests.request(base + "/api/v1/auth/oidc/callback?error=access_denied").status == 401)
    // Signing in again finds the same user; a user without a role claim gets the default role.
    let again = try signIn("alice")
    #expect(again.body["user"]?["id"] == alice.body["user"]?["id"])
    let bob = try signIn("bob")
    #expect(bob.body["user"]?["username"] == "bob" && bob.body["user"]?["role"] == "VIEWER", "\(bob.body)")
    // A browser (asking for HTML) lands in the dashboard with the pair in the fragment, and the
    // dashboard's sign-in page learns from the health query that the button belongs there.
    let browserStart = try Self.redirect(base + "/api/v1/auth/oidc/login")
    let browserApproved = try Self.redirect(browserStart.location, form: "sub=carol")
    let landing = try SecurityTests.request(browserApproved.location, headers: ["Accept: text/html"])
    #expect(landing.status == 302)
    let location = try #require(
      landing.headers.split(separator: "\r\n").first { $0.lowercased().hasPrefix("location:") }.map {
        String($0.dropFirst("location:".count)).trimmingCharacters(in: .whitespaces)
      }, "\(landing.headers)")
    #expect(location.hasPrefix("/dashboard/#/oidc?access="))
    let fragment = Dictionary(
      uniqueKeysWithValues: (URLComponents(string: "x:?" + location.split(separator: "?", maxSplits: 1)[1])?
        .queryItems ?? []).map { ($0.name, $0.value ?? "") })
    #expect(fragment["refresh"]?.isEmpty == false && fragment["expires"]?.isEmpty == false)
    let carol = try SecurityTests.request(base + "/api/v1/me", key: fragment["access"] ?? "")
    #expect((try? JSONValue.parse(carol.body))?["username"] == "carol", "\(carol.body)")
    let health = try SecurityTests.request(base + "/graphql?query=%7Bhealth%7Boidc%7D%7D")
    #expect((try? JSONValue.parse(health.body))?["data"]?["health"]?["oidc"] == true, "\(health.body)")
    // The audit log recorded the sign-ins and the refusals.
    let audit = try SecurityTests.request(base + "/api/v1/audit?first=100", key: admin)
    let entries = (try? JSONValue.parse(audit.body))?["edges"]?.arrayValue ?? []
    let oidc = entries.compactMap { $0["node"] }.filter { $0["details"]?["method"] == "oidc" }
    #expect(oidc.filter { $0["action"] == "login.success" }.count == 4)
    #expect(oidc.filter { $0["action"] == "login.failure" }.count == 3)
    #expect(oidc.filter { $0["action"] == "user.created" }.count == 3)
  }
}
