import Foundation
import LTBCore
import LTBProviders
import Testing

/// The llama.cpp provider against the real llama-server serving SmolLM2-135M-Instruct.
@Suite("Real local model")
struct LocalModelTests {
  static let question = CompletionRequest(
    system: "Answer in one sentence.",
    messages: [Message(role: .user, text: "What is the capital of France?")],
    parameters: SamplingParameters(temperature: 0, maxTokens: 24))

  @Test("a completion answers, with usage and the server's timings")
  func completion() async throws {
    try await LocalModel.withProvider { provider in
      let response = try await provider.complete(Self.question)
      #expect(response.text.contains("Paris"))
      #expect(response.usage.source == .reported)
      #expect(response.usage.inputTokens > 10)
      #expect(response.usage.outputTokens > 0)
      #expect(response.cost == .zero)
      let server = try #require(response.serverTimings)
      #expect(server.generatedTokens == response.usage.outputTokens)
      #expect(server.promptTokens ?? 0 > 0 || (server.cachedPromptTokens ?? 0) > 0)
    }
  }

  @Test("streaming records TTFT and every inter-token gap, and agrees with the server")
  func streaming() async throws {
    try await LocalModel.withProvider { provider in
      let request = CompletionRequest(
        prompt: "List the numbers from 1 to 100, separated by commas.",
        parameters: SamplingParameters(temperature: 0, maxTokens: 40))
      let response = try await provider.stream(request) { _ in }
      let timing = response.timing
      let ttft = try #require(timing.timeToFirstToken)
      let e2e = try #require(timing.endToEndLatency)
      #expect(ttft > .zero)
      #expect(e2e > ttft)
      #expect(timing.contentEventOffsetsNanos.count >= 20)
      #expect(timing.interTokenLatencies.count == timing.contentEventOffsetsNanos.count - 1)
      #expect(timing.interTokenLatencies.allSatisfy { $0 >= .zero })
      #expect(response.usage.outputTokens == 40)
      #expect(response.finishReason == .length)
      let server = try #require(response.serverTimings)
      #expect(server.generatedTokens == 40)
      // The server's own prompt + generation time cannot exceed what the client saw end to end.
      #expect(try #require(server.totalMilliseconds) <= timing.totalDuration.milliseconds + 1)
      #expect(try #require(timing.timePerOutputToken(outputTokens: 40)) > .zero)
    }
  }

  @Test("/tokenize gives exact counts with the model's tokenizer")
  func tokenize() async throws {
    try await LocalModel.withProvider { provider in
      let count = try await provider.estimateTokens("Hello world", model: nil)
      #expect(count == TokenCount(count: 2, exact: true, method: "llama.cpp /tokenize"))
    }
  }

  @Test("logprobs: one per generated token, all ≤ 0, tokens spell the text")
  func logprobs() async throws {
    try await LocalModel.withProvider { provider in
      var request = Self.question
      request.logprobs = 2
      request.parameters.maxTokens = 12
      let response = try await provider.complete(request)
      let logprobs = try #require(response.logprobs)
      #expect(logprobs.count == response.usage.outputTokens)
      #expect(logprobs.allSatisfy { $0.logprob <= 0 })
      #expect(logprobs.allSatisfy { $0.topAlternatives.count == 2 })
      #expect(logprobs.map(\.token).joined() == response.text)
    }
  }

  @Test("embeddings from the local server")
  func embeddings() async throws {
    try await LocalModel.withProvider { provider in
      let vectors = try await provider.embed(["Paris is in France.", "Bananas are yellow."], model: nil)
      #expect(vectors.count == 2)
      #expect(vectors.allSatisfy { $0.count == 576 })
      #expect(vectors[0] != vectors[1])
    }
  }

  @Test("JSON schema output is valid JSON of the schema")
  func jsonSchema() async throws {
    try await LocalModel.withProvider { provider in
      var request = Self.question
      request.parameters.maxTokens = 40
      request.responseFormat = .jsonSchema(
        name: "answer",
        schema: ["type": "object", "properties": ["city": ["type": "string"]], "required": ["city"]])
      let response = try await provider.complete(request)
      let parsed = try JSONValue.parse(Data(response.text.utf8))
      #expect(parsed["city"]?.stringValue != nil)
    }
  }

  @Test("the llama.cpp provider launches llama-server itself, uses it, and stops it")
  func launchesServer() async throws {
    let paths = LocalModel.launchPaths
    var settings = LocalModel.settings(name: "launched")
    settings.launch = LlamaServerLaunch(
      binary: paths.binary, modelPath: paths.model, extraArguments: ["--ctx-size", "2048", "--parallel", "1"])
    let provider = try ProviderRegistry.makeProvider(settings, catalog: ModelCatalog())
    let launchedURL = (provider as? LlamaCppProvider)?.settings.baseURL
    #expect(launchedURL != LocalModel.url)
    do {
      let response = try await provider.stream(Self.question) { _ in }
      #expect(response.text.contains("Paris"))
      #expect(await provider.healthCheck().healthy)
    } catch {
      await provider.shutdown()
      throw error
    }
    await provider.shutdown()
    let probe = try ProviderRegistry.makeProvider(
      ProviderSettings(
        name: "probe", kind: .llamacpp, baseURL: try #require(launchedURL), connectTimeout: .seconds(1),
        maxRetries: 0),
      catalog: ModelCatalog())
    #expect(await probe.healthCheck().healthy == false, "the launched server is gone after shutdown")
    await probe.shutdown()
  }

  @Test("a launch with a missing binary names the fix")
  func launchMissingBinary() async throws {
    var settings = LocalModel.settings(name: "broken")
    settings.launch = LlamaServerLaunch(
      binary: "/nonexistent/llama-server", modelPath: "/nonexistent/model.gguf")
    let provider = try ProviderRegistry.makeProvider(settings, catalog: ModelCatalog())
    do {
      _ = try await provider.complete(Self.question)
      Issue.record("expected a configuration error")
    } catch let error as LTBError {
      #expect(error.code == .configuration)
      #expect(error.fix?.contains("scripts/local-llm") == true)
    }
    await provider.shutdown()
  }
}
