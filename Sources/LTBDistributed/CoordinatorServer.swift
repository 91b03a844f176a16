public import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
public import LTBAuth
public import LTBCore
public import Logging
public import ServiceLifecycle

/// The coordinator on the network: the gRPC server for ``CoordinatorService`` (workers'
/// credentials checked by ``WorkerAuthInterceptor``, TLS when a certificate is configured) and
/// the reaper that requeues lapsed leases. A service of `ltb serve`'s group, or alone as
/// `ltb coordinator`; graceful shutdown stops it.
public struct CoordinatorServer: Service {
  /// A certificate and its key, PEM files.
  public struct TLSFiles: Sendable {
    /// The certificate chain.
    public var certificate: String
    /// The private key.
    public var key: String

    /// Names the files.
    public init(certificate: String, key: String) {
      self.certificate = certificate
      self.key = key
    }
  }

  /// The coordinator itself.
  public let service: CoordinatorService
  let auth: AuthService
  let host: String
  let port: Int
  let tls: TLSFiles?
  let logger: Logger
  let onListening: @Sendable (Int) -> Void

  /// A coordinator listening on `host`:`port` (0: any free port, told to `onListening`).
  public init(
    service: CoordinatorService, auth: AuthService, host: String, port: Int, tls: TLSFiles? = nil,
    logger: Logger, onListening: @escaping @Sendable (Int) -> Void = { _ in }
  ) throws {
    if let tls {
      for path in [tls.certificate, tls.key] where !FileManager.default.isReadableFile(atPath: path) {
        throw LTBError(
          .configuration, "cannot read \(path)",
          fix: "pass a readable PEM certificate (--grpc-tls-cert) and its key (--grpc-tls-key)")
      }
    }
    guard (0...65_535).contains(port) else {
      throw LTBError(.configuration, "gRPC port \(port) is out of range", fix: "use 1-65535, or 0 for any")
    }
    self.service = service
    self.auth = auth
    self.host = host
    self.port = port
    self.tls = tls
    self.logger = logger
    self.onListening = onListening
  }

  /// Serves until graceful shutdown or cancellation.
  public func run() async throws {
    let security: HTTP2ServerTransport.Posix.TransportSecurity =
      tls.map {
        .tls(
          certificateChain: [.file(path: $0.certificate, format: .pem)],
          privateKey: .file(path: $0.key, format: .pem))
      } ?? .plaintext
    let address: GRPCNIOTransportCore.SocketAddress =
      host.contains(":")
      ? .ipv6(host: host, port: port) : .ipv4(host: host == "localhost" ? "127.0.0.1" : host, port: port)
    let server = GRPCServer(
      transport: HTTP2ServerTransport.Posix(address: address, transportSecurity: security),
      services: [service], interceptors: [WorkerAuthInterceptor(auth: auth)])
    try await withThrowingTaskGroup(of: Void.self) { group in
      group.addTask { try await server.serve() }
      group.addTask {
        while !Task.isCancelled {
          do {
            try await service.reapLapsedLeases()
          } catch is CancellationError {
            return
          } catch {
            logger.error("requeueing lapsed leases failed; trying again", metadata: ["error": "\(error)"])
            try? await Task.sleep(for: .seconds(1))
          }
        }
      }
      guard let listening = try await server.listeningAddress else {
        throw LTBError(
          .configuration, "the coordinator could not listen on \(host):\(port)",
          fix: "free the port or pick another")
      }
      let bound = listening.ipv4?.port ?? listening.ipv6?.port ?? port
      logger.info("coordinator listening", metadata: ["address": "\(host):\(bound)", "tls": "\(tls != nil)"])
      onListening(bound)
      // Until graceful shutdown (or cancellation). Then no new stream is taken, and the open
      // ones are cancelled rather than awaited: a worker's stream never ends on its own, and
      // everything it holds is in the store, so the worker reconnects and carries on.
      try? await gracefulShutdown()
      server.beginGracefulShutdown()
      group.cancelAll()
    }
  }
}
