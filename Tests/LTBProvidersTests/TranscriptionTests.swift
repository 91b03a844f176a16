import Foundation
import LTBCore
import LTBFakeServer
import Testing

@testable import LTBProviders

/// OpenAI's `/audio/transcriptions` as its documentation shows it: the multipart request ltb
/// writes, the JSON answer, the streamed `transcript.text.*` events, and an error answer.
@Suite("Transcription contract")
struct TranscriptionTests {
  static let wav = Data("RIFF\u{24}\0\0\0WAVEfmt ".utf8) + Data(repeating: 7, count: 64)
  static let usage =
    #"{"type":"tokens","input_tokens":14,"input_token_details":{"text_tokens":0,"audio_tokens":14},"output_tokens":5,"total_tokens":19}"#

  static func request(audio: Int = 1) -> CompletionRequest {
    var request = CompletionRequest(
      model: "gpt-4o-transcribe",
      messages: [
        Message(
          role: .user,
          content: [.text("Names: Zoë, Łukasz.")]
            + Array(repeating: .audio(AudioContent(data: wav, format: .wav)), count: audio))
      ])
    request.task = .transcription
    return request
  }

  /// The form fields of a multipart body, by name (the file's value is its bytes as Latin-1).
  static func fields(_ request: RecordedRequest) throws -> [String: (headers: String, value: Data)] {
    let type = request.headers.first { $0.name.lowercased() == "content-type" }?.value ?? ""
    let boundary = try #require(type.components(separatedBy: "boundary=").last)
    #expect(type.hasPrefix("multipart/form-data; boundary="))
    var fields: [String: (String, Data)] = [:]
    let delimiter = Data("--\(boundary)".utf8)
    var rest = request.body
    while let start = rest.range(of: delimiter) {
      rest = rest[start.upperBound...]
      guard let next = rest.range(of: delimiter) else { break }
      let part = rest[rest.startIndex..<next.lowerBound]
      guard let split = part.range(of: Data("\r\n\r\n".utf8)) else { continue }
      let headers = String(decoding: part[part.startIndex..<split.lowerBound], as: UTF8.self)
      let value = part[split.upperBound...].dropLast(2)
      if let name = headers.components(separatedBy: "name=\"").dropFirst().first?.components(
        separatedBy: "\""
      )
      .first {
        fields[name] = (headers, Data(value))
      }
    }
    return fields
  }

  @Test(
    "the request is multipart: file, model, prompt, response_format; the JSON answer is the text with its usage"
  )
  func plain() async throws {
    try await withVendor(
      .openAI,
      handler: { _, writer in
        try await writer.respond(status: 200, body: #"{"text":"Zoë and Łukasz met.","usage":\#(Self.usage)}"#)
      }
    ) { provider, server in
      let response = try await provider.completeMultimodal(
        Self.request(), options: RequestOptions(stream: false))
      #expect(response.text == "Zoë and Łukasz met.")
      #expect(response.usage.inputTokens == 14 && response.usage.outputTokens == 5)
      let sent = try #require(server.requests.last)
      #expect(sent.method == "POST" && sent.path == "/v1/audio/transcriptions")
      let fields = try Self.fields(sent)
      #expect(String(decoding: fields["model"]?.value ?? Data(), as: UTF8.self) == "gpt-4o-transcribe")
      #expect(String(decoding: fields["prompt"]?.value ?? Data(), as: UTF8.self) == "Names: Zoë, Łukasz.")
      #expect(String(decoding: fields["response_format"]?.value ?? Data(), as: UTF8.self) == "json")
      #expect(fields["stream"] == nil)
      let file = try #require(fields["file"])
      #expect(file.value == Self.wav)
      #expect(
        file.headers.contains(#"filename="audio.wav""#) && file.headers.contains("Content-Type: audio/wav"))
      #expect(sent.headers.contains { $0.name.lowercased() == "authorization" })
    }
  }

  @Test("streamed: each transcript.text.delta is content, timed from the first; done carries the usage")
  func streamed() async throws {
    let pieces = [
      #"data: {"type":"transcript.text.delta","delta":"Zoë","logprobs":null}"# + "\n\n",
      #"data: {"type":"transcript.text.delta","delta":" and Łukasz","logprobs":null}"# + "\n\n",
      #"data: {"type":"transcript.text.delta","delta":" met.","logprobs":null}"# + "\n\n",
      #"data: {"type":"transcript.text.done","text":"Zoë and Łukasz met.","usage":\#(Self.usage)}"# + "\n\n",
    ]
    try await withVendor(.openAI, handler: streamHandler(.openAI, pause: .milliseconds(30), pieces: pieces)) {
      provider, server in
      let response = try await provider.completeMultimodal(
        Self.request(), options: RequestOptions(stream: true))
      #expect(response.text == "Zoë and Łukasz met.")
      #expect(response.usage.outputTokens == 5)
      let ttft = try #require(response.timing.timeToFirstToken?.milliseconds)
      let e2e = try #require(response.timing.endToEndLatency?.milliseconds)
      #expect(e2e - ttft >= 50, "three deltas 30 ms apart: \(ttft) → \(e2e)")
      let fields = try Self.fields(try #require(server.requests.last))
      #expect(String(decoding: fields["stream"]?.value ?? Data(), as: UTF8.self) == "true")
    }
  }

  @Test(
    "an error answer names the problem; two audio clips or a vendor without the endpoint are refused unsent")
  func refusals() async throws {
    let error =
      #"{"error":{"message":"Invalid file format. Supported formats: ['flac', 'm4a', 'mp3', 'mp4', 'mpeg', 'mpga', 'oga', 'ogg', 'wav', 'webm']","type":"invalid_request_error","param":"file","code":"unsupported_value"}}"#
    try await withVendor(
      .openAI, adjust: { $0.maxRetries = 0 },
      handler: { _, writer in try await writer.respond(status: 400, body: error) }
    ) { provider, server in
      let failed = await expectLTBError {
        _ = try await provider.completeMultimodal(Self.request(), options: RequestOptions(stream: false))
      }
      #expect(failed?.message.contains("Invalid file format") == true, "\(String(describing: failed))")
      let sent = server.requests.count
      let two = await expectLTBError {
        _ = try await provider.completeMultimodal(
          Self.request(audio: 2), options: RequestOptions(stream: false))
      }
      #expect(two?.code == .invalidInput && two?.message.contains("exactly one piece of audio") == true)
      #expect(server.requests.count == sent)
    }
    try await withVendor(.mistral, handler: plainHandler(.mistral)) { provider, server in
      let refused = await expectLTBError {
        _ = try await provider.completeMultimodal(Self.request(), options: RequestOptions(stream: false))
      }
      #expect(
        refused?.code == .unsupportedCapability
          && refused?.message.contains("no transcription endpoint") == true)
      #expect(chatRequests(server, .mistral).isEmpty)
    }
  }
}
