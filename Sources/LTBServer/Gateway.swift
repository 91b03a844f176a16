public import LTBAPI
import LTBAlerts
public import LTBAuth
import LTBConfig
import LTBCore
public import LTBDistributed
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
  /// The coordinator of distributed runs this process hosts, if any (its lease expiries are
  /// counted in `/metrics`; the queue and the workers are read from the store either way).
  public var coordinator: CoordinatorService?
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
    let store = services.store
    let queue = (try? await store.queueCounts(session: nil)) ?? [:]
    let workers = (try? await store.workers()) ?? []
    let leases = (try? await store.leasesByWorker()) ?? [:]
    var loads: [String: MetricsCollector.WorkerLoad] = [:]
    // Workers sharing a name (the host name by default) share its series.
    for worker in workers where worker.state != .gone {
      var load = loads[worker.name] ?? .init(name: worker.name, leased: 0, done: 0)
      load.leased += leases[worker.id] ?? 0
      load.done += worker.activity.tasksDone
      loads[worker.name] = load
    }
    var readings = MetricsCollector.Readings(
      droppedEvents: await services.benchmarks.bus.droppedEvents,
      databaseOperations: store.operationCount, evaluationCacheHits: cache.hits,
      evaluationCacheMisses: cache.misses,
      queue: Dictionary(uniqueKeysWithValues: queue.map { ($0.key.rawValue, $0.value) }),
      workers: Dictionary(workers.map { ($0.state.rawValue, 1) }, uniquingKeysWith: +),
      workerLoads: loads.values.sorted { $0.name < $1.name }, leaseExpiries: coordinator?.leaseExpiries ?? 0,
      alertNotifications: services.alerts?.deliveryCounts.mapValues { ($0.delivered, $0.failed) } ?? [:])
    readings.databaseReady = await store.isReachable()
    let features = services.configuration.features
    readings.features = Dictionary(
      uniqueKeysWithValues: FeatureFlags.Feature.allCases.map { ($0.rawValue, features.isEnabled($0)) })
    return readings
  }
}
