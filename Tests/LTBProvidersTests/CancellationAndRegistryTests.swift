import Foundation
import LTBCore
import LTBFakeServer
import LTBProviders
import NIOConcurrencyHelpers
import Testing

@Suite("Cancellation and the registry")
struct CancellationAndRegistryTests {
  @Test("cancelling a streamed request closes the connection at once")
  func cancellationClosesConnection() async throws {
    let fixture = VendorFixture.openAI
    let serverSawClose = NIOLockedValueBox(false)
    let handler: LoopbackHTTPServer.Handler = { _, writer in
      try await writer.head(status: 200, headers: [("Content-Type", "text/event-stream")])
      do {
        for index in 0..<200 {
          try await writer.write(
            #"data: {"choices":[{"index":0,"delta":{"content":"t\#(index) "}}]}"# + "\n\n")
          try await Task.sleep(for: .milliseconds(25))
        }
      } catch {
        serverSawClose.withLockedValue { $0 = true }
        throw error
      }
    }
    try await withVendor(fixture, handler: handler) { provider, _ in
      let firstEvent = AsyncStream<Void>.makeStream()
      let request = Task {
        try await provider.stream(helloRequest) { event in
          if event.event.isContentBearing { firstEvent.continuation.yield() }
        }
      }
      for await _ in firstEvent.stream { break }
      let cancelledAt = ContinuousClock.now
      request.cancel()
      let outcome = await request.result
      #expect(ContinuousClock.now - cancelledAt < .milliseconds(500))
      guard case .failure(let error) = outcome else {
        Issue.record("the cancelled request finished")
        return
      }
      #expect((error as? LTBError)?.code == .cancelled, "\(error)")
      // The server notices on its next write (every 25 ms).
      let deadline = ContinuousClock.now + .seconds(2)
      while !serverSawClose.withLockedValue({ $0 }), ContinuousClock.now < deadline {
        try await Task.sleep(for: .milliseconds(20))
      }
      #expect(serverSawClose.withLockedValue { $0 })
    }
  }

  @Test("a keep-alive connection the server closed is retried at once, not after a backoff")
  func staleConnections() async throws {
    let fixture = VendorFixture.openAI
    let handler: LoopbackHTTPServer.Handler = { _, writer in
      await writer.closeAfterResponse()
      try await writer.respond(status: 200, body: fixture.plainBody)
    }
    try await withVendor(fixture, adjust: { $0.retryBaseDelay = .seconds(3) }, handler: handler) {
      provider, server in
      let start = ContinuousClock.now
      for _ in 0..<20 {
        let response = try await provider.complete(helloRequest)
        #expect(response.text == "Hello there")
      }
      #expect(ContinuousClock.now - start < .seconds(2), "no request waited for the 3 s backoff")
      #expect(server.requests.count >= 20)
    }
  }

  @Test("register, get, list, find by capability, discover from settings")
  func registry() async throws {
    let registry = ProviderRegistry()
    let catalog = ModelCatalog()
    let names = try await registry.discover(
      from: [
        ProviderSettings(name: "a", kind: .anthropic, apiKey: Secret("k")),
        ProviderSettings(name: "local", kind: .llamacpp),
        ProviderSettings(name: "o", kind: .openai, apiKey: Secret("k")),
      ], catalog: catalog)
    #expect(names == ["a", "local", "o"])
    #expect(await registry.list() == ["a", "local", "o"])
    #expect(await registry.find(by: .embeddings) == ["local", "o"])
    #expect(await registry.find(by: .tokenCounting) == ["a", "local"])
    #expect(await registry.find(by: .vision) == ["a", "o"])
    #expect(await registry.get("a")?.kind == .anthropic)
    await #expect(throws: LTBError.self) { try await registry.require("missing") }
    await registry.unregister("a")
    #expect(await registry.list() == ["local", "o"])
    await registry.shutdown()
  }
}
