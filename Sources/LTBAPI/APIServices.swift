public import LTBAuth
public import LTBConfig
public import LTBEngine
public import LTBEvaluation
public import LTBProviders
public import LTBStorage

/// The service actors the resolvers delegate to: storage, benchmarks (with their event bus),
/// providers and evaluation.
public struct APIServices: Sendable {
  /// Sessions, results, verdicts.
  public var store: any BenchStore
  /// Creates, runs, cancels and resumes sessions; publishes their events.
  public var benchmarks: BenchmarkService
  /// The configured providers.
  public var providers: ProviderRegistry
  /// Scores answers.
  public var evaluation: EvaluationService
  /// The configuration (suites are read relative to it).
  public var configuration: LTBConfiguration
  /// The server's version.
  public var version: String
  /// Users, sign-in, keys and the audit log; `nil` only for in-process uses without sign-in.
  public var auth: AuthService?

  /// Creates the bundle.
  public init(
    store: any BenchStore, benchmarks: BenchmarkService, providers: ProviderRegistry,
    evaluation: EvaluationService,
    configuration: LTBConfiguration, version: String, auth: AuthService? = nil
  ) {
    self.auth = auth
    self.store = store
    self.benchmarks = benchmarks
    self.providers = providers
    self.evaluation = evaluation
    self.configuration = configuration
    self.version = version
  }

  /// Every resolver of the schema, delegating to these services.
  public var resolvers: APIResolvers {
    APIResolvers(
      provider: ProviderResolver(lookup: { [providers] name in await providers.get(name) }),
      session: SessionResolver(services: self), result: ResultResolver(services: self),
      query: QueryResolver(services: self), mutation: MutationResolver(services: self),
      subscription: SubscriptionResolver(services: self))
  }
}
