import Foundation
import LTBCore
import LTBEngine
import LTBEvaluation
import LTBProviders
import LTBStorage

/// `Session`'s computed fields.
struct SessionResolver: SessionResolvers {
  let services: APIServices

  func resultCounts(_ parent: Session, context: APIContext) async throws -> JSONValue {
    let counts = try await services.store.resultCounts(session: parent.id)
    return .object(
      Dictionary(
        uniqueKeysWithValues: counts.map { (APIMapping.status($0.key).rawValue, JSONValue.int($0.value)) })
    )
  }

  func summary(_ parent: Session, context: APIContext) async throws -> [TargetSummary] {
    try await BenchmarkSummary.build(store: services.store, sessionID: parent.id).groups.map(
      APIMapping.target)
  }

  func evaluation(_ parent: Session, context: APIContext) async throws -> SessionEvaluation? {
    let evaluation = try await LTBEvaluation.SessionEvaluation.load(session: parent.id, store: services.store)
    guard evaluation.groups.contains(where: { $0.evaluated > 0 }) else { return nil }
    return APIMapping.sessionEvaluation(evaluation)
  }

  func exports(_ parent: Session, context: APIContext) async throws -> [SessionExport] {
    try await services.store.exports(session: parent.id).map(APIMapping.sessionExport)
  }
}

/// `Result`'s computed fields.
struct ResultResolver: ResultResolvers {
  let services: APIServices

  func provider(_ parent: Result, context: APIContext) async throws -> Provider? {
    await context.batch.provider(named: parent.providerName) { [providers = services.providers] name in
      await providers.describe(name).map(APIMapping.provider)
    }
  }

  func evaluations(_ parent: Result, context: APIContext) async throws -> [Evaluation] {
    try await context.batch.evaluations(
      of: parent.id, store: services.store, details: Self.verdictDetails(context))
  }

  /// Whether the request's verdicts need what only their stored records hold (value,
  /// threshold, explanation, judge). Decided once per request.
  static func verdictDetails(_ context: APIContext) -> Bool {
    context.batch.verdictDetails { ResultListing.verdictDetails(context) }
  }
}

/// `Provider`'s computed field: a live health check.
struct ProviderResolver: ProviderResolvers {
  let providers: ProviderService

  func health(_ parent: Provider, context: APIContext) async throws -> ProviderHealth {
    guard let provider = await providers.get(parent.name) else {
      return ProviderHealth(healthy: false, latencyMs: 0, detail: "provider \(parent.name) is not configured")
    }
    return APIMapping.health(await provider.healthCheck())
  }
}
