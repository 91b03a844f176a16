public import Hummingbird
import LTBCore
public import LTBDistributed
import LTBObservability
public import Logging
import NIOCore

/// The HTTP side of `ltb worker --health-port`: `GET /health` (the process answers: liveness),
/// `GET /ready` (registered, heartbeats answered within three intervals, not draining) and
/// `GET /metrics` (``WorkerMetrics``), for orchestrator probes and Prometheus. A worker takes its
/// work over gRPC; this server carries nothing else.
public struct WorkerProbeServer: Sendable {
  let agent: WorkerAgent
  let metrics = WorkerMetrics()

  /// Probes of `agent`.
  public init(agent: WorkerAgent) {
    self.agent = agent
  }

  /// The routes, for ``run(host:port:logger:)`` and tests.
  public func router() -> Router<BasicRequestContext> {
    let router = Router()
    router.get("/health") { _, _ in GatewayResponse.json(200, ["status": "ok"]) }
    router.get("/ready") { _, _ in
      let status = await agent.status()
      if let reason = status.unreadiness() {
        return GatewayResponse.json(503, ["status": .string(reason)])
      }
      return GatewayResponse.json(200, ["status": "ready"])
    }
    router.get("/metrics") { _, _ in
      let status = await agent.status()
      let text = metrics.exposition(
        .init(
          running: status.running, waiting: status.waiting, completed: status.completed,
          capacity: status.maxConcurrency, heartbeatAge: status.heartbeatAge(), draining: status.draining))
      return Response(
        status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
        body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
    return router
  }

  /// Serves the probes on `host`:`port` until the calling task is cancelled (the worker's
  /// own signal handling drains it; this server installs none).
  public func run(host: String, port: Int, logger: Logger) async throws {
    let application = Application(
      router: router(), configuration: ApplicationConfiguration(address: .hostname(host, port: port)),
      logger: logger)
    try await application.run()
  }
}
