public import LTBAPI
public import LTBAuth
import LTBCore
import LTBEngine
import LTBEvaluation
public import LTBObservability
import LTBStorage
public import Logging
public import ServiceLifecycle

/// Everything the HTTP and WebSocket routes serve: the GraphQL executor, the services behind it
/// (for readiness and scrape-time readings), the metrics collector and the limits.
public struct Gateway: Sendable {
  /// Executes GraphQL operations.
  public var graphQL: GraphQLService
  /// The services the resolvers delegate to.
  public var services: APIServices
  /// The Prometheus collector behind `/metrics`.
  public var metrics: MetricsCollector
  /// Limits against abuse.
  public var limits: GatewayLimits
  /// The OpenID Connect provider for browser sign-in, when one is configured.
  public var oidc: OIDCClient?
  /// Services that run beside the gateway in its group and stop with it (the coordinator of
  /// distributed runs, in `ltb serve`).
  public var companions: [any Service] = []
  /// Where the server and its access log write (one line per request at `info`); `notice`
  /// unless set, so an embedded gateway is quiet.
  public var logger: Logger = {
    var logger = Logger(label: "ltb.server")
    logger.logLevel = .notice
    return logger
  }()

  /// Bundles a gateway.
  public init(
    graphQL: GraphQLService, services: APIServices, metrics: MetricsCollector = MetricsCollector(),
    limits: GatewayLimits = GatewayLimits()
  ) {
    self.graphQL = graphQL
    self.services = services
    self.metrics = metrics
    self.limits = limits
  }

  /// A gateway over `services` with a GraphQL executor built from the schema and `queryLimits`.
  public init(
    services: APIServices, queryLimits: QueryLimits = QueryLimits(),
    limits: GatewayLimits = GatewayLimits()
  ) throws {
    self.init(
      graphQL: try GraphQLService(resolvers: services.resolvers, limits: queryLimits),
      services: services, limits: limits)
  }

  /// The scrape-time readings of the services.
  func readings() async -> MetricsCollector.Readings {
    let cache = await services.benchmarks.evaluationCache.statistics
    return MetricsCollector.Readings(
      droppedEvents: await services.benchmarks.bus.droppedEvents,
      databaseOperations: services.store.operationCount, evaluationCacheHits: cache.hits,
      evaluationCacheMisses: cache.misses)
  }
}
