import ArgumentParser
import Foundation
import LTBAuth
import LTBConfig
import LTBCore
import LTBDistributed
import ServiceLifecycle
import UnixSignals

/// `ltb coordinator`: the coordinator of distributed runs without the HTTP gateway (`ltb serve`
/// runs one too). Several may share one PostgreSQL; SIGTERM stops it gracefully.
struct CoordinatorCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "coordinator",
    abstract: "Lease distributed benchmark tasks to workers over gRPC (without the HTTP gateway).")

  @OptionGroup var global: GlobalOptions
  @OptionGroup var storage: DatabaseOption
  @OptionGroup var coordinator: CoordinatorOptions
  @Option(name: .long, help: "The file holding the secret access tokens are signed with (as `ltb serve`'s).")
  var jwtSecretFile: String?
  @Flag(name: .long, help: "Run with a random token secret (API keys still work; access tokens do not).")
  var dev = false

  func run() async throws {
    let configuration = try global.loadConfiguration()
    try configuration.features.require(.distributed, for: "ltb coordinator")
    let secret = try ServerSecret.load(file: jwtSecretFile, dev: dev)
    try await global.traced(configuration) {
      try await coordinate(configuration, secret: secret)
    }
  }

  private func coordinate(_ configuration: LTBConfiguration, secret: String) async throws {
    try await global.withStore(configuration, database: storage.database) { store in
      let auth = try AuthService(
        store: store,
        issuer: try await TokenIssuer(
          secret: secret, issuer: "ltb", audience: "ltb-api", lifetime: .seconds(900)))
      let logger = global.logger(configuration, label: "ltb.coordinator")
      let server = try coordinator.server(
        store: store, auth: auth, defaults: configuration.distributed, defaultHost: "127.0.0.1",
        logger: logger)
      let group = ServiceGroup(
        configuration: .init(
          services: [server], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
      try await group.run()
    }
  }
}
