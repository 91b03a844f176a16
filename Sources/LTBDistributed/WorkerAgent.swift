public import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
public import LTBCore
import LTBEngine
import LTBProtocol
import LTBProviders
public import Logging
import Synchronization

/// `ltb worker`: joins a coordinator, runs the tasks it leases through the same provider layer
/// and ``TaskSender`` as a local run, and streams the results back. It keeps going while the
/// coordinator is away (reconnecting with backoff; its registration lives in the store, so a
/// restarted coordinator knows it), and drains on request: it takes nothing more, hands back
/// the leases it has not started, finishes the running tasks, reports them and leaves.
public final class WorkerAgent: Sendable {
  typealias Client = LlmTestBench_Distributed_V1_Coordinator.Client<HTTP2ClientTransport.Posix>
  typealias Message = LlmTestBench_Distributed_V1_WorkerMessage

  private let settings: WorkerSettings
  private let executor: LeaseExecutor
  private let configured: [String: ProviderSettings]
  private let logger: Logger
  private let draining = Atomic<Bool>(false)
  private let drained = Wakeup()
  private let retry = Wakeup()
  /// When the coordinator last answered a heartbeat (wall clock, µs; 0: never).
  private let lastHeartbeat = Atomic<Int64>(0)
  private let heartbeatInterval = Atomic<Int64>(1_000_000)

  /// A worker offering `providers` (its configuration's, by name) with `settings`.
  public init(
    settings: WorkerSettings, providers: [String: ProviderSettings], catalog: ModelCatalog, logger: Logger
  ) throws {
    // A provider is offered when its configuration is complete (a key where one is needed):
    // the coordinator routes its tasks here only then. One named with --providers must be.
    var offered: [String: ProviderSettings] = [:]
    for (name, configured) in providers where settings.providers.isEmpty || settings.providers.contains(name)
    {
      do {
        try ProviderRegistry.makeProvider(configured, catalog: catalog).validateConfig()
        offered[name] = configured
      } catch  where settings.providers.isEmpty {
        continue
      }
    }
    for name in settings.providers where providers[name] == nil {
      throw LTBError(
        .configuration, "--providers names '\(name)', which is not configured",
        fix: "configured providers: \(providers.keys.sorted().joined(separator: ", "))")
    }
    guard !offered.isEmpty else {
      throw LTBError(
        .configuration, "the worker has no provider to offer",
        fix: "configure one under [providers.NAME] in the configuration file")
    }
    self.settings = settings
    self.configured = offered
    self.logger = logger
    self.executor = LeaseExecutor(settings: settings, configured: offered, catalog: catalog, logger: logger)
  }

  /// Finish what is running, hand back the rest, and leave (SIGTERM).
  public func drain() {
    guard !draining.exchange(true, ordering: .relaxed) else { return }
    logger.info("draining: finishing running tasks, handing back the rest")
    Task { await executor.drain() }
    drained.signal()
    retry.signal()
  }

  /// What the worker is doing now, for its probes and metrics (`ltb worker --health-port`).
  public func status() async -> WorkerStatus {
    WorkerStatus(
      draining: draining.load(ordering: .relaxed),
      lastHeartbeatMicros: lastHeartbeat.load(ordering: .relaxed),
      heartbeatIntervalMicros: heartbeatInterval.load(ordering: .relaxed),
      running: await executor.runningCount, waiting: await executor.waitingCount,
      completed: await executor.completed, maxConcurrency: settings.maxConcurrency)
  }

  /// Runs until drained (or cancelled).
  public func run() async throws {
    let security: HTTP2ClientTransport.Posix.TransportSecurity
    if let roots = settings.trustRoots {
      guard FileManager.default.isReadableFile(atPath: roots) else {
        throw LTBError(
          .configuration, "cannot read the CA certificate \(roots)",
          fix: "pass the PEM file of the authority that signed the coordinator's certificate")
      }
      security = .tls { config in config.trustRoots = .certificates([.file(path: roots, format: .pem)]) }
    } else {
      security = .plaintext
    }
    // An address is dialled as itself (TLS then checks the certificate's IP names, with no
    // server name sent); a host name is resolved and sent as the server name.
    let host = settings.host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
    let target: any ResolvableTarget =
      if host.split(separator: ".").count == 4, host.split(separator: ".").allSatisfy({ UInt8($0) != nil }) {
        ResolvableTargets.IPv4.ipv4(host: host, port: settings.port)
      } else if host.contains(":") {
        ResolvableTargets.IPv6.ipv6(host: host, port: settings.port)
      } else {
        ResolvableTargets.DNS.dns(host: host, port: settings.port)
      }
    let transport = try HTTP2ClientTransport.Posix(target: target, transportSecurity: security)
    var failure: LTBError?
    try await withGRPCClient(transport: transport) { grpc in
      let client = Client(wrapping: grpc)
      await withTaskGroup(of: Void.self) { group in
        group.addTask { await self.executor.schedule() }
        group.addTask {
          while !Task.isCancelled {
            try? await Task.sleep(for: self.settings.flushInterval)
            await self.executor.flush()
          }
        }
        failure = await self.serve(client)
        await self.executor.stop()
        group.cancelAll()
      }
    }
    await executor.shutdownProviders()
    if let failure { throw failure }
  }

  private var metadata: Metadata { ["authorization": "Bearer \(settings.token)"] }

  private struct Gone: Error {}

  /// Registers, then holds heartbeats and the work stream, reconnecting with backoff, until a
  /// drain has handed everything back; a refused credential or certificate ends it with the
  /// reason.
  private func serve(_ client: Client) async -> LTBError? {
    var failure: LTBError?
    var workerID: String?
    var heartbeat = Duration.seconds(1)
    var backoff = Duration.milliseconds(200)
    while !Task.isCancelled {
      if draining.load(ordering: .relaxed), await executor.isIdle { break }
      do {
        let id: String
        if let workerID {
          id = workerID
        } else {
          (id, heartbeat) = try await register(client)
          workerID = id
        }
        backoff = .milliseconds(200)
        try await withThrowingTaskGroup(of: Void.self) { group in
          group.addTask { [heartbeat] in try await self.heartbeats(client, id: id, every: heartbeat) }
          group.addTask { try await self.work(client, id: id) }
          try await group.next()
          group.cancelAll()
        }
        await executor.disconnect()
        if draining.load(ordering: .relaxed), await executor.isIdle { break }
      } catch is Gone {
        await executor.disconnect()
        logger.warning("the coordinator no longer knows this worker: registering again")
        workerID = nil
      } catch let error as RPCError where error.code == .unauthenticated || error.code == .permissionDenied {
        await executor.disconnect()
        failure = LTBError(
          error.code == .unauthenticated ? .authentication : .permissionDenied,
          "the coordinator refused the worker: \(error.message)",
          fix: "pass --token with an API key (`ltb keys create`) of a user whose role may run benchmarks")
        break
      } catch let error as RPCError where Self.isCertificateFailure(error) {
        await executor.disconnect()
        failure = LTBError(
          .configuration, "the coordinator's TLS certificate was not accepted: \(error.message)",
          fix: "pass --ca-cert with the PEM of the authority that signed the coordinator's certificate")
        break
      } catch {
        await executor.disconnect()
        if Task.isCancelled { break }
        logger.warning(
          "lost the coordinator; trying again",
          metadata: ["error": "\(error)", "in_ms": "\(backoff.microseconds / 1_000)"])
        await retry.wait(until: .now + backoff)
        backoff = min(backoff * 2, settings.maxBackoff)
      }
    }
    if let workerID {
      var leave = LlmTestBench_Distributed_V1_UnregisterWorkerRequest()
      leave.workerID = workerID
      if let answer = try? await client.unregisterWorker(leave, metadata: metadata) {
        logger.info("left the coordinator", metadata: ["released": "\(answer.released)"])
      }
    }
    return failure
  }

  /// Whether a call failed because the coordinator's certificate was refused (retrying cannot help).
  static func isCertificateFailure(_ error: RPCError) -> Bool {
    let text = "\(error.message) \(String(describing: error.cause))".lowercased()
    return text.contains("certificate") || text.contains("handshake")
  }

  private func register(_ client: Client) async throws -> (id: String, heartbeat: Duration) {
    var request = LlmTestBench_Distributed_V1_RegisterWorkerRequest()
    request.name = settings.name
    request.version = settings.version
    request.capabilities.maxConcurrentTasks = UInt32(settings.maxConcurrency)
    request.capabilities.supportedProviders = configured.keys.sorted()
    request.capabilities.cpuCores = UInt32(ProcessInfo.processInfo.activeProcessorCount)
    request.capabilities.memoryGb = Double(ProcessInfo.processInfo.physicalMemory) / 1_073_741_824
    request.capabilities.hasGpu_p = FileManager.default.fileExists(atPath: "/dev/nvidia0")
    let answer = try await client.registerWorker(request, metadata: metadata)
    logger.info(
      "registered with the coordinator",
      metadata: [
        "worker": "\(answer.workerID)",
        "providers": "\(request.capabilities.supportedProviders.joined(separator: ","))",
        "max_concurrency": "\(settings.maxConcurrency)",
      ])
    return (answer.workerID, .milliseconds(max(100, Int64(answer.heartbeatMs))))
  }

  /// Heartbeats at the coordinator's cadence: they renew the leases and measure the clock offset.
  private func heartbeats(_ client: Client, id: String, every interval: Duration) async throws {
    while !Task.isCancelled {
      var beat = LlmTestBench_Distributed_V1_HeartbeatRequest()
      beat.workerID = id
      let sent = WallClock.nowMicros
      beat.sentAtUs = sent
      beat.running = UInt32(await executor.runningCount)
      let answer: LlmTestBench_Distributed_V1_HeartbeatResponse
      do {
        answer = try await client.heartbeat(beat, metadata: metadata)
      } catch let error as RPCError where error.code == .failedPrecondition {
        throw Gone()
      }
      let received = WallClock.nowMicros
      lastHeartbeat.store(received, ordering: .relaxed)
      heartbeatInterval.store(interval.microseconds, ordering: .relaxed)
      await executor.measured(sent: sent, received: received, coordinator: answer.coordinatorTimeUs)
      if answer.drain { drain() }
      try await Task.sleep(for: interval)
    }
  }

  /// The work stream: hello, then credit and results out, leases and cancellations in. When a
  /// drain has handed everything back, the stream is closed.
  private func work(_ client: Client, id: String) async throws {
    let (outbox, continuation) = AsyncStream<Message>.makeStream()
    await executor.connect(continuation, worker: id)
    let closer = Task {
      while !Task.isCancelled {
        if draining.load(ordering: .relaxed), await executor.isIdle {
          continuation.finish()
          return
        }
        await drained.wait(until: .now + .milliseconds(50))
      }
    }
    defer {
      closer.cancel()
      continuation.finish()
    }
    try await client.work(
      metadata: metadata,
      requestProducer: { writer in
        for await message in outbox { try await writer.write(message) }
      },
      onResponse: { response in
        for try await message in response.messages {
          switch message.kind {
          case .leases(let batch): await self.executor.add(batch.leases)
          case .cancel(let cancellation):
            self.logger.info("sessions cancelled", metadata: ["sessions": "\(cancellation.sessionIds)"])
            await self.executor.cancel(sessions: cancellation.sessionIds)
          case .drain: self.drain()
          case .accepted(let acknowledgement):
            let late = await self.executor.acknowledged(stored: acknowledgement.taskKeys.count)
            if late > 0 {
              self.logger.warning(
                "the coordinator refused \(late) late result(s): their leases had lapsed and the tasks went to another worker"
              )
            }
          case nil: break
          }
        }
      })
  }
}
