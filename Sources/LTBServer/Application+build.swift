public import Hummingbird
public import HummingbirdWebSocket
import LTBAPI
import LTBAlerts
import LTBConfig
import LTBCore
import LTBEngine
import NIOCore
import NIOPosix

/// The gateway's HTTP routes: the middleware chain (access log, metrics, security headers,
/// authentication, rate limits), then one controller per feature.
public func buildRouter(_ gateway: Gateway) -> Router<GatewayRequestContext> {
  let router = Router(context: GatewayRequestContext.self)
  let (services, limits, metrics) = (gateway.services, gateway.limits, gateway.metrics)
  // A server span per request (HTTP conventions; an incoming `traceparent` is continued), only
  // when a tracer is installed: with tracing off the chain is what it was.
  if TraceContext.isTracing {
    router.add(
      middleware: TracingMiddleware(
        recordingHeaders: [.userAgent, .contentType], redactingQueryParameters: ["token", "access_token"]))
  }
  router.add(middleware: AccessLogMiddleware(logger: gateway.logger))
  router.add(middleware: MetricsMiddleware(metrics: metrics))
  router.add(middleware: SecurityHeadersMiddleware(allowedOrigins: limits.allowedOrigins))
  if let auth = services.auth { router.add(middleware: AuthenticationMiddleware(auth: auth)) }
  if let rate = limits.rateLimit { router.add(middleware: RateLimitMiddleware(limits: rate)) }
  let features = services.configuration.features
  HealthController(store: services.store).addRoutes(to: router)
  MetricsController(gateway: gateway).addRoutes(to: router)
  if features.isEnabled(.graphql) {
    GraphQLController(graphQL: gateway.graphQL, metrics: metrics, limits: limits, auth: services.auth)
      .addRoutes(to: router)
    DashboardController(assets: .bundled).addRoutes(to: router)
  } else {
    FeatureRefusalController.graphQL.addRoutes(to: router)
  }
  RESTController(
    executor: RESTExecutor(service: gateway.graphQL), metrics: metrics, limits: limits, auth: services.auth,
    features: features
  ).addRoutes(to: router)
  if let oidc = gateway.oidc, let auth = services.auth {
    OIDCController(oidc: oidc, auth: auth).addRoutes(to: router)
  }
  return router
}

/// The whole gateway as one application: HTTP routes and WebSocket subscriptions on one
/// address, with the services that run beside them (running benchmarks are cancelled, resumable,
/// on graceful shutdown; the event bus feeds `/metrics`). `ltb serve`, the benchmarks and the
/// tests all build it here.
public func buildApplication(
  _ gateway: Gateway, configuration: ApplicationConfiguration = ApplicationConfiguration(),
  eventLoops: EventLoopGroupProvider = .singleton
) -> some ApplicationProtocol {
  let webSockets = Router(context: GatewayWebSocketContext.self)
  let features = gateway.services.configuration.features
  SubscriptionController(gateway: gateway).addRoutes(to: webSockets)
  return Application(
    router: buildRouter(gateway),
    server: .http1WebSocketUpgrade(webSocketRouter: webSockets),
    configuration: configuration,
    services: [
      BenchmarkDrain(benchmarks: gateway.services.benchmarks),
      MetricsFeed(metrics: gateway.metrics, bus: gateway.services.benchmarks.bus),
    ]
      + (features.isEnabled(.realtime)
        ? [LiveStatisticsFeed(hub: gateway.services.live, bus: gateway.services.benchmarks.bus)] : [])
      + (gateway.services.alerts.map { [AlertFeed(alerts: $0)] } ?? []) + gateway.companions,
    eventLoopGroupProvider: eventLoops, logger: gateway.logger)
}

extension Gateway {
  /// Serves the gateway on `host`:`port` until graceful shutdown (SIGTERM, SIGINT, or the calling
  /// task's cancellation), on event loops of its own that are shut down afterwards.
  public func run(host: String, port: Int) async throws {
    let eventLoops = MultiThreadedEventLoopGroup(numberOfThreads: Self.eventLoopCount)
    do {
      try await buildApplication(
        self, configuration: ApplicationConfiguration(address: .hostname(host, port: port)),
        eventLoops: .shared(eventLoops)
      ).runService()
      try await eventLoops.shutdownGracefully()
    } catch {
      try? await eventLoops.shutdownGracefully()
      throw error
    }
  }

  /// How many event loops the server's sockets run on: half the cores, at least one. Handlers
  /// run on Swift's cooperative pool, one thread per core, so loops that only read and write
  /// need fewer threads than NIO's default of one per core; on 2 cores one loop answered 3-5%
  /// more pages and 9-13% more health checks than two, with fewer thread switches.
  static var eventLoopCount: Int { max(1, System.coreCount / 2) }
}
