import Foundation
import InMemoryTracing
import LTBCore
import LTBFakeServer
import Testing
import Tracing

@testable import LTBProviders

/// Provider calls under a tracer: one GenAI client span each, with the request's and the
/// response's attributes, the first token as an event, and the span's context on the request.
@Suite("Provider tracing")
struct ProviderTracingTests {
  static func attribute(_ span: FinishedInMemorySpan, _ name: String) -> SpanAttribute? {
    span.attributes.get(name)
  }

  @Test(
    "a streamed call is a chat client span with GenAI attributes and a first-token event",
    arguments: [VendorFixture.openAI, .anthropic, .gemini, .cohere, .mistral, .ollama])
  func streamedSpan(fixture: VendorFixture) async throws {
    let tracer = InMemoryTracer()
    try await withVendor(fixture, handler: streamHandler(fixture, pause: .milliseconds(30))) {
      provider, server in
      var request = helloRequest
      request.parameters.temperature = 0.5
      request.parameters.maxTokens = 40
      let response = try await withTracer(tracer) { try await provider.stream(request) { _ in } }
      let spans = tracer.finishedSpans
      try #require(spans.count == 1, "\(spans.map(\.operationName))")
      let span = spans[0]
      #expect(span.operationName == "chat \(fixture.model)")
      #expect(span.kind == .client)
      #expect(Self.attribute(span, "gen_ai.operation.name") == .string("chat"))
      let names: [ProviderKind: String] = [
        .openai: "openai", .anthropic: "anthropic", .gemini: "gcp.gemini", .cohere: "cohere",
        .mistral: "mistral_ai", .ollama: "ollama",
      ]
      #expect(Self.attribute(span, "gen_ai.provider.name") == .string(names[fixture.kind] ?? "?"))
      #expect(Self.attribute(span, "gen_ai.request.model") == .string(fixture.model))
      #expect(Self.attribute(span, "gen_ai.request.temperature") == .double(0.5))
      #expect(Self.attribute(span, "gen_ai.request.max_tokens") == .int64(40))
      #expect(Self.attribute(span, "gen_ai.response.model") == .string(response.model))
      #expect(Self.attribute(span, "gen_ai.response.finish_reasons") == .stringArray(["stop"]))
      #expect(Self.attribute(span, "gen_ai.usage.input_tokens") == .int64(Int64(response.usage.inputTokens)))
      #expect(
        Self.attribute(span, "gen_ai.usage.output_tokens") == .int64(Int64(response.usage.outputTokens)))
      #expect(Self.attribute(span, "server.address") == .string("127.0.0.1"))
      let events = span.events.filter { $0.name == "gen_ai.first_token" }
      #expect(events.count == 1, "one first-token event, however many chunks: \(span.events.map(\.name))")
      // The request carried the span's context (the in-memory tracer's own propagation keys).
      let chat = try #require(chatRequests(server, fixture).first)
      #expect(chat.header(InMemoryTracer.spanIDKey) == span.spanID)
      #expect(chat.header(InMemoryTracer.traceIDKey) == span.traceID)
    }
  }

  @Test("a failed call's span records the error and an error status, and no response attributes")
  func failedSpan() async throws {
    let fixture = VendorFixture.openAI
    let tracer = InMemoryTracer()
    try await withVendor(
      fixture,
      handler: { _, writer in try await writer.respond(status: 401, body: fixture.errorBody(401, "bad key")) }
    ) { provider, _ in
      let error = await expectLTBError {
        _ = try await withTracer(tracer) { try await provider.complete(helloRequest) }
      }
      #expect(error?.code == .authentication)
      let span = try #require(tracer.finishedSpans.first)
      #expect(span.status?.code == .error)
      #expect(span.errors.count == 1)
      #expect(Self.attribute(span, "gen_ai.response.model") == nil)
      #expect(span.events.isEmpty)
    }
  }

  @Test("without a tracer a request carries no trace headers")
  func untraced() async throws {
    let fixture = VendorFixture.openAI
    try await withVendor(fixture, handler: plainHandler(fixture)) { provider, server in
      _ = try await provider.complete(helloRequest)
      let chat = try #require(chatRequests(server, fixture).first)
      #expect(chat.header("traceparent") == nil)
      #expect(chat.header(InMemoryTracer.spanIDKey) == nil)
    }
  }
}

@Suite("GenAI span server address")
struct GenAIServerAddressTests {
  @Test(
    "host and port of a base URL, default ports by scheme",
    arguments: [
      ("https://api.openai.com/v1", "api.openai.com", 443), ("http://127.0.0.1:8088", "127.0.0.1", 8088),
      ("http://user:secret@proxy.local:3128/v1?x=1", "proxy.local", 3128),
      ("http://[::1]:11434/api", "::1", 11434),
      ("HTTPS://Example.org", "Example.org", 443), ("http://host", "host", 80),
    ] as [(String, String, Int)])
  func parsed(url: String, host: String, port: Int) {
    let server = GenAISpan.server(url)
    #expect(server?.host == host && server?.port == port)
  }

  @Test(
    "no scheme, no host or a bad port gives nothing",
    arguments: ["api.openai.com", "http://", "http://h:port/"])
  func refused(url: String) {
    #expect(GenAISpan.server(url) == nil)
  }
}
