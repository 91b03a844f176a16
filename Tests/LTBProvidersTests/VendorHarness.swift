import Foundation
import LTBCore
import LTBFakeServer
import LTBProviders
import NIOConcurrencyHelpers

/// Prices used in contract tests: $1 per million input, $0.5 cached, $2 output.
let testPricing = ModelPricing(inputPerMillion: 1, outputPerMillion: 2, cachedInputPerMillion: 0.5)

/// Starts a loopback server for `fixture` that answers the vendor's auxiliary endpoints and hands
/// every chat request to `handler`, builds the provider (with `catalog`, by default the fixture's
/// model at ``testPricing``), runs `body`, and always shuts both down.
func withVendor<T: Sendable>(
  _ fixture: VendorFixture, adjust: (inout ProviderSettings) -> Void = { _ in }, catalog: ModelCatalog? = nil,
  handler: @escaping LoopbackHTTPServer.Handler,
  _ body: (any Provider, LoopbackHTTPServer) async throws -> T
) async throws -> T {
  let server = try await LoopbackHTTPServer.start { request, writer in
    if let auxiliary = fixture.auxiliary(request) {
      try await writer.respond(status: 200, body: auxiliary)
      return
    }
    try await handler(request, writer)
  }
  var settings = fixture.settings(server: server)
  adjust(&settings)
  let catalog =
    catalog
    ?? ModelCatalog([
      ModelInfo(
        id: fixture.model, kind: fixture.kind, contextLength: 8_192, pricing: testPricing,
        capabilities: [.streaming])
    ])
  let provider: any Provider
  do {
    provider = try ProviderRegistry.makeProvider(settings, catalog: catalog)
  } catch {
    await server.stop()
    throw error
  }
  do {
    let result = try await body(provider, server)
    await provider.shutdown()
    await server.stop()
    return result
  } catch {
    await provider.shutdown()
    await server.stop()
    throw error
  }
}

/// The chat requests a server received (without auxiliary calls).
func chatRequests(_ server: LoopbackHTTPServer, _ fixture: VendorFixture) -> [RecordedRequest] {
  server.requests.filter { fixture.auxiliary($0) == nil }
}

/// Answers with the fixture's plain body.
func plainHandler(_ fixture: VendorFixture) -> LoopbackHTTPServer.Handler {
  { _, writer in try await writer.respond(status: 200, body: fixture.plainBody) }
}

/// Writes the fixture's stream piece by piece, pausing between pieces.
func streamHandler(_ fixture: VendorFixture, pause: Duration = .milliseconds(40), pieces: [String]? = nil)
  -> LoopbackHTTPServer.Handler
{
  { _, writer in
    try await writer.head(status: 200, headers: [("Content-Type", fixture.streamContentType)])
    for (index, piece) in (pieces ?? fixture.streamPieces).enumerated() {
      if index > 0 { try await Task.sleep(for: pause) }
      try await writer.write(piece)
    }
  }
}

/// Answers the first `failures.count` chat requests with the given statuses, then plainly.
func failingThenPlain(_ fixture: VendorFixture, failures: [(status: Int, headers: [(String, String)])])
  -> LoopbackHTTPServer.Handler
{
  let counter = NIOLockedValueBox(0)
  return { request, writer in
    let attempt = counter.withLockedValue { count in
      defer { count += 1 }
      return count
    }
    if attempt < failures.count {
      let failure = failures[attempt]
      try await writer.respond(
        status: failure.status, headers: failure.headers,
        body: fixture.errorBody(failure.status, "try again later"))
    } else {
      try await writer.respond(status: 200, body: fixture.plainBody)
    }
  }
}

/// Runs `body`, expecting an `LTBError`, and returns it.
func expectLTBError(_ body: () async throws -> Void) async -> LTBError? {
  do {
    try await body()
    return nil
  } catch let error as LTBError {
    return error
  } catch {
    return LTBError(.internal, "unexpected error type: \(error)")
  }
}

/// A single-turn request.
let helloRequest = CompletionRequest(prompt: "Say hello")
