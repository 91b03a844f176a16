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
  @OptionGroup var security: ServeSecurityOptions

  func validate() throws {
    if !(1...65_535).contains(port) { throw ValidationError("--port must be 1–65535") }
    if maxBodyBytes < 1_024 { throw ValidationError("--max-body-bytes must be at least 1024") }
    if initTimeoutMs < 100 { throw ValidationError("--init-timeout-ms must be at least 100") }
    if maxDepth < 2 || maxComplexity < 10 || requestTimeoutMs < 10 {
      throw ValidationError("--max-depth must be ≥ 2, --max-complexity ≥ 10, --request-timeout-ms ≥ 10")
    }
  }

  func run() async throws {
    let configuration = try global.loadConfiguration()
    let settings = try security.resolved(configuration, host: host, port: port)
    let secret = try ServerSecret.load(file: settings.jwtSecretFile, dev: security.dev)
    let hasher = settings.hasher
    do { try hasher.validate() } catch { throw error.error }
    let store = try await global.openStore(
      configuration, database: storage.database, migrations: noMigrate ? .require : .apply)
    do {
      try await serve(configuration, store: store, secret: secret, settings: settings)
      await store.close()
    } catch {
      await store.close()
      throw error
    }
  }

  private func serve(
    _ configuration: LTBConfiguration, store: any BenchStore, secret: String,
    settings: ServeSecurityOptions.Resolved
  ) async throws {
    let auth = try AuthService(
      store: store,
      issuer: try await TokenIssuer(
        secret: secret, issuer: settings.tokenIssuer, audience: settings.tokenAudience,
        lifetime: .seconds(settings.accessTokenTTL)),
      settings: .init(refreshLifetime: .seconds(settings.refreshTokenDays * 86_400), hasher: settings.hasher))
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
        rateLimit: settings.rateLimit > 0 ? .init(rate: settings.rateLimit, burst: settings.rateBurst) : nil,
        allowedOrigins: Set(settings.corsOrigins)))
    var served = gateway
    served.oidc = settings.oidc.map { OIDCClient(settings: $0) }
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
}
