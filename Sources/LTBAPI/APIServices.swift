public import LTBAlerts
public import LTBAuth
public import LTBConfig
public import LTBCore
public import LTBEngine
import LTBEvaluation
public import LTBIntegrations
public import LTBPlugins
public import LTBStorage
import Logging

/// The services the resolvers delegate to: storage, benchmarks (which own the providers, the
/// grading and the event bus), users and sign-in.
public struct APIServices: Sendable {
  /// Sessions, results, verdicts.
  public var store: any BenchStore
  /// Creates, runs, grades, cancels and resumes sessions; publishes their events.
  public var benchmarks: BenchmarkService
  /// The configuration (suites are read relative to it).
  public var configuration: LTBConfiguration
  /// The server's version.
  public var version: String
  /// Users, sign-in, keys and the audit log; `nil` only for in-process uses without sign-in.
  public var auth: AuthService?
  /// Alert rules, alerts and their notifications; `nil` only for in-process uses without them.
  public var alerts: AlertService?

  /// Running sessions' live figures (fed by the gateway's `LiveStatisticsFeed`).
  public let live = LiveStatisticsHub()
  /// Whether OpenID Connect sign-in is configured (the dashboard shows its button).
  public var oidcEnabled = false

  /// Exports to trackers and dataset imports (`[integrations]`).
  public var integrations: IntegrationService { IntegrationService(configuration, store: store) }

  /// The installed plugins (the benchmarks grade and transform with them).
  public var plugins: PluginRegistry? { benchmarks.plugins }

  /// The providers benchmarks, judges and lookups use.
  public var providers: ProviderService { benchmarks.providers }

  /// Creates the bundle.
  public init(
    store: any BenchStore, benchmarks: BenchmarkService, configuration: LTBConfiguration, version: String,
    auth: AuthService? = nil
  ) {
    self.auth = auth
    self.store = store
    self.benchmarks = benchmarks
    self.configuration = configuration
    self.version = version
  }

  /// The services over `store` with the configuration's providers (or `providers` instead),
  /// judge and embedder, each provider started: what `ltb serve`, the benchmarks and the tests
  /// all build.
  public static func build(
    store: any BenchStore, configuration: LTBConfiguration, providers: [ProviderSettings]? = nil,
    version: String, auth: AuthService? = nil, bus: EventBus = EventBus()
  ) async throws -> APIServices {
    let providerService = ProviderService(
      configured: providers ?? configuration.providers, catalog: configuration.catalog, store: store)
    try await providerService.start()
    // With plugins off no registry is opened: nothing loads, watches or runs a plugin.
    let plugins =
      configuration.features.isEnabled(.plugins)
      ? await PluginRegistry.open(
        directory: configuration.pluginDirectory, settings: configuration.plugins, store: store,
        logger: Logger(label: "ltb.plugins")) : nil
    var services = APIServices(
      store: store,
      benchmarks: BenchmarkService(
        store: store, providers: providerService, evaluation: configuration.evaluation, bus: bus,
        plugins: plugins, features: configuration.features,
        maxAttachmentBytes: configuration.maxAttachmentBytes),
      configuration: configuration, version: version, auth: auth)
    services.alerts = AlertService.build(configuration, store: store, bus: bus)
    return services
  }

  /// Every resolver of the schema, delegating to these services.
  public var resolvers: APIResolvers {
    var resolvers = APIResolvers(
      provider: ProviderResolver(providers: providers),
      session: SessionResolver(services: self), result: ResultResolver(services: self),
      query: QueryResolver(services: self), mutation: MutationResolver(services: self),
      subscription: SubscriptionResolver(services: self))
    resolvers.features = configuration.features
    return resolvers
  }
}
