import Foundation
import LTBCore
import NIOConcurrencyHelpers

/// A judge model that answers from a script, in order: for the malformed-reply and repair paths,
/// which a real model cannot be made to take on demand. It records every request it gets and
/// charges 10 prompt and 5 completion tokens at $1 per call.
final class ScriptedJudge: Provider, Sendable {
  let name = "scripted"
  let kind = ProviderKind.openaiCompatible
  let capabilities: ProviderCapabilities
  let versionInfo = VersionInfo(apiVersion: "test", endpoint: "script")
  let defaultModel: String? = "judge-1"
  private let state: NIOLockedValueBox<(replies: [String], requests: [CompletionRequest])>
  private let fallback: String?

  /// Replies in order; after the script, `fallback` (or an error). With `vision` it takes images.
  init(_ replies: [String], fallback: String? = nil, vision: Bool = false) {
    state = NIOLockedValueBox((replies, []))
    self.fallback = fallback
    capabilities = ProviderCapabilities(vision: vision, jsonMode: true)
  }

  /// Every request received.
  var requests: [CompletionRequest] { state.withLockedValue { $0.requests } }

  func complete(_ request: CompletionRequest, options: RequestOptions) async throws -> CompletionResponse {
    let text: String? = state.withLockedValue { state in
      state.requests.append(request)
      return state.replies.isEmpty ? fallback : state.replies.removeFirst()
    }
    guard let text else { throw LTBError(.server, "the script ran out") }
    return CompletionResponse(
      provider: name, model: request.model ?? "judge-1", text: text,
      usage: Usage(inputTokens: 10, outputTokens: 5),
      cost: Cost(input: 0.5, output: 0.5),
      timing: RequestTiming(contentEventOffsetsNanos: [1], endOffsetNanos: 2),
      streamed: false)
  }

  func supportedModels() -> [ModelInfo] { [] }
  func maxContextLength(model: String) -> Int? { nil }
  func validateConfig() throws {}
  func estimateTokens(_ text: String, model: String?) async throws -> TokenCount { .estimate(text) }
  func embed(_ texts: [String], model: String?) async throws -> [[Double]] {
    // A toy embedding: letter frequencies, enough to make similar texts similar.
    texts.map { text in
      var vector = [Double](repeating: 0, count: 26)
      for scalar in text.lowercased().unicodeScalars where ("a"..."z").contains(scalar) {
        vector[Int(scalar.value - 97)] += 1
      }
      return vector
    }
  }
  func healthCheck() async -> HealthStatus {
    HealthStatus(healthy: true, latencyMilliseconds: 0, detail: "script")
  }
  func shutdown() async {}
}
