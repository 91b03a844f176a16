import Foundation
import LTBCore
import Testing

/// The vendors' published image formulas, checked against the worked examples in their
/// documentation, and the cost split that uses them.
@Suite("Image tokens and media pricing")
struct ImageTokenRuleTests {
  @Test("OpenAI tiles: 1024² high is 765, 2048×4096 is 1105, low detail is the base, a small image one tile")
  func tiles() {
    let rule = ImageTokenRule.tiles(base: 85, tile: 170)
    #expect(rule.tokens(width: 1024, height: 1024, detail: "high") == 765)
    #expect(rule.tokens(width: 2048, height: 4096) == 1105)
    #expect(rule.tokens(width: 4096, height: 8192, detail: "auto") == 1105, "fitted inside 2048² first")
    #expect(rule.tokens(width: 4096, height: 4096, detail: "low") == 85)
    #expect(rule.tokens(width: 128, height: 64) == 255, "never scaled up")
    #expect(ImageTokenRule.tiles(base: 2833, tile: 5667).tokens(width: 1024, height: 1024) == 2833 + 4 * 5667)
  }

  @Test("OpenAI patches: 1024² is 1024 patches, 1800×2400 shrinks to 1452, times the multiplier")
  func patches() {
    #expect(ImageTokenRule.patches(multiplier: 1).tokens(width: 1024, height: 1024) == 1024)
    #expect(ImageTokenRule.patches(multiplier: 1).tokens(width: 1800, height: 2400) == 1452)
    #expect(ImageTokenRule.patches(multiplier: 1.62).tokens(width: 1024, height: 1024) == 1658)
    #expect(ImageTokenRule.patches(multiplier: 1).tokens(width: 100, height: 33) == 8, "4 × 2 patches")
    #expect(ImageTokenRule.patches(multiplier: 1).tokens(width: 10_000, height: 10_000) <= 1536)
  }

  @Test("Anthropic pixels: width × height / 750 after shrinking to 1568 px and 1.2 MP")
  func pixels() {
    let rule = ImageTokenRule.pixels(pixelsPerToken: 750)
    #expect(rule.tokens(width: 1000, height: 1000) == 1334)
    #expect(rule.tokens(width: 200, height: 200) == 54)
    #expect(rule.tokens(width: 3000, height: 2000) <= 1600)
    #expect(rule.tokens(width: 8000, height: 100) == Int((1568.0 * 19 / 750).rounded(.up)))
  }

  @Test("Gemini: 258 for sides ≤ 384 px, else 258 per 768 px tile")
  func gemini() {
    let rule = ImageTokenRule.geminiTiles(perTile: 258)
    #expect(rule.tokens(width: 384, height: 384) == 258)
    #expect(rule.tokens(width: 1000, height: 500) == 516)
    #expect(rule.tokens(width: 1536, height: 1537) == 258 * 6)
  }

  @Test("catalogue text reads back; anything else is refused")
  func catalogText() {
    for rule in [
      ImageTokenRule.tiles(base: 85, tile: 170), .patches(multiplier: 1.62), .pixels(pixelsPerToken: 750),
      .geminiTiles(perTile: 258),
    ] {
      #expect(ImageTokenRule(catalogText: rule.catalogText) == rule, "\(rule.catalogText)")
    }
    for text in [
      "tiles:85", "tiles:85:0", "patches:-1", "patches:nan", "pixels:0", "gemini", "", "tiles:a:b",
    ] {
      #expect(ImageTokenRule(catalogText: text) == nil, "\(text)")
    }
  }

  @Test("the cost takes image and audio tokens out of the uncached input, never more than it holds")
  func split() {
    let pricing = ModelPricing(
      inputPerMillion: 2, outputPerMillion: 8, cachedInputPerMillion: 1, imageInputPerMillion: 3,
      audioInputPerMillion: 40)
    let usage = Usage(inputTokens: 1000, outputTokens: 10, cachedInputTokens: 100)
    let cost = pricing.cost(
      of: usage, media: MediaUsage(imageTokens: 500, audioTokens: 300, audioSeconds: 30, estimated: false))
    #expect(abs(cost.cachedInput - 100e-6) < 1e-15)
    #expect(abs(cost.image - 1500e-6) < 1e-15)
    #expect(abs(cost.audio - 12_000e-6) < 1e-15)
    #expect(abs(cost.input - 200e-6) < 1e-15)
    #expect(abs(cost.total - (100 + 1500 + 12_000 + 200 + 80) * 1e-6) < 1e-15)
    let over = pricing.cost(
      of: Usage(inputTokens: 400, outputTokens: 0),
      media: MediaUsage(imageTokens: 300, audioTokens: 300, estimated: true))
    #expect(over.input == 0 && abs(over.image - 900e-6) < 1e-15 && abs(over.audio - 4000e-6) < 1e-15)
    let whisper = ModelPricing(inputPerMillion: 0, outputPerMillion: 0, audioPerMinute: 0.006)
    let perMinute = whisper.cost(
      of: Usage(inputTokens: 0, outputTokens: 0),
      media: MediaUsage(imageTokens: 0, audioTokens: 0, audioSeconds: 90, estimated: false))
    #expect(abs(perMinute.audio - 0.009) < 1e-15 && abs(perMinute.total - 0.009) < 1e-15)
    #expect(pricing.cost(of: usage) == pricing.cost(of: usage, media: nil))
    #expect(pricing.cost(of: usage).media == nil && pricing.cost(of: usage).image == 0)
  }

  @Test(
    "measure: the vendor's split wins; otherwise each image's rule and each clip's length, marked estimated")
  func measure() {
    let image = ImageContent(source: .url("https://example.org/a.png"), width: 1024, height: 1024)
    let unsized = ImageContent(source: .url("https://example.org/b.png"))
    let clip = AudioContent(data: Data([1]), format: .wav, durationSeconds: 2.5)
    let request = CompletionRequest(
      messages: [Message(role: .user, content: [.text("hi"), .image(image), .image(unsized), .audio(clip)])])
    let rule = ImageTokenRule.tiles(base: 85, tile: 170)
    let estimated = MediaUsage.measure(request, reported: nil, rule: rule, audioTokensPerSecond: 10)
    #expect(estimated == MediaUsage(imageTokens: 765, audioTokens: 25, audioSeconds: 2.5, estimated: true))
    var reported = Usage(inputTokens: 900, outputTokens: 1)
    reported.imageTokens = 800
    reported.audioTokens = 30
    #expect(
      MediaUsage.measure(request, reported: reported, rule: rule, audioTokensPerSecond: 10)
        == MediaUsage(imageTokens: 800, audioTokens: 30, audioSeconds: 2.5, estimated: false))
    #expect(
      MediaUsage.measure(
        CompletionRequest(prompt: "text only"), reported: reported, rule: rule, audioTokensPerSecond: 10)
        == nil)
  }
}
