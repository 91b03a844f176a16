import ArgumentParser
import Foundation
import Hummingbird
import LTBAPI
import LTBAlerts
import LTBAuth
import LTBConfig
import LTBCore
import LTBDistributed
import LTBEngine
import LTBEvaluation
import LTBIntegrations
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
  @Option(name: .long, help: "The address to listen on (default 127.0.0.1).") var host: String?
  @Option(name: .long, help: "The port to listen on (default 8080).") var port: Int?
  @Flag(name: .long, help: "Refuse to start when migrations are pending, instead of applying them.")
  var noMigrate = false
  @Option(name: .long, help: "The largest request body in bytes (default 1048576).") var maxBodyBytes: Int?
  @Option(name: .long, help: "Milliseconds a WebSocket client has to send connection_init (default 10000).")
  var initTimeoutMs: Int?
  @Option(name: .long, help: "The deepest GraphQL selection allowed (default 12).") var maxDepth: Int?
  @Option(name: .long, help: "The largest estimated number of fields one query may resolve (default 20000).")
  var maxComplexity: Int?
  @Option(name: .long, help: "Milliseconds one GraphQL operation may take (default 30000).")
  var requestTimeoutMs: Int?
  @Flag(name: .long, help: "Refuse introspection queries (__schema, __type).") var noIntrospection = false
  @OptionGroup var security: ServeSecurityOptions
  @OptionGroup var coordinator: CoordinatorOptions
  @Flag(name: .long, help: "Do not run the coordinator of distributed runs (workers cannot join).")
  var noCoordinator = false

  func run() async throws {
    let configuration = try global.loadConfiguration()
    let settings = try security.resolved(configuration, serve: self)
    let secret = try ServerSecret.load(file: settings.jwtSecretFile, dev: security.dev)
    do { try settings.hasher.validate() } catch { throw error.error }
    try await global.traced(configuration) {
      try await global.withStore(
        configuration, database: storage.database, migrations: settings.migrate ? .apply : .require
      ) { store in
        try await serve(configuration, store: store, secret: secret, settings: settings)
      }
    }
  }

  private func serve(
    _ configuration: LTBConfiguration, store: any BenchStore, secret: String,
    settings: ServeSecurityOptions.Resolved
  ) async throws {
    let issuer = try await TokenIssuer(
      secret: secret, issuer: settings.tokenIssuer, audience: settings.tokenAudience,
      lifetime: .seconds(settings.accessTokenTTL))
    let auth = try AuthService(
      store: store, issuer: issuer,
      settings: .init(refreshLifetime: .seconds(settings.refreshTokenDays * 86_400), hasher: settings.hasher))
    var services = try await APIServices.build(
      store: store, configuration: configuration, version: LTB.configuration.version, auth: auth)
    services.alerts = AlertService.build(
      configuration, store: store, bus: services.benchmarks.bus,
      logger: global.logger(configuration, label: "ltb.alerts"))
    services.oidcEnabled = settings.oidc != nil
    do {
      try await services.benchmarks.checkDefaultGraders()
      var gateway = try Gateway(
        services: services,
        queryLimits: QueryLimits(
          maxDepth: settings.maxDepth, maxComplexity: settings.maxComplexity,
          introspection: settings.introspection, timeout: .milliseconds(settings.requestTimeoutMs)),
        limits: .init(
          maxBodyBytes: settings.maxBodyBytes, initTimeout: .milliseconds(settings.initTimeoutMs),
          rateLimit: settings.rateLimit > 0
            ? .init(rate: settings.rateLimit, burst: settings.rateBurst) : nil,
          allowedOrigins: Set(settings.corsOrigins)))
      gateway.oidc = settings.oidc.map { OIDCClient(settings: $0) }
      gateway.logger = global.logger(configuration)
      // A secret read from a file is watched: replacing the file rotates it without a restart.
      if let path = ServerSecret.file(settings.jwtSecretFile), !security.dev {
        gateway.companions.append(
          SigningSecretWatcher(
            path: path, issuer: issuer, interval: .seconds(1),
            logger: global.logger(configuration, label: "ltb.auth")
          ) { try ServerSecret.check($0, origin: path) })
      }
      if let plugins = services.plugins {
        gateway.companions.append(
          PluginWatcher(
            registry: plugins, interval: .milliseconds(configuration.plugins.reloadIntervalMilliseconds)))
      }
      // Without a tracker there is nothing to export: no queue polls the store.
      if services.integrations.hasTrackers {
        gateway.companions.append(
          ExportQueue(
            integrations: services.integrations, logger: global.logger(configuration, label: "ltb.exports")))
      }
      // The coordinator runs only with the distributed feature on (workers cannot join otherwise).
      if !noCoordinator, configuration.features.isEnabled(.distributed) {
        let server = try coordinator.server(
          store: store, auth: auth, defaults: configuration.distributed, defaultHost: settings.host,
          logger: global.logger(configuration, label: "ltb.coordinator"), bus: services.benchmarks.bus)
        gateway.companions.append(server)
        gateway.coordinator = server.service
      }
      Console.writeError(
        "serving \(store.location) on http://\(settings.host):\(settings.port) (dashboard at /, GraphQL at /graphql, subscriptions over ws://\(settings.host):\(settings.port)/graphql, REST at /api/v1, metrics at /metrics)"
      )
      try await gateway.run(host: settings.host, port: settings.port)
      await services.providers.shutdown()
    } catch {
      await services.providers.shutdown()
      throw error
    }
  }
}
