import ArgumentParser
import Foundation
import LTBConfig
import LTBCore
import LTBMedia
import LTBProviders

/// `ltb test PROVIDER -p PROMPT [--image F] [--audio F]`: one request, the answer on stdout, its
/// timing, tokens and cost after (images and audio priced apart).
struct TestCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "test",
    abstract: "Send one prompt to a provider and show the answer with TTFT, latency, tokens and cost.")

  @OptionGroup var global: GlobalOptions
  @Argument(help: "The configured provider, e.g. llamacpp.")
  var provider: String
  @Option(name: [.short, .long], help: "The prompt.")
  var prompt: String
  @Option(name: .long, help: "The model; defaults to the provider's default_model.")
  var model: String?
  @Option(name: .long, help: "A system prompt.")
  var system: String?
  @Flag(name: .long, help: "Stream the answer (measures TTFT and inter-token latency).")
  var stream = false
  @Option(name: .long, help: "Sampling temperature.")
  var temperature: Double?
  @Option(name: .long, help: "Most tokens to generate.")
  var maxTokens: Int?
  @Option(name: .long, help: "Ask for token logprobs with this many alternatives (0 = chosen token only).")
  var logprobs: Int?
  @Option(
    name: .long, help: "An image to send with the prompt: a file, an http(s) URL or a data: URL (repeatable)."
  )
  var image: [String] = []
  @Option(
    name: .long, help: "The detail asked of the images (low, high, auto), for the vendors that take one.")
  var detail: String?
  @Option(
    name: .long, help: "Audio to send with the prompt: a file, an http(s) URL or a data: URL (repeatable).")
  var audio: [String] = []
  @Flag(
    name: .long,
    help: "Transcribe the one --audio clip (OpenAI's /audio/transcriptions); the prompt guides it.")
  var transcribe = false
  @Flag(name: .long, help: "Print the whole result as JSON instead of text.")
  var json = false

  func validate() throws {
    if let temperature, !(0...2).contains(temperature) {
      throw ValidationError("--temperature must be between 0 and 2")
    }
    if let maxTokens, maxTokens < 1 { throw ValidationError("--max-tokens must be at least 1") }
    if let detail, !["low", "high", "auto"].contains(detail) {
      throw ValidationError("--detail must be low, high or auto")
    }
    if transcribe, audio.count != 1 || !image.isEmpty {
      throw ValidationError("--transcribe takes exactly one --audio clip and no --image")
    }
  }

  func run() async throws {
    let configuration = try global.loadConfiguration()
    let settings = try configuration.provider(provider)
    let client = try ProviderRegistry.makeProvider(settings, catalog: configuration.catalog)
    try client.validateConfig()
    let attachments =
      image.map { Attachment(kind: .image, location: $0, detail: detail) }
      + audio.map { Attachment(kind: .audio, location: $0) }
    var parts: [ContentPart] = [.text(prompt)]
    for attachment in attachments {
      parts.append(
        try await MediaLoader().load(
          attachment, limits: MediaLimits.vendor(client.kind), images: image.count,
          vendor: "provider '\(provider)' (\(client.kind.rawValue))"
        ).part)
    }
    var request = CompletionRequest(
      model: model, system: system, messages: [Message(role: .user, content: parts)],
      parameters: SamplingParameters(temperature: temperature, maxTokens: maxTokens), logprobs: logprobs)
    if transcribe { request.task = .transcription }
    let printLive = stream && !json
    let response: CompletionResponse
    do {
      response = try await client.completeMultimodal(
        request,
        options: RequestOptions(stream: stream) { timed in
          guard printLive else { return }
          if case .text(let delta) = timed.event {
            FileHandle.standardOutput.write(Data(delta.utf8))
          }
        })
    } catch {
      await client.shutdown()
      throw error
    }
    await client.shutdown()
    if json {
      print(try ResponseReport(response).jsonText())
      return
    }
    if printLive { print("") } else { print(response.text) }
    print(ResponseReport(response).summaryLines().joined(separator: "\n"))
  }
}

/// What `ltb test` reports about one response.
struct ResponseReport: Encodable {
  var provider: String
  var model: String
  var text: String
  var finishReason: String?
  var streamed: Bool
  var attempts: Int
  var timeToFirstTokenMs: Double?
  var endToEndLatencyMs: Double?
  var totalMs: Double
  var timePerOutputTokenMs: Double?
  var interTokenLatencyMeanMs: Double?
  var contentEvents: Int
  var inputTokens: Int
  var outputTokens: Int
  var cachedInputTokens: Int
  var usageSource: String
  var costUSD: Double?
  var cost: Cost?
  var serverTimings: ServerTimings?
  var logprobs: [TokenLogprob]?

  init(_ response: CompletionResponse) {
    let timing = response.timing
    provider = response.provider
    model = response.model
    text = response.text
    finishReason = response.finishReason?.rawValue
    streamed = response.streamed
    attempts = response.attempts
    timeToFirstTokenMs = timing.timeToFirstToken?.milliseconds
    endToEndLatencyMs = timing.endToEndLatency?.milliseconds
    totalMs = timing.totalDuration.milliseconds
    timePerOutputTokenMs = timing.timePerOutputToken(outputTokens: response.usage.outputTokens)?.milliseconds
    let gaps = timing.interTokenLatencies.map(\.milliseconds)
    interTokenLatencyMeanMs = gaps.isEmpty ? nil : gaps.reduce(0, +) / Double(gaps.count)
    contentEvents = timing.contentEventOffsetsNanos.count
    inputTokens = response.usage.inputTokens
    outputTokens = response.usage.outputTokens
    cachedInputTokens = response.usage.cachedInputTokens
    usageSource = response.usage.source.rawValue
    costUSD = response.cost?.total
    cost = response.cost
    serverTimings = response.serverTimings
    logprobs = response.logprobs
  }

  func jsonText() throws -> String {
    let encoder = JSONEncoder()
    encoder.keyEncodingStrategy = .convertToSnakeCase
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(self), as: UTF8.self)
  }

  func summaryLines() -> [String] {
    var timing: [String] = []
    if let ttft = timeToFirstTokenMs { timing.append("TTFT \(Console.milliseconds(ttft))") }
    if let e2e = endToEndLatencyMs { timing.append("latency \(Console.milliseconds(e2e))") }
    timing.append("total \(Console.milliseconds(totalMs))")
    if let tpot = timePerOutputTokenMs { timing.append("TPOT \(Console.milliseconds(tpot))") }
    if let itl = interTokenLatencyMeanMs { timing.append("mean ITL \(Console.milliseconds(itl))") }
    var lines = [
      "---", "\(provider) \(model)\(streamed ? " (streamed)" : "")  " + timing.joined(separator: "  "),
    ]
    let usageLabel = usageSource == "reported" ? "" : " (\(usageSource))"
    var cost = costUSD.map(Console.dollars) ?? "cost unknown (model not in the catalogue)"
    if let parts = self.cost, let media = parts.media {
      cost +=
        " (images \(Console.dollars(parts.image)) for \(media.imageTokens) tokens, audio \(Console.dollars(parts.audio))"
        + (media.audioSeconds.map { String(format: " for %.1f s", $0) } ?? "")
        + (media.estimated ? ", split estimated from the vendor's formula)" : ")")
    }
    lines.append(
      "tokens \(inputTokens) in / \(outputTokens) out\(usageLabel)  \(cost)  finish \(finishReason ?? "-")\(attempts > 1 ? "  attempts \(attempts)" : "")"
    )
    if let server = serverTimings {
      var parts: [String] = []
      if let ms = server.promptMilliseconds { parts.append("prompt \(Console.milliseconds(ms))") }
      if let ms = server.generationMilliseconds { parts.append("generation \(Console.milliseconds(ms))") }
      if let rate = server.generatedTokensPerSecond { parts.append(String(format: "%.1f tok/s", rate)) }
      lines.append("server (\(server.source)): " + parts.joined(separator: "  "))
    }
    return lines
  }
}
