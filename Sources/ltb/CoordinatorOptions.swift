import ArgumentParser
import Foundation
import LTBAuth
import LTBConfig
import LTBCore
import LTBDistributed
import LTBEngine
import LTBStorage
import Logging

/// Where the coordinator of distributed runs listens (`ltb serve`, `ltb coordinator`).
struct CoordinatorOptions: ParsableArguments {
  @Option(
    name: .long, help: "The address the coordinator's gRPC server listens on (default: --host, or 127.0.0.1)."
  )
  var grpcHost: String?
  @Option(
    name: .long,
    help: "The coordinator's gRPC port (default: distributed.grpc_port, 50051; 0 picks a free one).")
  var grpcPort: Int?
  @Option(name: .long, help: "A PEM certificate for the coordinator: workers connect with TLS (https://).")
  var grpcTlsCert: String?
  @Option(name: .long, help: "The PEM private key of --grpc-tls-cert.") var grpcTlsKey: String?
  @Option(
    name: .long,
    help:
      "Milliseconds a worker's leases last without a heartbeat; then its tasks go to another worker (default: distributed.lease_ms, 10000)."
  )
  var leaseMs: Int?

  /// The coordinator's server over `store`, checking workers' credentials with `auth`; the
  /// results it stores are published on `bus` when one is given (the gateway's).
  func server(
    store: any BenchStore, auth: AuthService, defaults: DistributedDefaults, defaultHost: String,
    logger: Logger,
    bus: EventBus? = nil
  ) throws -> CoordinatorServer {
    let leaseMs = self.leaseMs ?? defaults.leaseMilliseconds
    var tls: CoordinatorServer.TLSFiles?
    switch (grpcTlsCert, grpcTlsKey) {
    case (let certificate?, let key?): tls = .init(certificate: certificate, key: key)
    case (nil, nil): tls = nil
    default:
      throw LTBError(
        .invalidInput, "--grpc-tls-cert and --grpc-tls-key go together",
        fix: "pass both PEM files, or neither")
    }
    guard leaseMs >= 500 else {
      throw LTBError(
        .invalidInput, "--lease-ms \(leaseMs) is too short",
        fix: "use at least 500 (workers send a heartbeat every second, or every third of the lease)")
    }
    let lease = Duration.milliseconds(leaseMs)
    let settings = CoordinatorSettings(lease: lease, heartbeat: min(.seconds(1), lease / 3))
    let host = grpcHost ?? (defaults.grpcHost.isEmpty ? defaultHost : defaults.grpcHost)
    let scheme = tls == nil ? "http" : "https"
    return try CoordinatorServer(
      service: CoordinatorService(store: store, settings: settings, bus: bus), auth: auth, host: host,
      port: grpcPort ?? defaults.grpcPort,
      tls: tls, logger: logger
    ) { port in
      Console.writeError(
        "coordinator on \(scheme)://\(host):\(port) (workers: ltb worker --coordinator \(scheme)://\(host):\(port) --token KEY)"
      )
    }
  }
}
