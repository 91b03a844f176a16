import Foundation
public import LTBCore

/// OpenAI's speech-to-text call, `POST /audio/transcriptions` (also served by OpenAI-compatible
/// speech servers): a `multipart/form-data` body with the audio as `file`, the `model`, the
/// request's text as `prompt`, `response_format=json`, and `stream=true` when streaming. The
/// answer is `{"text", "usage"}`; streamed, it is server-sent events `transcript.text.delta`
/// (`delta`) ending with `transcript.text.done` (`text`, `usage`). Usage comes as tokens
/// (`gpt-4o-transcribe`) or as seconds of audio (`whisper-1`, kept in the response metadata).
enum OpenAITranscription {
  /// The multipart request for `request`, which must carry exactly one piece of audio.
  static func request(_ request: CompletionRequest, model: String, stream: Bool) throws -> OutgoingRequest {
    let audio = request.messages.flatMap(\.content).compactMap { part -> AudioContent? in
      if case .audio(let content) = part { return content }
      return nil
    }
    guard audio.count == 1, let clip = audio.first else {
      throw LTBError(
        .invalidInput,
        "a transcription needs exactly one piece of audio; this request carries \(audio.count)",
        fix: "give the case one audio file, or use task: chat for this target")
    }
    let boundary = "ltb-" + UUID().uuidString.lowercased()
    var body = Data()
    func field(_ name: String, _ value: String) {
      body.append(
        Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8))
    }
    field("model", model)
    let prompt = [request.system ?? "", request.promptText].filter { !$0.isEmpty }.joined(separator: "\n")
    if !prompt.isEmpty { field("prompt", prompt) }
    field("response_format", "json")
    if let temperature = request.parameters.temperature { field("temperature", String(temperature)) }
    if stream { field("stream", "true") }
    body.append(
      Data(
        "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"audio.\(clip.format.rawValue)\"\r\nContent-Type: \(clip.format.mediaType)\r\n\r\n"
          .utf8))
    body.append(clip.data)
    body.append(Data("\r\n--\(boundary)--\r\n".utf8))
    return OutgoingRequest(
      method: .post, path: "/audio/transcriptions",
      headers: [("Content-Type", "multipart/form-data; boundary=\(boundary)")], body: body)
  }

  /// The events of a transcription answer, or nil when `body` is not one (it has no `text`).
  static func events(_ body: JSONValue) -> [StreamEvent]? {
    guard let text = body["text"]?.stringValue, body["choices"] == nil else { return nil }
    var events: [StreamEvent] = [.text(text)]
    if let usage = usage(body["usage"]) { events.append(.usage(usage)) }
    events.append(.finish(.stop))
    return events
  }

  /// One event of a streamed transcription, or nil when it is not one.
  static func streamEvents(_ chunk: JSONValue) -> (events: [StreamEvent], done: Bool)? {
    switch chunk["type"]?.stringValue {
    case "transcript.text.delta":
      return ([.text(chunk["delta"]?.stringValue ?? "")], false)
    case "transcript.text.done":
      var events: [StreamEvent] = []
      if let usage = usage(chunk["usage"]) { events.append(.usage(usage)) }
      events.append(.finish(.stop))
      return (events, true)
    default:
      return nil
    }
  }

  /// Token usage (`input_tokens`, `output_tokens`); nil for usage counted in seconds.
  /// The usage of a transcription: tokens (`input_tokens`, with the audio's share in
  /// `input_token_details`) or, for models priced by length, `{"type": "duration", "seconds"}`.
  static func usage(_ value: JSONValue?) -> Usage? {
    guard let value else { return nil }
    if value["type"]?.stringValue == "duration", let seconds = value["seconds"]?.doubleValue {
      var usage = Usage(inputTokens: 0, outputTokens: 0)
      usage.audioSeconds = seconds
      return usage
    }
    guard let input = value["input_tokens"]?.intValue, let output = value["output_tokens"]?.intValue else {
      return nil
    }
    var usage = Usage(inputTokens: input, outputTokens: output)
    usage.audioTokens = value["input_token_details"]?["audio_tokens"]?.intValue
    return usage
  }
}
