import Foundation
import LTBCore
import Tracing

/// The OpenTelemetry GenAI semantic conventions on a provider call's client span: what was asked
/// (`gen_ai.request.*`), what came back (`gen_ai.response.*`, `gen_ai.usage.*`) and when the
/// first token arrived (an event). Attributes are only built for a span that records.
enum GenAISpan {
  /// The `gen_ai.provider.name` of a wire protocol: the convention's names where it has one, else
  /// the protocol's own (an OpenAI-compatible server is not OpenAI).
  static func providerName(_ kind: ProviderKind) -> String {
    switch kind {
    case .openai: "openai"
    case .anthropic: "anthropic"
    case .gemini: "gcp.gemini"
    case .cohere: "cohere"
    case .mistral: "mistral_ai"
    case .ollama, .llamacpp, .openaiCompatible: kind.rawValue
    }
  }

  /// The request's attributes.
  static func describe(
    _ span: any Span, request: CompletionRequest, model: String, settings: ProviderSettings, stream: Bool
  ) {
    guard span.isRecording else { return }
    span.updateAttributes { attributes in
      attributes["gen_ai.operation.name"] = "chat"
      attributes["gen_ai.provider.name"] = providerName(settings.kind)
      attributes["gen_ai.request.model"] = model
      attributes["gen_ai.request.temperature"] = request.parameters.temperature
      attributes["gen_ai.request.max_tokens"] = request.parameters.maxTokens
      attributes["gen_ai.request.top_p"] = request.parameters.topP
      attributes["gen_ai.request.top_k"] = request.parameters.topK.map(Double.init)
      attributes["gen_ai.request.seed"] = request.parameters.seed
      attributes["gen_ai.request.stop_sequences"] = request.parameters.stop
      attributes["ltb.provider"] = settings.name
      attributes["ltb.stream"] = stream
      if let url = URL(string: settings.baseURL), let host = url.host {
        attributes["server.address"] = host
        attributes["server.port"] = url.port ?? (url.scheme == "https" ? 443 : 80)
      }
    }
  }

  /// The response's attributes.
  static func describe(_ span: any Span, response: CompletionResponse) {
    guard span.isRecording else { return }
    span.updateAttributes { attributes in
      attributes["gen_ai.response.model"] = response.model
      attributes["gen_ai.response.id"] = response.responseID
      attributes["gen_ai.response.finish_reasons"] = response.finishReason.map { [$0.rawValue] } ?? []
      attributes["gen_ai.usage.input_tokens"] = response.usage.inputTokens
      attributes["gen_ai.usage.output_tokens"] = response.usage.outputTokens
      attributes["ltb.usage.source"] = response.usage.source.rawValue
      attributes["ltb.attempts"] = response.attempts
      attributes["ltb.ttft_ms"] = response.timing.timeToFirstToken?.milliseconds
      attributes["ltb.cost_usd"] = response.cost?.total
    }
  }

  /// The first token's arrival, `after` the request was sent.
  static func firstToken(_ span: any Span, after: Duration) {
    var event = SpanEvent(name: "gen_ai.first_token")
    event.attributes["ltb.ttft_ms"] = after.milliseconds
    span.addEvent(event)
  }
}
