import ArgumentParser
import Foundation
import LTBAPI
import LTBAuth
import LTBConfig
import LTBCore
import LTBEngine
import LTBEvaluation
import LTBProviders
import LTBStorage

/// Where a GraphQL page of results spends its time, in one process without HTTP: the store's
/// page query, the verdicts of the page, and the whole request through ``GraphQLService``
/// (plan, resolvers, JSON), each timed over many runs on one task.
struct PageBenchmark: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "page",
    abstract: "Time a page of 50 results by stage: store query, verdicts, the whole GraphQL request.")

  @Option(name: .long, help: "sqlite:PATH or a postgres:// URL of a seeded store.") var database: String
  @Option(name: .long, help: "The session whose pages are read (default: the seeded one).") var session:
    String?
  @Option(name: .long, help: "Runs of each stage.") var runs = 2_000
  @Flag(name: .long, help: "Time only the whole GraphQL request (for profiling).") var graphQLOnly = false

  func run() async throws {
    let store = try await SQLBenchStore.open(try DatabaseLocation(parsing: database))
    let sessionID: UUID
    if let session, let id = UUID(uuidString: session) {
      sessionID = id
    } else {
      // Every page of sessions, newest first: later benchmarks on the same store come before it.
      var cursor: String?
      var found: UUID?
      repeat {
        let page = try await store.sessions(status: nil, owner: nil, limit: 1_000, cursor: cursor)
        found = page.items.first { $0.name == "api-benchmark" }?.id
        cursor = page.nextCursor
      } while found == nil && cursor != nil
      guard let found else {
        throw ValidationError("no session named api-benchmark in \(database); pass --session")
      }
      sessionID = found
    }
    let configuration = try ConfigLoader().load()
    let services = try await APIServices.build(
      store: store, configuration: configuration, providers: [], version: "benchmark")
    let graphQL = try GraphQLService(resolvers: services.resolvers)
    let admin = Principal(userID: UUID(), username: "bench", role: .admin, credential: .apiKey(id: "bench"))
    let query = ResultQuery(sessionID: sessionID, limit: 50)
    let page = try await store.results(query)
    let ids = page.items.map(\.id)

    if !graphQLOnly {
      try await time("store: a page of 50 results") { _ = try await store.results(query) }
      try await time("store: the page as the API lists it (no text, no labels)") {
        _ = try await store.resultRows(query, reading: [])
      }
      try await time("store: the page's verdicts (columns)") {
        _ = try await store.verdicts(results: ids, details: false)
      }
    }
    let document = """
      { results(filter: {sessionId: "\(sessionID.uuidString.lowercased())"}, first: 50) { edges { cursor node { \
      id testId status model ttftMs e2eMs outputTokens costUsd scores provider { name kind } evaluations { \
      metric score passed } } } pageInfo { hasNextPage endCursor } } }
      """
    var bytes = 0
    try await time("GraphQL: the whole page (plan, resolvers, JSON)") {
      let response = try await graphQL.respond(
        document, context: APIContext(requestID: "bench", principal: admin))
      bytes = response.body.count
    }
    print("answer: \(bytes) bytes")
  }

  private func time(_ label: String, _ body: () async throws -> Void) async throws {
    for _ in 0..<min(200, runs) { try await body() }
    var samples: [Double] = []
    samples.reserveCapacity(runs)
    let cpuStart = clock()
    for _ in 0..<runs {
      let start = ContinuousClock.now
      try await body()
      samples.append((ContinuousClock.now - start).milliseconds * 1_000)
    }
    let cpu = Double(clock() - cpuStart) / Double(CLOCKS_PER_SEC) / Double(runs) * 1e6
    samples.sort()
    let mean = samples.reduce(0, +) / Double(samples.count)
    print(
      String(
        format: "%@: mean %.0f us, p50 %.0f us, p99 %.0f us; CPU %.0f us, all threads (%d runs)", label,
        mean, samples[samples.count / 2], samples[samples.count * 99 / 100], cpu, runs))
  }
}
