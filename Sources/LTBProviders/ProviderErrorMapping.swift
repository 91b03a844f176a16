import Foundation
import LTBCore

/// Maps a vendor's non-2xx answer to an `LTBError` whose message says what to do.
///
/// Every vendor here puts its message at `error.message`, `error` (a string), `message` or
/// `detail`; the status decides the code, and context-length complaints become
/// `contextTooLong` whatever status they came with.
enum ProviderErrorMapping {
  static func map(_ response: HTTPErrorResponse, settings: ProviderSettings) -> LTBError {
    let vendorMessage = message(in: response.body) ?? response.bodyText
    let name = settings.name
    let said = "\(name) answered \(response.status): \(vendorMessage)"
    let keyHint =
      settings.apiKeyOrigin.map { "check the API key from \($0)" } ?? "set providers.\(name).api_key_env"
    if mentionsContextLength(vendorMessage) {
      return LTBError(
        .contextTooLong, said, fix: "shorten the prompt or lower max_tokens to fit the model's context",
        remoteStatus: response.status)
    }
    if ![401, 403, 429].contains(response.status),
      let (code, fix) = mediaRefusal(vendorMessage, serverFault: response.status >= 500)
    {
      return LTBError(code, said, fix: fix, remoteStatus: response.status)
    }
    switch response.status {
    case 401, 403:
      return LTBError(.authentication, said, fix: keyHint, remoteStatus: response.status)
    case 429:
      return LTBError(
        .rateLimited, said, fix: "lower the concurrency or set providers.\(name).requests_per_minute",
        retryAfter: response.retryAfter, remoteStatus: response.status)
    case 404:
      return LTBError(
        .invalidRequest, said,
        fix: "check the model name and providers.\(name).base_url (\(settings.baseURL))",
        remoteStatus: response.status)
    case 501:
      return LTBError(
        .unsupportedCapability, said,
        fix: "the server does not offer this feature; enable it on the server or use another provider",
        remoteStatus: response.status)
    case 400..<500:
      return LTBError(
        .invalidRequest, said, fix: "the request was refused as invalid; check the parameters",
        remoteStatus: response.status)
    default:
      return LTBError(
        .server, said, fix: "the vendor failed; retry later", retryAfter: response.retryAfter,
        remoteStatus: response.status)
    }
  }

  /// The vendor's own message, from the usual places in a JSON error body.
  static func message(in body: Data) -> String? {
    guard let json = try? JSONValue.parse(body) else { return nil }
    return message(in: json)
  }

  static func message(in json: JSONValue) -> String? {
    if let error = json["error"] {
      if let text = error.stringValue { return text }
      if let text = error["message"]?.stringValue {
        let status = error["status"]?.stringValue ?? error["type"]?.stringValue
        return status.map { "\(text) [\($0)]" } ?? text
      }
    }
    if let text = json["message"]?.stringValue { return text }
    if let detail = json["detail"] {
      return detail.stringValue ?? detail.canonicalText()
    }
    return nil
  }

  /// The code and fix for a vendor refusing a request's image or audio: the model takes no such
  /// input (llama.cpp without its projector, an Ollama model without vision: not retried), the
  /// media is too large, or its format is not one the vendor reads. `nil` for other messages,
  /// and for a server fault (5xx) that is not the model lacking the input (it may pass).
  static func mediaRefusal(_ message: String, serverFault: Bool = false) -> (LTBError.Code, String)? {
    let lowered = message.lowercased()
    let media = ["image", "audio", "mime type", "media type", "media_type"].first { lowered.contains($0) }
    guard let media else { return nil }
    let what = media == "audio" ? "audio" : "image"
    if ["input is not supported", "missing data required for", "does not support", "not support \(what)"]
      .contains(where: lowered.contains)
    {
      return (
        .unsupportedCapability,
        "the model behind this endpoint takes no \(what) input: serve a multimodal model (llama.cpp: start llama-server with the model's --mmproj projector; Ollama: a vision model), or send text only"
      )
    }
    if serverFault { return nil }
    if ["exceeds", "too large", "too big", "maximum", "payload size", "max size"].contains(
      where: lowered.contains)
    {
      return (
        .invalidRequest,
        "the \(what) is over the vendor's size limit: send a smaller one (ltb shrinks images over the documented limits when libvips is installed)"
      )
    }
    if [
      "unsupported", "format", "invalid", "does not match", "input should be", "could not", "unable to",
      "decode",
    ]
    .contains(where: lowered.contains) {
      return (
        .invalidRequest,
        "the vendor could not read the \(what): send \(what == "audio" ? "WAV, MP3, FLAC or OGG" : "PNG, JPEG, WebP or GIF") whose bytes match its declared type"
      )
    }
    return nil
  }

  static func mentionsContextLength(_ message: String) -> Bool {
    let lowered = message.lowercased()
    return [
      "context length", "context_length", "maximum context", "context window", "prompt is too long",
      "exceeds the available context", "exceed_context_size", "too many tokens", "input is too long",
    ]
    .contains { lowered.contains($0) }
  }

  /// An error event inside a stream (after a 200 status).
  static func streamError(_ json: JSONValue, settings: ProviderSettings) -> LTBError {
    let text = message(in: json) ?? json.canonicalText()
    let code: LTBError.Code
    let lowered = text.lowercased()
    if mentionsContextLength(text) {
      code = .contextTooLong
    } else if lowered.contains("rate") && lowered.contains("limit") || lowered.contains("overloaded") {
      code = .rateLimited
    } else {
      code = .server
    }
    return LTBError(
      code, "\(settings.name) reported an error mid-stream: \(text)",
      fix: "the partial answer was discarded; retry the request")
  }
}
