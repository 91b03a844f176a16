import Foundation
public import LTBCore
import NIOCore
import Tracing

/// A provider that speaks a chat API over HTTP: everything but the wire format is shared here
/// (model resolution, defaults, rate-limit reservations, streaming, timing, usage and cost).
public protocol HTTPChatProvider: Provider, ChatWireFormat {
  /// Settings, catalogue and HTTP path.
  var context: ProviderContext { get }
  /// What the vendor's API can do, before the catalogue adds context lengths.
  var baseCapabilities: ProviderCapabilities { get }
  /// A cheap request that proves the API is reachable and the key accepted.
  func healthRequest() -> OutgoingRequest
  /// Makes the endpoint ready before a request (llama.cpp launches its server here).
  func prepare() async throws
}

extension HTTPChatProvider {
  /// Nothing to prepare for a remote API.
  public func prepare() async throws {}

  /// The resolved settings.
  public var settings: ProviderSettings { context.settings }
  /// The model catalogue.
  public var catalog: ModelCatalog { context.catalog }
  /// The HTTP path.
  public var transport: HTTPTransport { context.transport }

  /// The configured name.
  public var name: String { settings.name }
  /// The wire protocol.
  public var kind: ProviderKind { settings.kind }
  /// The configured default model.
  public var defaultModel: String? { settings.defaultModel }

  /// The vendor's capabilities, with the catalogue's largest context length.
  public var capabilities: ProviderCapabilities {
    var result = baseCapabilities
    result.maxContextLength = max(result.maxContextLength, supportedModels().map(\.contextLength).max() ?? 0)
    return result
  }

  /// The catalogue's models for this vendor.
  public func supportedModels() -> [ModelInfo] {
    catalog.models(for: kind)
  }

  /// The catalogue's entry for `model` under this provider's protocol.
  public func modelInfo(_ model: String) -> ModelInfo? {
    catalog.model(model, kind: kind)
  }

  /// Checks that a required API key is present and the base URL is usable.
  public func validateConfig() throws {
    try ProviderValidation.validate(settings)
  }

  /// A labelled estimate; vendors with a tokenizer endpoint override this.
  public func estimateTokens(_ text: String, model: String?) async throws -> TokenCount {
    TokenCount.estimate(text)
  }

  /// Vendors without an embeddings API refuse clearly; the others override this.
  public func embed(_ texts: [String], model: String?) async throws -> [[Double]] {
    throw LTBError(
      .unsupportedCapability, "provider '\(name)' (\(kind.rawValue)) has no embeddings API",
      fix: "use a provider with embeddings (openai, gemini, cohere, mistral, ollama, llamacpp)")
  }

  /// Sends the vendor's cheap health request and reports the outcome.
  public func healthCheck() async -> HealthStatus {
    let start = ContinuousClock.now
    do {
      try validateConfig()
      try await prepare()
      _ = try await transport.data(for: healthRequest(), mapError: mapError)
      return HealthStatus(
        healthy: true, latencyMilliseconds: (ContinuousClock.now - start).milliseconds, detail: "ok")
    } catch {
      let detail = (error as? LTBError)?.description ?? "\(error)"
      return HealthStatus(
        healthy: false, latencyMilliseconds: (ContinuousClock.now - start).milliseconds, detail: detail)
    }
  }

  /// Closes the connection pool.
  public func shutdown() async {
    await transport.shutdown()
  }

  /// Maps a non-2xx answer to an error that says what to do.
  public func mapError(_ response: HTTPErrorResponse) -> LTBError {
    ProviderErrorMapping.map(response, settings: settings)
  }

  /// The model a request goes to: its own, else the provider's default.
  public func resolveModel(_ requested: String?) throws -> String {
    if let model = requested ?? settings.defaultModel, !model.isEmpty { return model }
    throw LTBError(
      .configuration, "provider '\(name)' has no model for this request",
      fix: "pass --model, or set providers.\(name).default_model in ltb.toml")
  }

  /// The catalogue's prices for `model`; local servers cost nothing when the catalogue is silent.
  public func pricing(for model: String) -> ModelPricing? {
    if let entry = catalog.model(model, kind: kind) { return entry.pricing }
    return kind == .llamacpp || kind == .ollama ? ModelPricing(inputPerMillion: 0, outputPerMillion: 0) : nil
  }

  /// Sends a chat request, streamed or not, and returns the answer with usage, cost and timing,
  /// in a client span that follows the OpenTelemetry GenAI conventions.
  public func complete(_ request: CompletionRequest, options: RequestOptions) async throws
    -> CompletionResponse
  {
    let model = try resolveModel(request.model)
    var request = request
    request.parameters = request.parameters.filled(from: settings.defaultParameters)
    return try await withSpan("chat \(model)", ofKind: .client) { span in
      GenAISpan.describe(span, request: request, model: model, context: context, stream: options.stream)
      let response = try await sendChat(request, model: model, options: options, span: span)
      GenAISpan.describe(span, response: response)
      return response
    }
  }

  private func sendChat(
    _ request: CompletionRequest, model: String, options: RequestOptions, span: any Span
  ) async throws -> CompletionResponse {
    // A transcription carries audio by definition; the endpoint, not the chat API, takes it.
    if request.modalities != [.text], request.task != .transcription {
      let unsupported = request.modalities.subtracting(capabilities.supportedModalities)
      if let first = unsupported.first {
        throw LTBError(
          .unsupportedCapability,
          "provider '\(name)' (\(kind.rawValue)) does not accept \(first.rawValue) input",
          fix: "send text only to this provider, or choose one that accepts \(first.rawValue)")
      }
    }
    try await prepare()
    let outgoing = try await chatRequest(request, model: model, stream: options.stream)
    let reserved =
      settings.tokensPerMinute > 0
      ? TokenCount.estimate(request.promptText).count + (request.parameters.maxTokens ?? 512) : 0
    let wire = self
    let (outcome, attempts) = try await transport.execute(
      outgoing, reservedTokens: reserved, mapError: mapError
    ) {
      body, sentAt in
      var accumulator = ResponseAccumulator(sentAt: sentAt, scheduledAt: options.scheduledAt)
      let headers = body.headers
      func deliver(_ events: [StreamEvent], at receivedAt: ContinuousClock.Instant) {
        let before = accumulator.contentEventCount
        for event in events {
          let timed = TimedStreamEvent(event: event, receivedAt: receivedAt)
          accumulator.add(timed)
          options.onEvent?(timed)
        }
        if before == 0, accumulator.contentEventCount > 0, span.isRecording {
          GenAISpan.firstToken(span)
        }
      }
      guard options.stream else {
        var data = Data()
        var lastRead = sentAt
        for try await chunk in body {
          data.append(contentsOf: chunk.buffer.readableBytesView)
          lastRead = chunk.receivedAt
        }
        deliver(try wire.decodeResponse(data), at: lastRead)
        return (accumulator, ContinuousClock.now, headers)
      }
      var decoder = wire.makeStreamDecoder()
      var lastRead = sentAt
      switch wire.framing {
      case .serverSentEvents, .serverSentEventsWithEmptyEvents:
        var framer = ServerSentEventDecoder(
          keepsNamedEventsWithoutData: wire.framing == .serverSentEventsWithEmptyEvents)
        for try await chunk in body {
          lastRead = chunk.receivedAt
          for event in framer.feed(chunk.buffer.readableBytesView) {
            deliver(try decoder.decode(.event(event)), at: chunk.receivedAt)
          }
        }
        for event in framer.finish() { deliver(try decoder.decode(.event(event)), at: lastRead) }
      case .newlineDelimitedJSON:
        var framer = NDJSONDecoder()
        for try await chunk in body {
          lastRead = chunk.receivedAt
          for line in framer.feed(chunk.buffer.readableBytesView) {
            deliver(try decoder.decode(.line(line)), at: chunk.receivedAt)
          }
        }
        for line in framer.finish() { deliver(try decoder.decode(.line(line)), at: lastRead) }
      }
      guard decoder.isComplete else {
        throw LTBError(
          .network,
          "\(wire.name): the stream ended before the end-of-stream marker (\(accumulator.contentEventCount) content events received)",
          fix: "the server or a proxy cut the response; check the server's logs")
      }
      return (accumulator, lastRead, headers)
    }
    let (accumulator, endAt, headers) = outcome
    var fallback: Usage?
    if accumulator.reportedUsage == nil {
      fallback = await fallbackUsage(request: request, text: accumulator.text, model: model)
    }
    if reserved > 0, let used = (accumulator.reportedUsage ?? fallback)?.totalTokens {
      await transport.refund(tokens: max(0, reserved - used))
    }
    let pricing = pricing(for: model)
    let media = MediaUsage.measure(
      request, reported: accumulator.reportedUsage, rule: pricing?.imageTokens ?? .vendorDefault(kind),
      audioTokensPerSecond: Self.audioTokensPerSecond(kind))
    var response = accumulator.finish(
      provider: name, requestedModel: model, endAt: endAt, streamed: options.stream, attempts: attempts,
      fallbackUsage: fallback, pricing: pricing, media: media)
    response.providerMetadata = ProviderMetadata(
      endpoint: settings.baseURL, apiVersion: settings.apiVersion,
      modelVersion: response.model != model ? response.model : nil, headers: headers)
    return response
  }

  /// Input tokens per second of audio, as the vendor publishes it (OpenAI's realtime audio: one
  /// per 100 ms; Gemini: 32), for splitting a bill that does not report the audio's share.
  static func audioTokensPerSecond(_ kind: ProviderKind) -> Double? {
    switch kind {
    case .openai: 10
    case .gemini: 32
    default: nil
    }
  }

  /// Token counts when the vendor reported none: a tokenizer where the provider has one, else an estimate.
  func fallbackUsage(request: CompletionRequest, text: String, model: String) async -> Usage {
    let input =
      (try? await estimateTokens(request.promptText, model: model)) ?? TokenCount.estimate(request.promptText)
    let output = (try? await estimateTokens(text, model: model)) ?? TokenCount.estimate(text)
    return Usage(
      inputTokens: input.count, outputTokens: output.count,
      source: input.exact && output.exact ? .tokenizer : .estimated)
  }
}
