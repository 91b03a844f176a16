import Foundation
import LTBCore
import LTBFakeServer
import Testing

@testable import LTBProviders

/// Images and audio priced apart from text, from what each vendor's answer reports (OpenAI's
/// `prompt_tokens_details.audio_tokens`, Gemini's `promptTokensDetails`, a transcription's
/// `input_token_details` or `seconds`) and, where it reports no split, from its published
/// formula applied to the sizes the loader read.
@Suite("Image and audio pricing")
struct MediaPricingTests {
  static let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) + Data(repeating: 1, count: 32)
  static let wav = Data("RIFF\u{24}\0\0\0WAVEfmt ".utf8) + Data(repeating: 7, count: 64)

  static func catalog(_ kind: ProviderKind, _ model: String, _ pricing: ModelPricing) -> ModelCatalog {
    ModelCatalog([
      ModelInfo(
        id: model, kind: kind, contextLength: 128_000, pricing: pricing,
        capabilities: [.streaming, .vision, .audio])
    ])
  }

  /// The cost of `request` to `fixture`'s vendor serving `model` at `pricing`, answered with `answer`.
  static func cost(
    _ fixture: VendorFixture, _ model: String, _ pricing: ModelPricing, answer: String,
    request: CompletionRequest
  ) async throws -> Cost {
    try await withVendor(
      fixture, catalog: catalog(fixture.kind, model, pricing),
      handler: { _, writer in try await writer.respond(status: 200, body: answer) }
    ) { provider, _ in
      let response = try await provider.completeMultimodal(request, options: RequestOptions(stream: false))
      return try #require(response.cost)
    }
  }

  static func imageRequest(_ model: String, width: Int, height: Int, detail: String? = nil)
    -> CompletionRequest
  {
    let image = ImageContent(
      source: .inline(data: png, mediaType: "image/png"), detail: detail, width: width, height: height)
    return CompletionRequest(
      model: model,
      messages: [Message(role: .user, content: [.text("What is in this picture?"), .image(image)])])
  }

  static func openAIAnswer(prompt: Int, completion: Int, details: String) -> String {
    #"{"id":"chatcmpl-9","object":"chat.completion","created":1730000000,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"A cat."},"finish_reason":"stop"}],"usage":{"prompt_tokens":\#(prompt),"completion_tokens":\#(completion),"total_tokens":\#(prompt + completion),"prompt_tokens_details":\#(details)}}"#
  }

  @Test("OpenAI: a 1024×1024 image at high detail is 765 tokens of the reported 780 (tile formula)")
  func openAIImage() async throws {
    let cost = try await Self.cost(
      .openAI, "gpt-4o", ModelPricing(inputPerMillion: 2.5, outputPerMillion: 10),
      answer: Self.openAIAnswer(
        prompt: 780, completion: 4, details: #"{"cached_tokens":0,"audio_tokens":0}"#),
      request: Self.imageRequest("gpt-4o", width: 1024, height: 1024))
    let media = try #require(cost.media)
    #expect(media.imageTokens == 765 && media.audioTokens == 0 && media.estimated)
    #expect(abs(cost.image - 765 * 2.5 / 1e6) < 1e-12)
    #expect(abs(cost.input - 15 * 2.5 / 1e6) < 1e-12)
    #expect(abs(cost.total - (780 * 2.5 + 4 * 10) / 1e6) < 1e-12)
  }

  @Test(
    "OpenAI: low detail is the base 85 tokens; gpt-4o-mini's catalogued rule (tiles:2833:5667) replaces the default"
  )
  func openAIRules() async throws {
    let mini = ModelPricing(
      inputPerMillion: 0.15, outputPerMillion: 0.6, imageTokens: .tiles(base: 2833, tile: 5667))
    let answer = Self.openAIAnswer(prompt: 30_000, completion: 4, details: #"{"cached_tokens":0}"#)
    let high = try await Self.cost(
      .openAI, "gpt-4o-mini", mini, answer: answer,
      request: Self.imageRequest("gpt-4o-mini", width: 1024, height: 1024))
    #expect(high.media?.imageTokens == 2833 + 4 * 5667)
    let low = try await Self.cost(
      .openAI, "gpt-4o-mini", mini, answer: answer,
      request: Self.imageRequest("gpt-4o-mini", width: 1024, height: 1024, detail: "low"))
    #expect(low.media?.imageTokens == 2833)
  }

  @Test("OpenAI: reported audio tokens are priced at the model's audio price, not estimated")
  func openAIAudio() async throws {
    let clip = AudioContent(data: Self.wav, format: .wav, durationSeconds: 5.2)
    let cost = try await Self.cost(
      .openAI, "gpt-4o-audio-preview",
      ModelPricing(inputPerMillion: 2.5, outputPerMillion: 10, audioInputPerMillion: 40),
      answer: Self.openAIAnswer(
        prompt: 70, completion: 6, details: #"{"cached_tokens":0,"audio_tokens":52}"#),
      request: CompletionRequest(
        model: "gpt-4o-audio-preview",
        messages: [Message(role: .user, content: [.text("Transcribe."), .audio(clip)])]))
    #expect(cost.media == MediaUsage(imageTokens: 0, audioTokens: 52, audioSeconds: 5.2, estimated: false))
    #expect(abs(cost.audio - 52 * 40 / 1e6) < 1e-12)
    #expect(abs(cost.input - 18 * 2.5 / 1e6) < 1e-12)
  }

  @Test("Anthropic: a 1000×1000 image is ⌈1,000,000 / 750⌉ = 1334 of the 1350 input tokens")
  func anthropicImage() async throws {
    let cost = try await Self.cost(
      .anthropic, "claude-haiku-4-5", ModelPricing(inputPerMillion: 1, outputPerMillion: 5),
      answer:
        #"{"id":"msg_9","type":"message","role":"assistant","model":"claude-haiku-4-5","content":[{"type":"text","text":"A cat."}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":1350,"output_tokens":4}}"#,
      request: Self.imageRequest("claude-haiku-4-5", width: 1000, height: 1000))
    #expect(cost.media?.imageTokens == 1334 && cost.media?.estimated == true)
    #expect(abs(cost.image - 1334 / 1e6) < 1e-12 && abs(cost.input - 16 / 1e6) < 1e-12)
  }

  @Test("Gemini: promptTokensDetails gives the image and audio shares; audio at its own price")
  func geminiReported() async throws {
    var request = Self.imageRequest("gemini-2.5-flash", width: 2000, height: 2000)
    request.messages[0].content.append(
      .audio(AudioContent(data: Self.wav, format: .wav, durationSeconds: 10)))
    let cost = try await Self.cost(
      .gemini, "gemini-2.5-flash",
      ModelPricing(inputPerMillion: 0.3, outputPerMillion: 2.5, audioInputPerMillion: 1),
      answer:
        #"{"candidates":[{"content":{"parts":[{"text":"A cat."}],"role":"model"},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":600,"candidatesTokenCount":3,"totalTokenCount":603,"promptTokensDetails":[{"modality":"TEXT","tokenCount":22},{"modality":"IMAGE","tokenCount":258},{"modality":"AUDIO","tokenCount":320}]},"modelVersion":"gemini-2.5-flash"}"#,
      request: request)
    #expect(cost.media == MediaUsage(imageTokens: 258, audioTokens: 320, audioSeconds: 10, estimated: false))
    #expect(abs(cost.image - 258 * 0.3 / 1e6) < 1e-12)
    #expect(abs(cost.audio - 320 / 1e6) < 1e-12)
    #expect(abs(cost.input - 22 * 0.3 / 1e6) < 1e-12)
  }

  @Test("Mistral publishes no image formula: the image stays in the input price, the split marked estimated")
  func mistralNoRule() async throws {
    let cost = try await Self.cost(
      .mistral, "mistral-small-latest", ModelPricing(inputPerMillion: 0.1, outputPerMillion: 0.3),
      answer: Self.openAIAnswer(prompt: 900, completion: 4, details: "null"),
      request: Self.imageRequest("mistral-small-latest", width: 1024, height: 1024))
    #expect(cost.media?.imageTokens == 0 && cost.media?.estimated == true && cost.image == 0)
    #expect(abs(cost.input - 900 * 0.1 / 1e6) < 1e-12)
  }

  static func transcription(_ model: String, seconds: Double?) -> CompletionRequest {
    var request = CompletionRequest(
      model: model,
      messages: [
        Message(
          role: .user, content: [.audio(AudioContent(data: wav, format: .wav, durationSeconds: seconds))])
      ])
    request.task = .transcription
    return request
  }

  @Test("whisper-1 answers usage {type: duration, seconds}: priced by the minute")
  func whisperPerMinute() async throws {
    let cost = try await Self.cost(
      .openAI, "whisper-1", ModelPricing(inputPerMillion: 0, outputPerMillion: 0, audioPerMinute: 0.006),
      answer: #"{"text":"Hello.","usage":{"type":"duration","seconds":12}}"#,
      request: Self.transcription("whisper-1", seconds: 11.8))
    #expect(cost.media?.audioSeconds == 12, "the seconds billed, not the header's")
    #expect(abs(cost.audio - 12.0 / 60 * 0.006) < 1e-12)
    #expect(abs(cost.total - 0.0012) < 1e-12)
  }

  @Test(
    "gpt-4o-transcribe: the audio tokens of input_token_details at the audio price, the prompt at the text price"
  )
  func transcribeTokens() async throws {
    let cost = try await Self.cost(
      .openAI, "gpt-4o-transcribe",
      ModelPricing(inputPerMillion: 2.5, outputPerMillion: 10, audioInputPerMillion: 6),
      answer:
        #"{"text":"Hello.","usage":{"type":"tokens","input_tokens":20,"input_token_details":{"text_tokens":6,"audio_tokens":14},"output_tokens":5,"total_tokens":25}}"#,
      request: Self.transcription("gpt-4o-transcribe", seconds: 1.4))
    #expect(cost.media == MediaUsage(imageTokens: 0, audioTokens: 14, audioSeconds: 1.4, estimated: false))
    #expect(abs(cost.audio - 14 * 6 / 1e6) < 1e-12)
    #expect(abs(cost.input - 6 * 2.5 / 1e6) < 1e-12)
    #expect(abs(cost.output - 5 * 10 / 1e6) < 1e-12)
  }
}
