import ArgumentParser
import Foundation
import LTBAuth
import LTBConfig
import LTBCore

/// `ltb serve`'s security options, and the resolution of every `ltb serve` setting: each flag,
/// when given, wins over the `[server]` setting of the same name in the configuration, which
/// wins over the built-in default.
struct ServeSecurityOptions: ParsableArguments {
  @Option(
    name: .long,
    help:
      "A file holding the token signing secret (at least 32 bytes); else LTB_JWT_SECRET or LTB_JWT_SECRET_FILE."
  )
  var jwtSecretFile: String?
  @Flag(
    name: .long,
    help: "Development mode: without a secret, sign tokens with a random one (tokens die with the process).")
  var dev = false
  @Option(name: .long, help: "Seconds an access token lives (default 900).") var accessTokenTtl: Int?
  @Option(name: .long, help: "Days a refresh token lives (default 30).") var refreshTokenDays: Int?
  @Option(name: .long, help: "The issuer (iss) of access tokens (default ltb).") var tokenIssuer: String?
  @Option(name: .long, help: "The audience (aud) of access tokens (default ltb-api).") var tokenAudience:
    String?
  @Option(
    name: .long, help: "Requests per second per identity and per address; 0 turns limiting off (default 10).")
  var rateLimit: Double?
  @Option(name: .long, help: "The largest burst of requests (default 20).") var rateBurst: Double?
  @Option(name: .long, help: "A browser origin allowed by CORS (repeatable); none: same origin only.")
  var corsOrigin: [String] = []
  @Option(name: .long, help: "An OpenID Connect issuer URL: enables sign-in at /api/v1/auth/oidc/login.")
  var oidcIssuer: String?
  @Option(name: .long, help: "The OpenID Connect client id.") var oidcClientId: String?
  @Option(
    name: .long,
    help:
      "A file holding the OpenID Connect client secret (else LTB_OIDC_CLIENT_SECRET; none for public clients)."
  )
  var oidcClientSecretFile: String?
  @Option(
    name: .long, help: "The redirect URI registered with the provider (default: this server's callback).")
  var oidcRedirectUri: String?
  @Option(name: .long, help: "The ID token claim naming the role (default ltb_role).") var oidcRoleClaim:
    String?
  @Option(name: .long, help: "The role of users whose token names none (default viewer).")
  var oidcDefaultRole: String?
  @Option(name: .long, help: "argon2id memory in KiB (default 19456).") var argon2MemoryKib: Int?
  @Option(name: .long, help: "argon2id passes (default 2).") var argon2Iterations: Int?
  @Option(name: .long, help: "argon2id lanes (default 1).") var argon2Parallelism: Int?

  /// The settings in force: flags over `[server]` over the built-in defaults.
  struct Resolved {
    var host: String
    var port: Int
    var migrate: Bool
    var maxBodyBytes: Int
    var initTimeoutMs: Int
    var maxDepth: Int
    var maxComplexity: Int
    var requestTimeoutMs: Int
    var introspection: Bool
    var jwtSecretFile: String?
    var accessTokenTTL: Int
    var refreshTokenDays: Int
    var tokenIssuer: String
    var tokenAudience: String
    var rateLimit: Double
    var rateBurst: Double
    var corsOrigins: [String]
    var hasher: PasswordHasher
    var oidc: OIDCSettings?
  }

  /// Merges the flags over the configuration's `[server]` table and checks the result.
  func resolved(_ configuration: LTBConfiguration, serve: ServeCommand) throws -> Resolved {
    func value(_ key: String) -> ConfigValue? { configuration.document.value(at: ["server", key]) }
    func flag(_ given: Bool, _ key: String, _ fallback: Bool) -> Bool {
      if given { return !fallback }
      if case .bool(let setting)? = value(key) { return setting }
      return fallback
    }
    func string(_ flag: String?, _ key: String) -> String? {
      if let flag { return flag }
      if case .string(let text)? = value(key), !text.isEmpty { return text }
      return nil
    }
    func int(_ flag: Int?, _ key: String, _ fallback: Int) -> Int {
      if let flag { return flag }
      if case .int(let number)? = value(key) { return number }
      return fallback
    }
    func double(_ flag: Double?, _ key: String, _ fallback: Double) -> Double {
      if let flag { return flag }
      switch value(key) {
      case .double(let number)?: return number
      case .int(let number)?: return Double(number)
      default: return fallback
      }
    }
    var origins = corsOrigin
    if origins.isEmpty, case .array(let items)? = value("cors_origins") {
      origins = items.compactMap { if case .string(let text) = $0 { text } else { nil } }
    }
    let host = string(serve.host, "host") ?? "127.0.0.1"
    let port = int(serve.port, "port", 8080)
    let resolved = Resolved(
      host: host, port: port, migrate: flag(serve.noMigrate, "migrate", true),
      maxBodyBytes: int(serve.maxBodyBytes, "max_body_bytes", 1 << 20),
      initTimeoutMs: int(serve.initTimeoutMs, "init_timeout_ms", 10_000),
      maxDepth: int(serve.maxDepth, "max_depth", 12),
      maxComplexity: int(serve.maxComplexity, "max_complexity", 20_000),
      requestTimeoutMs: int(serve.requestTimeoutMs, "request_timeout_ms", 30_000),
      introspection: flag(serve.noIntrospection, "introspection", true),
      jwtSecretFile: string(jwtSecretFile, "jwt_secret_file"),
      accessTokenTTL: int(accessTokenTtl, "access_token_ttl", 900),
      refreshTokenDays: int(refreshTokenDays, "refresh_token_days", 30),
      tokenIssuer: string(tokenIssuer, "token_issuer") ?? "ltb",
      tokenAudience: string(tokenAudience, "token_audience") ?? "ltb-api",
      rateLimit: double(rateLimit, "rate_limit", 10), rateBurst: double(rateBurst, "rate_burst", 20),
      corsOrigins: origins,
      hasher: PasswordHasher(
        memoryKiB: UInt32(clamping: int(argon2MemoryKib, "argon2_memory_kib", 19_456)),
        iterations: UInt32(clamping: int(argon2Iterations, "argon2_iterations", 2)),
        parallelism: UInt32(clamping: int(argon2Parallelism, "argon2_parallelism", 1))),
      oidc: try oidc(string: string, host: host, port: port))
    try Self.check(resolved)
    return resolved
  }

  private func oidc(string: (String?, String) -> String?, host: String, port: Int) throws -> OIDCSettings? {
    let issuer = string(oidcIssuer, "oidc_issuer")
    let client = string(oidcClientId, "oidc_client_id")
    guard let issuer, let client else {
      if issuer != nil || client != nil {
        throw LTBError(
          .configuration, "an OpenID Connect issuer and client id go together",
          fix: "set both --oidc-issuer and --oidc-client-id (or server.oidc_issuer and server.oidc_client_id)"
        )
      }
      return nil
    }
    var secret = ProcessInfo.processInfo.environment["LTB_OIDC_CLIENT_SECRET"]
    if let path = string(oidcClientSecretFile, "oidc_client_secret_file") {
      guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
        throw LTBError(
          .configuration, "cannot read the OpenID Connect client secret file \(path)", fix: "check the path")
      }
      secret = text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
    return OIDCSettings(
      issuer: issuer, clientID: client, clientSecret: secret.flatMap { $0.isEmpty ? nil : $0 },
      redirectURI: string(oidcRedirectUri, "oidc_redirect_uri")
        ?? "http://\(host):\(port)/api/v1/auth/oidc/callback",
      roleClaim: string(oidcRoleClaim, "oidc_role_claim") ?? "ltb_role",
      defaultRole: try Role(parsing: string(oidcDefaultRole, "oidc_default_role") ?? "viewer"))
  }

  private static func check(_ settings: Resolved) throws {
    let limits: [(Bool, String)] = [
      ((1...65_535).contains(settings.port), "the port must be 1–65535 (--port, server.port)"),
      (settings.maxBodyBytes >= 1_024, "the body limit must be at least 1024 bytes (--max-body-bytes)"),
      (
        settings.initTimeoutMs >= 100,
        "the WebSocket init timeout must be at least 100 ms (--init-timeout-ms)"
      ),
      (settings.maxDepth >= 2, "the depth limit must be at least 2 (--max-depth)"),
      (settings.maxComplexity >= 10, "the complexity limit must be at least 10 (--max-complexity)"),
      (settings.requestTimeoutMs >= 10, "the request timeout must be at least 10 ms (--request-timeout-ms)"),
    ]
    for (holds, problem) in limits where !holds {
      throw LTBError(.configuration, problem, fix: "raise the value, or drop it for the default")
    }
    guard settings.accessTokenTTL >= 10, settings.refreshTokenDays >= 1 else {
      throw LTBError(
        .configuration, "access tokens must live at least 10 s and refresh tokens at least a day",
        fix: "raise --access-token-ttl or --refresh-token-days")
    }
    guard settings.rateLimit >= 0, settings.rateLimit == 0 || settings.rateBurst >= 1 else {
      throw LTBError(
        .configuration, "the rate limit must be ≥ 0 and the burst ≥ 1",
        fix: "e.g. --rate-limit 10 --rate-burst 20")
    }
    for origin in settings.corsOrigins
    where !(origin.hasPrefix("http://") || origin.hasPrefix("https://")) || origin.hasSuffix("/") {
      throw LTBError(
        .configuration, "the CORS origin \(origin) is not an origin",
        fix: "give a scheme and host without a path, e.g. https://dash.example.org")
    }
  }
}
