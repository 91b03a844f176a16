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
    case .ollama, .llamacpp, .openaiCompatible, .langserve: kind.rawValue
    }
  }

  /// The request's attributes (an attribute is set only when it has a value: assigning `nil`
  /// costs a lookup in the span's table).
  static func describe(
    _ span: any Span, request: CompletionRequest, model: String, context: ProviderContext, stream: Bool
  ) {
    guard span.isRecording else { return }
    let parameters = request.parameters
    span.updateAttributes { attributes in
      attributes["gen_ai.operation.name"] = "chat"
      attributes["gen_ai.provider.name"] = providerName(context.settings.kind)
      attributes["gen_ai.request.model"] = model
      if let value = parameters.temperature { attributes["gen_ai.request.temperature"] = value }
      if let value = parameters.maxTokens { attributes["gen_ai.request.max_tokens"] = value }
      if let value = parameters.topP { attributes["gen_ai.request.top_p"] = value }
      if let value = parameters.topK { attributes["gen_ai.request.top_k"] = Double(value) }
      if let value = parameters.seed { attributes["gen_ai.request.seed"] = value }
      if let value = parameters.stop, !value.isEmpty { attributes["gen_ai.request.stop_sequences"] = value }
      attributes["ltb.provider"] = context.settings.name
      if let (host, port) = context.server {
        attributes["server.address"] = host
        attributes["server.port"] = port
      }
    }
  }

  /// The host and port of a base URL (`https://api.openai.com/v1` is api.openai.com and 443),
  /// read without Foundation's URL parser, which costs more than the rest of the span.
  static func server(_ baseURL: String) -> (host: String, port: Int)? {
    guard let schemeEnd = baseURL.range(of: "://") else { return nil }
    let secure = baseURL[..<schemeEnd.lowerBound].lowercased() == "https"
    let rest = baseURL[schemeEnd.upperBound...]
    var authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
    if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
    var host = authority
    var port = secure ? 443 : 80
    if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
      host = authority[authority.index(after: authority.startIndex)..<close]
      let tail = authority[authority.index(after: close)...]
      if tail.hasPrefix(":"), let number = Int(tail.dropFirst()) { port = number }
    } else if let colon = authority.lastIndex(of: ":") {
      host = authority[..<colon]
      guard let number = Int(authority[authority.index(after: colon)...]) else { return nil }
      port = number
    }
    return host.isEmpty ? nil : (String(host), port)
  }

  /// The response's attributes.
  static func describe(_ span: any Span, response: CompletionResponse) {
    guard span.isRecording else { return }
    span.updateAttributes { attributes in
      attributes["gen_ai.response.model"] = response.model
      if let reason = response.finishReason {
        attributes["gen_ai.response.finish_reasons"] = [reason.rawValue]
      }
      attributes["gen_ai.usage.input_tokens"] = response.usage.inputTokens
      attributes["gen_ai.usage.output_tokens"] = response.usage.outputTokens
      // Only what differs from the usual case: every attribute is paid for again in the export.
      if response.usage.source != .reported {
        attributes["ltb.usage.source"] = response.usage.source.rawValue
      }
      if response.attempts > 1 { attributes["ltb.attempts"] = response.attempts }
    }
  }

  /// The first token's arrival (the event's time; its distance from the span's start is the
  /// time to first token).
  static func firstToken(_ span: any Span) {
    span.addEvent(SpanEvent(name: "gen_ai.first_token"))
  }
}
