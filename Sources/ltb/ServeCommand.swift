import ArgumentParser
import Foundation
import Hummingbird
import LTBAPI
import LTBAuth
import LTBConfig
import LTBCore
import LTBEngine
import LTBEvaluation
import LTBProviders
import LTBServer
import LTBStorage

/// `ltb serve`: the GraphQL API, the REST shim and the health endpoints.
struct ServeCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "serve",
    abstract:
      "Serve the GraphQL API (POST/GET /graphql), subscriptions (WebSocket), the REST shim (/api/v1/...), /metrics, /health and /ready."
  )

  @OptionGroup var global: GlobalOptions
  @OptionGroup var storage: DatabaseOption
  @Option(name: .long, help: "The address to listen on.") var host = "127.0.0.1"
  @Option(name: .long, help: "The port to listen on.") var port = 8080
  @Flag(name: .long, help: "Refuse to start when migrations are pending, instead of applying them.")
  var noMigrate = false
  @Option(name: .long, help: "The largest request body in bytes.") var maxBodyBytes = 1 << 20
  @Option(name: .long, help: "Milliseconds a WebSocket client has to send connection_init.")
  var initTimeoutMs = 10_000
  @Option(name: .long, help: "The deepest GraphQL selection allowed.") var maxDepth = 12
  @Option(name: .long, help: "The largest estimated number of fields one query may resolve.")
  var maxComplexity = 20_000
  @Option(name: .long, help: "Milliseconds one GraphQL operation may take.") var requestTimeoutMs = 30_000
  @Flag(name: .long, help: "Refuse introspection queries (__schema, __type).") var noIntrospection = false
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
  @Option(name: .long, help: "Seconds an access token lives.") var accessTokenTtl = 900
  @Option(name: .long, help: "Days a refresh token lives.") var refreshTokenDays = 30
  @Option(name: .long, help: "The issuer (iss) of access tokens.") var tokenIssuer = "ltb"
  @Option(name: .long, help: "The audience (aud) of access tokens.") var tokenAudience = "ltb-api"
  @Option(name: .long, help: "Requests per second per identity and per address; 0 turns limiting off.")
  var rateLimit = 10.0
  @Option(name: .long, help: "The largest burst of requests.") var rateBurst = 20.0
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
  @Option(name: .long, help: "The ID token claim naming the role (admin, user or viewer).")
  var oidcRoleClaim = "ltb_role"
  @Option(name: .long, help: "The role of users whose token names none.") var oidcDefaultRole = "viewer"
  @Option(name: .long, help: "argon2id memory in KiB.") var argon2MemoryKib: UInt32 = 19_456
  @Option(name: .long, help: "argon2id passes.") var argon2Iterations: UInt32 = 2
  @Option(name: .long, help: "argon2id lanes.") var argon2Parallelism: UInt32 = 1

  func validate() throws {
    if !(1...65_535).contains(port) { throw ValidationError("--port must be 1–65535") }
    if maxBodyBytes < 1_024 { throw ValidationError("--max-body-bytes must be at least 1024") }
    if initTimeoutMs < 100 { throw ValidationError("--init-timeout-ms must be at least 100") }
    if maxDepth < 2 || maxComplexity < 10 || requestTimeoutMs < 10 {
      throw ValidationError("--max-depth must be ≥ 2, --max-complexity ≥ 10, --request-timeout-ms ≥ 10")
    }
    if accessTokenTtl < 10 || refreshTokenDays < 1 {
      throw ValidationError("--access-token-ttl must be ≥ 10 seconds and --refresh-token-days ≥ 1")
    }
    if rateLimit < 0 || (rateLimit > 0 && rateBurst < 1) {
      throw ValidationError("--rate-limit must be ≥ 0 and --rate-burst ≥ 1")
    }
    for origin in corsOrigin
    where !(origin.hasPrefix("http://") || origin.hasPrefix("https://")) || origin.hasSuffix("/") {
      throw ValidationError(
        "--cors-origin \(origin): give a scheme and host without a path, e.g. https://dash.example.org")
    }
  }

  func run() async throws {
    let configuration = try global.loadConfiguration()
    let secret = try ServerSecret.load(file: jwtSecretFile, dev: dev)
    let hasher = PasswordHasher(
      memoryKiB: argon2MemoryKib, iterations: argon2Iterations, parallelism: argon2Parallelism)
    do { try hasher.validate() } catch { throw error.error }
    let store = try await global.openStore(
      configuration, database: storage.database, migrations: noMigrate ? .require : .apply)
    do {
      try await serve(configuration, store: store, secret: secret, hasher: hasher)
      await store.close()
    } catch {
      await store.close()
      throw error
    }
  }

  private func serve(
    _ configuration: LTBConfiguration, store: any BenchStore, secret: String, hasher: PasswordHasher
  ) async throws {
    let auth = try AuthService(
      store: store,
      issuer: try await TokenIssuer(
        secret: secret, issuer: tokenIssuer, audience: tokenAudience, lifetime: .seconds(accessTokenTtl)),
      settings: .init(refreshLifetime: .seconds(refreshTokenDays * 86_400), hasher: hasher))
    let registry = try await global.makeRegistry(configuration)
    let bus = EventBus()
    let services = APIServices(
      store: store,
      benchmarks: BenchmarkService(
        store: store, providers: configuration.providers, catalog: configuration.catalog, bus: bus),
      providers: registry,
      evaluation: EvaluationService(
        store: store, evaluators: EvaluationService.standardEvaluators(judge: nil), events: bus),
      configuration: configuration, version: LTB.configuration.version, auth: auth)
    let gateway = try Gateway(
      services: services,
      queryLimits: QueryLimits(
        maxDepth: maxDepth, maxComplexity: maxComplexity, introspection: !noIntrospection,
        timeout: .milliseconds(requestTimeoutMs)),
      limits: .init(
        maxBodyBytes: maxBodyBytes, initTimeout: .milliseconds(initTimeoutMs),
        rateLimit: rateLimit > 0 ? .init(rate: rateLimit, burst: rateBurst) : nil,
        allowedOrigins: Set(corsOrigin)))
    var served = gateway
    served.oidc = try oidcClient()
    let application = APIServer.application(served, host: host, port: port)
    Console.writeError(
      "serving \(store.location) on http://\(host):\(port) (GraphQL at /graphql, subscriptions over ws://\(host):\(port)/graphql, REST at /api/v1, metrics at /metrics)"
    )
    do {
      try await application.runService()
      await registry.shutdown()
    } catch {
      await registry.shutdown()
      throw error
    }
  }

  /// The OpenID Connect client, when an issuer is configured.
  private func oidcClient() throws -> OIDCClient? {
    guard let oidcIssuer, let oidcClientId else { return nil }
    var secret = ProcessInfo.processInfo.environment["LTB_OIDC_CLIENT_SECRET"]
    if let path = oidcClientSecretFile {
      guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
        throw LTBError(.configuration, "cannot read \(path)", fix: "check --oidc-client-secret-file")
      }
      secret = text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
    return OIDCClient(
      settings: OIDCSettings(
        issuer: oidcIssuer, clientID: oidcClientId, clientSecret: secret.flatMap { $0.isEmpty ? nil : $0 },
        redirectURI: oidcRedirectUri ?? "http://\(host):\(port)/api/v1/auth/oidc/callback",
        roleClaim: oidcRoleClaim,
        defaultRole: try Role(parsing: oidcDefaultRole)))
  }
}
