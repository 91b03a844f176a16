import Foundation
import LTBAlerts
import LTBAuth
import LTBConfig
import LTBCore
import LTBEngine
import LTBEvaluation
import LTBPlugins
import LTBProviders
import LTBStorage

/// The `Query` root: thin calls into the store, the providers and evaluation, mapped.
struct QueryResolver: QueryResolvers {
  let services: APIServices

  func benchmarks(_ arguments: QueryBenchmarksArguments, context: APIContext) async throws
    -> SessionConnection
  {
    var owner = try SessionAccess.ownerFilter(context)
    if let asked = arguments.ownerId, asked != owner {
      guard owner == nil else {
        throw LTBError(
          .permissionDenied, "listing another user's sessions needs ADMIN_ACCESS", fix: "omit ownerId")
      }
      owner = asked
    }
    let page = try await services.store.sessions(
      SessionQuery(
        status: arguments.status.map(APIMapping.status), owner: owner, name: arguments.name,
        provider: arguments.provider, model: arguments.model, createdFrom: arguments.createdFrom,
        createdTo: arguments.createdTo, limit: APILimits.pageSize(arguments.first), cursor: arguments.after))
    let pageInfo = PageInfo(hasNextPage: page.nextCursor != nil, endCursor: page.cursors.last)
    return SessionConnection(
      edges: page.edges { SessionEdge(cursor: $1, node: APIMapping.session($0)) }, pageInfo: pageInfo)
  }

  func benchmark(_ arguments: QueryBenchmarkArguments, context: APIContext) async throws -> Session? {
    try await SessionAccess.session(arguments.id, context, store: services.store).map(APIMapping.session)
  }

  func results(_ arguments: QueryResultsArguments, context: APIContext) async throws -> ResultConnection {
    let filter = arguments.filter
    let order: LTBStorage.ResultOrder =
      switch arguments.order ?? .createdAt {
      case .createdAt: .createdAt
      case .ttft: .timeToFirstToken
      case .latency: .duration
      case .cost: .cost
      }
    var query = ResultQuery(
      sessionID: filter?.sessionId, provider: filter?.provider, model: filter?.model, from: filter?.from,
      to: filter?.to, tagsAny: filter?.tags ?? [],
      statuses: (filter?.statuses ?? []).map(APIMapping.status),
      testID: filter?.testId, text: filter?.text, includeWarmup: filter?.includeWarmup ?? false, order: order,
      descending: arguments.descending ?? true, limit: APILimits.pageSize(arguments.first),
      cursor: arguments.after)
    if let traceID = filter?.traceId {
      guard traceID.count == 32, traceID.allSatisfy(\.isHexDigit) else {
        throw LTBError(
          .invalidInput, "traceId '\(traceID.prefix(40))' is not a trace ID",
          fix: "pass the 32 hex digits of a result's traceId")
      }
      query.traceID = traceID.lowercased()
    }
    switch (filter?.minScore, filter?.metric) {
    case (let value?, let metric?): query.minimumScore = ScoreThreshold(metric: metric, value: value)
    case (.some, nil):
      throw LTBError(.invalidInput, "minScore needs the metric it applies to", fix: "add metric: \"bleu\"")
    case (nil, _): break
    }
    let parts = ResultListing.parts(context)
    if let session = filter?.sessionId {
      if try !context.requirePrincipal().seesEveryone {
        _ = try await SessionAccess.session(session, context, store: services.store)
      }
    } else {
      query.owner = try SessionAccess.ownerFilter(context)
    }
    let page: Page<ResultRow>
    if context.mayAsk(for: ["Result.evaluations"]) {
      // The page's verdicts in the same trip to the database as the page.
      let loaded = try await services.store.resultRowsWithVerdicts(
        query, reading: parts, verdictDetails: ResultResolver.verdictDetails(context))
      page = loaded.page
      context.batch.preload(page.items.map(\.id), verdicts: loaded.verdicts)
    } else {
      page = try await services.store.resultRows(query, reading: parts)
    }
    let pageInfo = PageInfo(hasNextPage: page.nextCursor != nil, endCursor: page.cursors.last)
    return ResultConnection(
      edges: page.edges { ResultEdge(cursor: $1, node: APIMapping.result($0)) }, pageInfo: pageInfo)
  }

  func node(_ arguments: QueryNodeArguments, context: APIContext) async throws -> (any Node)? {
    if let session = try await SessionAccess.session(arguments.id, context, store: services.store) {
      return APIMapping.session(session)
    }
    return try await result(QueryResultArguments(id: arguments.id), context: context)
  }

  func result(_ arguments: QueryResultArguments, context: APIContext) async throws -> Result? {
    guard let result = try await services.store.result(arguments.id) else { return nil }
    _ = try await SessionAccess.session(result.sessionID, context, store: services.store)
    return APIMapping.result(result)
  }

  func exportResults(_ arguments: QueryExportResultsArguments, context: APIContext) async throws -> String {
    _ = try await SessionAccess.require(arguments.sessionId, context, store: services.store)
    let format: ResultExporter.Format =
      switch arguments.format ?? .jsonl {
      case .json: .json
      case .jsonl: .jsonl
      case .csv: .csv
      }
    let path = FileManager.default.temporaryDirectory.appendingPathComponent(
      "ltb-export-\(UUID().uuidString)"
    ).path
    _ = FileManager.default.createFile(atPath: path, contents: nil)
    defer { try? FileManager.default.removeItem(atPath: path) }
    guard let handle = FileHandle(forWritingAtPath: path) else {
      throw LTBError(.internal, "cannot write a temporary export file")
    }
    try await ResultExporter.export(
      store: services.store, session: arguments.sessionId, format: format, to: handle)
    try handle.close()
    return try String(contentsOfFile: path, encoding: .utf8)
  }

  func providers(context: APIContext) async throws -> [Provider] {
    await services.providers.describeAll().map(APIMapping.provider)
  }

  func provider(_ arguments: QueryProviderArguments, context: APIContext) async throws -> Provider? {
    await services.providers.describe(arguments.name).map(APIMapping.provider)
  }

  func providerModels(_ arguments: QueryProviderModelsArguments, context: APIContext) async throws -> [Model]
  {
    guard let provider = await services.providers.describe(arguments.name) else {
      throw LTBError(
        .notFound, "no provider \(arguments.name)", fix: "list providers with the providers query")
    }
    return APIMapping.provider(provider).models
  }

  func compareModels(_ arguments: QueryCompareModelsArguments, context: APIContext) async throws -> Comparison
  {
    _ = try await SessionAccess.require(arguments.sessionId, context, store: services.store)
    return APIMapping.comparison(
      try await ModelComparison(models: arguments.models).compare(
        session: arguments.sessionId, store: services.store, alpha: arguments.alpha ?? 0.05))
  }

  func compare(_ arguments: QueryCompareArguments, context: APIContext) async throws -> Comparison {
    let alpha = arguments.alpha ?? 0.05
    guard (0.0001...0.5).contains(alpha) else {
      throw LTBError(.invalidInput, "alpha must be between 0.0001 and 0.5", fix: "pass alpha: 0.05")
    }
    _ = try await SessionAccess.require(arguments.baseline, context, store: services.store)
    _ = try await SessionAccess.require(arguments.candidate, context, store: services.store)
    return APIMapping.comparison(
      SessionComparison(
        try await SessionComparison.side(session: arguments.baseline, store: services.store),
        try await SessionComparison.side(session: arguments.candidate, store: services.store), alpha: alpha))
  }

  func metrics(_ arguments: QueryMetricsArguments, context: APIContext) async throws -> [TargetSummary] {
    _ = try await SessionAccess.require(arguments.sessionId, context, store: services.store)
    return try await BenchmarkSummary.build(store: services.store, sessionID: arguments.sessionId).groups.map(
      APIMapping.target)
  }

  func health(context: APIContext) async throws -> Health {
    let reachable = await services.store.isReachable()
    return Health(
      status: reachable ? "ok" : "database unreachable", version: services.version,
      database: services.store.location.description, oidc: services.oidcEnabled,
      features: FeatureFlags.Feature.allCases.compactMap { flag in
        Feature(rawValue: flag.rawValue.uppercased()).map {
          FeatureState(feature: $0, enabled: services.configuration.features.isEnabled(flag))
        }
      })
  }

  func me(context: APIContext) async throws -> User {
    let principal = try context.requirePrincipal()
    guard let user = try await services.store.user(id: principal.userID) else {
      throw AuthFailure.unauthenticated("user gone").error
    }
    return APIMapping.user(user)
  }

  func users(context: APIContext) async throws -> [User] {
    try await services.store.users().map(APIMapping.user)
  }

  func apiKeys(_ arguments: QueryApiKeysArguments, context: APIContext) async throws -> [ApiKey] {
    let principal = try context.requirePrincipal()
    let owner: UUID? = principal.has(.manageUsers) ? arguments.userId : principal.userID
    if let requested = arguments.userId, requested != principal.userID, !principal.has(.manageUsers) {
      throw LTBError(
        .permissionDenied, "another user's keys need MANAGE_USERS", fix: "omit userId for your own")
    }
    return try await services.store.apiKeys(user: owner).map(APIMapping.apiKey)
  }

  func auditLog(_ arguments: QueryAuditLogArguments, context: APIContext) async throws -> AuditConnection {
    let filter = arguments.filter
    let page = try await services.store.auditEntries(
      AuditQuery(
        userID: filter?.userId, actionPrefix: filter?.actionPrefix, resourceType: filter?.resourceType,
        since: filter?.since, limit: APILimits.pageSize(arguments.first), cursor: arguments.after))
    let pageInfo = PageInfo(hasNextPage: page.nextCursor != nil, endCursor: page.cursors.last)
    return AuditConnection(
      edges: page.edges { AuditEdge(cursor: $1, node: APIMapping.auditEntry($0)) }, pageInfo: pageInfo
    )
  }

  func workers(_ arguments: QueryWorkersArguments, context: APIContext) async throws -> [Worker] {
    try await APIMapping.workers(store: services.store, state: arguments.state)
  }
}

extension QueryResolver {
  func alerts(_ arguments: QueryAlertsArguments, context: APIContext) async throws -> [Alert] {
    let owner = try SessionAccess.ownerFilter(context)
    if let session = arguments.sessionId {
      _ = try await SessionAccess.session(session, context, store: services.store)
    }
    return try await services.store.alerts(
      AlertQuery(
        firing: arguments.firing, unacknowledged: arguments.unacknowledged ?? false,
        sessionID: arguments.sessionId,
        owner: owner, limit: APILimits.pageSize(arguments.first))
    ).map(APIMapping.alert)
  }

  func plugins(context: APIContext) async throws -> [Plugin] {
    guard let registry = services.plugins else { return [] }
    return try await registry.records().map { APIMapping.plugin($0, registry: registry) }
  }

  func alertRules(context: APIContext) async throws -> [AlertRule] {
    guard let alerts = services.alerts else { return [] }
    let owner = try SessionAccess.ownerFilter(context)
    var visible: [AlertRule] = []
    for entry in await alerts.rules {
      // A running suite's rules show to whoever may see its session.
      if let owner, entry.source == .suite, let session = entry.rule.labels.session,
        try await services.store.session(session)?.ownerID != owner
      {
        continue
      }
      visible.append(APIMapping.alertRule(entry))
    }
    return visible
  }
}
