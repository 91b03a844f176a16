import ArgumentParser
import Foundation
import LTBConfig
import LTBCore
import LTBDistributed
import LTBServer

/// `ltb worker`: joins a coordinator and sends the tasks it leases with this machine's
/// configured providers; SIGTERM or Ctrl-C drains it (running tasks finish and are reported,
/// unstarted ones go back to the queue) and it exits 0.
struct WorkerCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "worker",
    abstract: "Run distributed benchmark tasks for a coordinator (`ltb serve` or `ltb coordinator`).")

  @OptionGroup var global: GlobalOptions
  @Option(
    name: .long, help: "The coordinator's gRPC address: http://HOST:PORT, or https://HOST:PORT for TLS.")
  var coordinator: String
  @Option(
    name: .long,
    help: "An API key or access token of a user who may run benchmarks (default: $LTB_WORKER_TOKEN).")
  var token: String?
  @Option(name: .long, help: "A file holding the credential (a mounted secret); instead of --token.")
  var tokenFile: String?
  @Option(name: .long, help: "The most tasks sent at once (default: distributed.worker_max_concurrency, 64).")
  var maxConcurrency: Int?
  @Option(name: .long, help: "Leases held beyond those running (default: as many as --max-concurrency).")
  var prefetch: Int?
  @Option(name: .long, help: "Offer only these configured providers (comma-separated; default all).")
  var providers: String?
  @Option(name: .long, help: "The name shown in the workers query (default: the host name).") var name:
    String?
  @Option(name: .long, help: "The PEM file of the CA that signed the coordinator's certificate (https).")
  var caCert: String?
  @Option(
    name: .long,
    help: "Serve GET /health, /ready and /metrics on this port, for probes and Prometheus (default: none).")
  var healthPort: Int?
  @Option(name: .long, help: "The address --health-port listens on (default 0.0.0.0).") var healthHost =
    "0.0.0.0"

  func run() async throws {
    let configuration = try global.loadConfiguration()
    try configuration.features.require(.distributed, for: "ltb worker")
    let maxConcurrency = self.maxConcurrency ?? configuration.distributed.workerMaxConcurrency
    let (secure, host, port) = try Self.parse(coordinator)
    guard
      let token = try token ?? Self.read(tokenFile)
        ?? ProcessInfo.processInfo.environment["LTB_WORKER_TOKEN"],
      !token.isEmpty
    else {
      throw LTBError(
        .configuration, "the worker has no credential",
        fix:
          "pass --token or --token-file (or set LTB_WORKER_TOKEN) with an API key made by `ltb keys create`")
    }
    guard maxConcurrency > 0 else {
      throw LTBError(.invalidInput, "--max-concurrency must be at least 1", fix: "pass a positive number")
    }
    if caCert != nil, !secure {
      throw LTBError(.invalidInput, "--ca-cert needs an https:// coordinator", fix: "use https://HOST:PORT")
    }
    let settings = WorkerSettings(
      host: host, port: port, trustRoots: secure ? (caCert ?? "/etc/ssl/certs/ca-certificates.crt") : nil,
      token: token, name: name ?? ProcessInfo.processInfo.hostName, version: LTB.configuration.version,
      maxConcurrency: maxConcurrency, prefetch: prefetch,
      providers: providers?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } ?? [])
    let agent = try WorkerAgent(
      settings: settings,
      providers: Dictionary(
        configuration.providers.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first }),
      catalog: configuration.catalog, logger: global.logger(configuration, label: "ltb.worker"))
    let signals = SignalHandler(message: "draining: finishing running tasks (again to quit now)") {
      agent.drain()
    }
    defer { signals.stop() }
    if let healthPort, !(1...65_535).contains(healthPort) {
      throw LTBError(.invalidInput, "--health-port \(healthPort) is not a port", fix: "pass 1-65535")
    }
    Console.writeError("worker: joining \(coordinator) with up to \(maxConcurrency) tasks at once")
    let logger = global.logger(configuration, label: "ltb.worker")
    try await global.traced(configuration) {
      guard let healthPort else { return try await agent.run() }
      Console.writeError("worker: probes and metrics on http://\(healthHost):\(healthPort)")
      try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask {
          try await WorkerProbeServer(agent: agent).run(host: healthHost, port: healthPort, logger: logger)
        }
        try await agent.run()
        group.cancelAll()
      }
    }
    Console.writeError("worker: drained")
  }

  /// The contents of a credential file (trimmed), or nil without one.
  static func read(_ path: String?) throws -> String? {
    guard let path else { return nil }
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
      throw LTBError(
        .configuration, "cannot read the token file \(path)",
        fix: "point --token-file at a readable file holding an API key")
    }
    return text.trimmingCharacters(in: .whitespacesAndNewlines)
  }

  /// The scheme, host and port of a coordinator address.
  static func parse(_ address: String) throws -> (secure: Bool, host: String, port: Int) {
    guard let url = URL(string: address), let scheme = url.scheme, ["http", "https"].contains(scheme),
      let host = url.host, !host.isEmpty
    else {
      throw LTBError(
        .invalidInput, "'\(address)' is not a coordinator address",
        fix: "use http://HOST:PORT (or https:// for TLS), e.g. http://127.0.0.1:50051")
    }
    return (scheme == "https", host, url.port ?? 50_051)
  }
}
