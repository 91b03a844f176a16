/// Options for sending one request.
public struct RequestOptions: Sendable {
  /// Stream the response (and so measure TTFT and ITL).
  public var stream: Bool
  /// When the load pattern wanted the request sent, for schedule lag.
  public var scheduledAt: ContinuousClock.Instant?
  /// Called for every decoded event as it arrives (for live display).
  public var onEvent: (@Sendable (TimedStreamEvent) -> Void)?

  /// Creates options.
  public init(
    stream: Bool, scheduledAt: ContinuousClock.Instant? = nil,
    onEvent: (@Sendable (TimedStreamEvent) -> Void)? = nil
  ) {
    self.stream = stream
    self.scheduledAt = scheduledAt
    self.onEvent = onEvent
  }
}

/// An LLM provider: one configured endpoint that speaks one vendor's wire protocol.
public protocol Provider: Sendable {
  /// The configured name (for example `openai` or `my-vllm`).
  var name: String { get }
  /// The wire protocol.
  var kind: ProviderKind { get }
  /// What the provider can do.
  var capabilities: ProviderCapabilities { get }
  /// The vendor API version and endpoint family spoken.
  var versionInfo: VersionInfo { get }
  /// The model used when a request names none.
  var defaultModel: String? { get }

  /// The models the catalogue knows for this provider.
  func supportedModels() -> [ModelInfo]
  /// The catalogue's entry for `model`, if it has one (looked up on every request: providers with
  /// a catalogue answer without listing it).
  func modelInfo(_ model: String) -> ModelInfo?
  /// The context window of `model` in tokens, when known.
  func maxContextLength(model: String) -> Int?
  /// Sends a request and returns the finished response with usage, cost and timing.
  func complete(_ request: CompletionRequest, options: RequestOptions) async throws -> CompletionResponse
  /// Checks the configuration without sending a completion (keys present, URL well-formed).
  func validateConfig() throws
  /// Counts the tokens of `text`, exactly where the vendor can tell, else a labelled estimate.
  func estimateTokens(_ text: String, model: String?) async throws -> TokenCount
  /// Embeds each text; one vector per input, in order.
  func embed(_ texts: [String], model: String?) async throws -> [[Double]]
  /// Asks the provider whether it is reachable and usable.
  func healthCheck() async -> HealthStatus
  /// Releases connections and stops processes the provider started.
  func shutdown() async
}

extension Provider {
  /// The entry for `model` among ``supportedModels()``.
  public func modelInfo(_ model: String) -> ModelInfo? {
    supportedModels().first { $0.id == model }
  }

  /// Sends a request without streaming.
  public func complete(_ request: CompletionRequest) async throws -> CompletionResponse {
    try await complete(request, options: RequestOptions(stream: false))
  }

  /// Streams a request, calling `onEvent` for every event, and returns the finished response.
  public func stream(
    _ request: CompletionRequest, scheduledAt: ContinuousClock.Instant? = nil,
    onEvent: @escaping @Sendable (TimedStreamEvent) -> Void
  ) async throws -> CompletionResponse {
    try await complete(
      request, options: RequestOptions(stream: true, scheduledAt: scheduledAt, onEvent: onEvent))
  }

  /// Streams a request as an asynchronous sequence of timed events.
  public func streamEvents(_ request: CompletionRequest) -> AsyncThrowingStream<TimedStreamEvent, any Error> {
    AsyncThrowingStream { continuation in
      let task = Task {
        do {
          _ = try await stream(request) { continuation.yield($0) }
          continuation.finish()
        } catch {
          continuation.finish(throwing: error)
        }
      }
      continuation.onTermination = { _ in task.cancel() }
    }
  }

  /// Sends a request that carries images or audio, after checking that the provider accepts them.
  public func completeMultimodal(_ request: CompletionRequest, options: RequestOptions) async throws
    -> CompletionResponse
  {
    // A transcription's audio goes to the transcription endpoint, not the chat API.
    let offered = request.task == .transcription ? request.modalities : Set(capabilities.supportedModalities)
    let unsupported = request.modalities.subtracting(offered).sorted {
      $0.rawValue < $1.rawValue
    }
    if let first = unsupported.first {
      throw LTBError(
        .unsupportedCapability,
        "provider '\(name)' (\(kind.rawValue)) does not accept \(first.rawValue) input",
        fix: "send text only to this provider, or choose one whose capabilities include \(first.rawValue)")
    }
    // A catalogued model must list what the request carries; one the catalogue does not know is
    // given the benefit of the doubt.
    let model = request.model ?? defaultModel
    if let model, let info = modelInfo(model) {
      for (modality, capability) in [(Modality.image, Capability.vision), (.audio, .audio)]
      where request.modalities.contains(modality) && !info.capabilities.contains(capability) {
        throw LTBError(
          .unsupportedCapability,
          "model '\(model)' of provider '\(name)' does not take \(modality.rawValue) input (the model catalogue lists: \(info.capabilities.map(\.rawValue).sorted().joined(separator: ", ")))",
          fix:
            "choose a model whose catalogue entry has \(capability.rawValue), or add it to the model's capabilities in your models file ([general] models_file)"
        )
      }
    }
    return try await complete(request, options: options)
  }

  /// The catalogue's context length for `model`.
  public func maxContextLength(model: String) -> Int? {
    modelInfo(model)?.contextLength
  }
}
