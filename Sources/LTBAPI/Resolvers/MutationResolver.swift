import Foundation
import LTBAlerts
import LTBAuth
import LTBConfig
import LTBCore
import LTBEngine
import LTBEvaluation
import LTBStorage

/// The `Mutation` root: benchmarks start in the background (a reason they cannot start is the
/// caller's error) and report through subscriptions; they are graded when they end.
struct MutationResolver: MutationResolvers {
  let services: APIServices

  func createBenchmark(_ arguments: MutationCreateBenchmarkArguments, context: APIContext) async throws
    -> Session
  {
    let suite = try Self.suite(from: arguments.input.suite)
    try services.alerts?.check(suite)
    let principal = try context.requirePrincipal()
    let owner = arguments.input.ownerId ?? principal.userID
    if owner != principal.userID {
      guard principal.seesEveryone else {
        throw LTBError(
          .permissionDenied, "creating a session for another user needs ADMIN_ACCESS", fix: "omit ownerId")
      }
      guard try await services.store.user(id: owner)?.isActive == true else {
        throw LTBError(.notFound, "no active user \(owner)", fix: "list users with the users query")
      }
    }
    let distributed = arguments.input.distributed ?? false
    let session = try await services.benchmarks.createSession(suite, owner: owner, distributed: distributed)
    if arguments.input.start ?? true {
      try await services.benchmarks.start(sessionID: session.id, options: .init(distributed: distributed))
    }
    return APIMapping.session(try await services.store.session(session.id) ?? session)
  }

  func createModelComparison(_ arguments: MutationCreateModelComparisonArguments, context: APIContext)
    async throws -> Session
  {
    let principal = try context.requirePrincipal()
    let input = arguments.input
    let pair = try ModelComparison(models: input.models)
    let suite = try pair.suite(
      dataset: input.dataset, repeats: input.repeats ?? 1, metrics: input.metrics ?? [],
      evaluation: input.judge.map { EvaluationSettings(judge: $0, embedder: nil) })
    let session = try await services.benchmarks.createSession(suite, owner: principal.userID)
    if arguments.start ?? true { try await services.benchmarks.start(sessionID: session.id) }
    return APIMapping.session(try await services.store.session(session.id) ?? session)
  }

  // MARK: Providers

  func addProvider(_ arguments: MutationAddProviderArguments, context: APIContext) async throws -> Provider {
    let provider = try await services.providers.add(try Self.managed(arguments.name, arguments.input))
    try await audit("provider.add", arguments.name, arguments.input, context)
    return APIMapping.provider(provider)
  }

  func updateProvider(_ arguments: MutationUpdateProviderArguments, context: APIContext) async throws
    -> Provider
  {
    let provider = try await services.providers.update(try Self.managed(arguments.name, arguments.input))
    try await audit("provider.update", arguments.name, arguments.input, context)
    return APIMapping.provider(provider)
  }

  func removeProvider(_ arguments: MutationRemoveProviderArguments, context: APIContext) async throws -> Bool
  {
    try await services.providers.remove(arguments.name)
    try await audit("provider.remove", arguments.name, nil, context)
    return true
  }

  func testProvider(_ arguments: MutationTestProviderArguments, context: APIContext) async throws
    -> ProviderHealth
  {
    APIMapping.health(try await services.providers.test(arguments.name))
  }

  /// A provider input as the record the service stores.
  static func managed(_ name: String, _ input: ProviderInput) throws -> ManagedProvider {
    guard let kind = ProviderKind(rawValue: input.kind) else {
      throw LTBError(
        .invalidInput, "'\(input.kind)' is not a provider kind",
        fix: "use one of \(ProviderKind.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    return ManagedProvider(
      name: name, kind: kind, baseURL: input.baseUrl, defaultModel: input.defaultModel,
      apiKeyEnv: input.apiKeyEnv,
      apiKeyFile: input.apiKeyFile, maxRetries: input.maxRetries, timeoutMilliseconds: input.timeoutMs,
      requestsPerMinute: input.requestsPerMinute, inputKey: input.inputKey)
  }

  /// Records a provider change in the audit log (the settings, which hold no secret).
  private func audit(_ action: String, _ name: String, _ input: ProviderInput?, _ context: APIContext)
    async throws
  {
    guard let auth = services.auth else { return }
    var details: [String: JSONValue] = ["name": .string(name)]
    if let input {
      details["kind"] = .string(input.kind)
      details["baseUrl"] = input.baseUrl.map(JSONValue.string) ?? .null
      details["apiKeyEnv"] = input.apiKeyEnv.map(JSONValue.string) ?? .null
      details["apiKeyFile"] = input.apiKeyFile.map(JSONValue.string) ?? .null
    }
    try await auth.audit(
      try context.requirePrincipal().userID, action, "provider", nil, details, context.client)
  }

  func cancelBenchmark(_ arguments: MutationCancelBenchmarkArguments, context: APIContext) async throws
    -> Session
  {
    let session = try await SessionAccess.require(arguments.id, context, store: services.store)
    _ = await services.benchmarks.cancel(sessionID: arguments.id)
    return APIMapping.session(session)
  }

  func resumeBenchmark(_ arguments: MutationResumeBenchmarkArguments, context: APIContext) async throws
    -> Session
  {
    let session = try await SessionAccess.require(arguments.id, context, store: services.store)
    guard session.status != .running else {
      throw LTBError(
        .invalidInput, "session \(arguments.id) is running", fix: "cancel it first, or wait for it")
    }
    try await services.benchmarks.start(sessionID: arguments.id)
    return APIMapping.session(try await services.store.session(arguments.id) ?? session)
  }

  func evaluate(_ arguments: MutationEvaluateArguments, context: APIContext) async throws -> EvaluateResult {
    let input = arguments.input
    guard case .array(let items) = input.assertions else {
      throw LTBError(
        .invalidInput, "assertions must be a JSON list",
        fix: "pass [{\"type\": \"contains\", \"value\": \"x\"}]")
    }
    let specs = try items.enumerated().map { index, item in
      try AssertionSpec(parsing: item, location: "assertions[\(index)]")
    }
    let evaluationInput = EvaluationInput(
      testID: "api", prompt: input.prompt, response: input.response, expected: input.expected,
      references: input.references ?? input.expected.map { [$0] } ?? [], context: input.context ?? [])
    let scored = try await services.benchmarks.evaluator().score(specs, evaluationInput)
    let result = BenchmarkResult(
      sessionID: UUID(), taskKey: "api", testID: "api", dataset: "api", provider: "api", model: "api",
      status: .success, prompt: input.prompt, response: input.response)
    let (records, verdict) = CaseScorer.combine(scored, result: result)
    return EvaluateResult(
      verdict: APIMapping.verdict(verdict.verdict), score: verdict.score,
      evaluations: records.map(APIMapping.evaluation))
  }

  func evaluateSession(_ arguments: MutationEvaluateSessionArguments, context: APIContext) async throws
    -> SessionEvaluation
  {
    _ = try await SessionAccess.require(arguments.id, context, store: services.store)
    let extra = try AssertionSpec.metrics(arguments.metrics ?? []).map {
      try AssertionSpec(parsing: $0, location: "metrics")
    }
    return APIMapping.sessionEvaluation(
      try await services.benchmarks.grade(sessionID: arguments.id, extra: extra))
  }

  // MARK: Users, sign-in and keys

  private func auth() throws -> AuthService {
    guard let auth = services.auth else {
      throw LTBError(
        .configuration, "this server has no authentication configured", fix: "start it with ltb serve")
    }
    return auth
  }

  private func payload(_ pair: TokenPair) async throws -> AuthPayload {
    guard let user = try await services.store.user(id: pair.userID) else {
      throw AuthFailure.unauthenticated("user gone").error
    }
    return AuthPayload(
      accessToken: pair.accessToken, expiresAt: pair.expiresAt, refreshToken: pair.refreshToken,
      user: APIMapping.user(user))
  }

  func login(_ arguments: MutationLoginArguments, context: APIContext) async throws -> AuthPayload {
    try await payload(
      try await auth().login(
        username: arguments.username, password: arguments.password, client: context.client))
  }

  func refreshToken(_ arguments: MutationRefreshTokenArguments, context: APIContext) async throws
    -> AuthPayload
  {
    try await payload(try await auth().refresh(arguments.refreshToken, client: context.client))
  }

  func logout(_ arguments: MutationLogoutArguments, context: APIContext) async throws -> Bool {
    try await auth().logout(arguments.refreshToken, client: context.client)
  }

  func createUser(_ arguments: MutationCreateUserArguments, context: APIContext) async throws -> User {
    let input = arguments.input
    return APIMapping.user(
      try await auth().createUser(
        username: input.username, email: input.email, password: input.password,
        role: APIMapping.role(input.role),
        by: try context.requirePrincipal(), client: context.client))
  }

  func updateUser(_ arguments: MutationUpdateUserArguments, context: APIContext) async throws -> User {
    APIMapping.user(
      try await auth().updateUser(
        arguments.id, role: arguments.role.map(APIMapping.role), active: arguments.active,
        by: try context.requirePrincipal(), client: context.client))
  }

  func createApiKey(_ arguments: MutationCreateApiKeyArguments, context: APIContext) async throws
    -> CreatedApiKey
  {
    let principal = try context.requirePrincipal()
    let input = arguments.input
    let owner = input.userId ?? principal.userID
    guard owner == principal.userID || principal.has(.manageUsers) else {
      throw LTBError(
        .permissionDenied, "keys for another user need MANAGE_USERS", fix: "omit userId to create your own")
    }
    if case .apiKey = principal.credential, owner == principal.userID, let role = input.role,
      !APIMapping.role(role).permissions.isSubset(of: principal.permissions)
    {
      throw LTBError(
        .permissionDenied, "a key cannot create a key with more rights than its own",
        fix: "sign in with your password, or ask for a lesser role")
    }
    let scopes = input.scopes.map { Set($0.map(APIMapping.permission)) }
    let created = try await auth().createAPIKey(
      owner: owner, name: input.name, role: input.role.map(APIMapping.role), scopes: scopes,
      expiresAt: input.expiresAt, by: principal, client: context.client)
    return CreatedApiKey(key: created.key, apiKey: APIMapping.apiKey(created.record))
  }

  func revokeApiKey(_ arguments: MutationRevokeApiKeyArguments, context: APIContext) async throws -> ApiKey {
    APIMapping.apiKey(
      try await auth().revokeAPIKey(
        id: arguments.id, by: try context.requirePrincipal(), client: context.client))
  }

  /// A suite from YAML or JSON text; dataset paths resolve against the server's directory.
  static func suite(from text: String) throws -> BenchmarkSuite {
    try SuiteLoader.load(
      text: text, origin: "the suite",
      directory: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
  }
}

extension MutationResolver {
  func createAlertRule(_ arguments: MutationCreateAlertRuleArguments, context: APIContext) async throws
    -> AlertRule
  {
    let saved = try await requireAlerts().save(
      try APIMapping.rule(arguments.input, id: UUID()), by: try context.requirePrincipal().userID)
    try await auditRule("alert_rule.create", saved, context)
    return APIMapping.alertRule(.init(rule: saved, source: .api))
  }

  func updateAlertRule(_ arguments: MutationUpdateAlertRuleArguments, context: APIContext) async throws
    -> AlertRule
  {
    let alerts = try requireAlerts()
    guard await alerts.rules.contains(where: { $0.source == .api && $0.rule.id == arguments.id }) else {
      throw LTBError(
        .notFound, "no API-defined alert rule has id \(arguments.id.uuidString.lowercased())",
        fix: "list them with the alertRules query (configuration and suite rules change in their files)")
    }
    let saved = try await alerts.save(
      try APIMapping.rule(arguments.input, id: arguments.id), by: try context.requirePrincipal().userID)
    try await auditRule("alert_rule.update", saved, context)
    return APIMapping.alertRule(.init(rule: saved, source: .api))
  }

  func deleteAlertRule(_ arguments: MutationDeleteAlertRuleArguments, context: APIContext) async throws
    -> Bool
  {
    let alerts = try requireAlerts()
    let rule = await alerts.rules.first { $0.rule.id == arguments.id }?.rule
    let existed = try await alerts.delete(arguments.id)
    if existed, let rule { try await auditRule("alert_rule.delete", rule, context) }
    return existed
  }

  func acknowledgeAlert(_ arguments: MutationAcknowledgeAlertArguments, context: APIContext) async throws
    -> Alert
  {
    let principal = try context.requirePrincipal()
    guard let record = try await services.store.alert(arguments.id) else {
      throw LTBError(
        .notFound, "no alert has id \(arguments.id.uuidString.lowercased())",
        fix: "list alerts with the alerts query")
    }
    if let session = record.sessionID {
      _ = try await SessionAccess.session(session, context, store: services.store)
    } else if !principal.seesEveryone {
      throw LTBError(
        .permissionDenied, "alerts about the queue and the workers are acknowledged by admins",
        fix: "ask an admin to acknowledge it")
    }
    guard
      let acknowledged = try await services.store.acknowledgeAlert(
        arguments.id, by: principal.userID,
        atMicros: WallClock.nowMicros)
    else { throw LTBError(.notFound, "alert \(arguments.id.uuidString.lowercased()) is gone") }
    if let auth = services.auth {
      try await auth.audit(
        principal.userID, "alert.acknowledge", "alert", record.id, ["rule": .string(record.ruleName)],
        context.client)
    }
    return APIMapping.alert(acknowledged)
  }

  private func requireAlerts() throws -> AlertService {
    guard let alerts = services.alerts else {
      throw LTBError(.unsupportedCapability, "this server runs without alerting", fix: "use `ltb serve`")
    }
    return alerts
  }

  private func auditRule(_ action: String, _ rule: LTBCore.AlertRule, _ context: APIContext) async throws {
    guard let auth = services.auth else { return }
    try await auth.audit(
      try context.requirePrincipal().userID, action, "alert_rule", rule.id,
      [
        "name": .string(rule.name), "summary": .string(rule.summary),
        "channels": .array(rule.channels.map(JSONValue.string)),
      ],
      context.client)
  }
}
