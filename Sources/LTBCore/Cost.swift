/// What one request cost, in US dollars, from the model catalogue's prices.
public struct Cost: Sendable, Hashable, Codable {
  /// Cost of the uncached input tokens.
  public var input: Double
  /// Cost of the cached input tokens.
  public var cachedInput: Double
  /// Cost of the output tokens.
  public var output: Double
  /// Cost of the input tokens that were images (not in `input`).
  public var image: Double
  /// Cost of the audio sent: its input tokens, or its length where the model is priced by the
  /// minute (not in `input`).
  public var audio: Double
  /// What the images and audio amounted to, for a request that carried any.
  public var media: MediaUsage?

  /// Creates a cost record.
  public init(
    input: Double, cachedInput: Double = 0, output: Double, image: Double = 0, audio: Double = 0,
    media: MediaUsage? = nil
  ) {
    self.input = input
    self.cachedInput = cachedInput
    self.output = output
    self.image = image
    self.audio = audio
    self.media = media
  }

  /// The whole cost.
  public var total: Double { input + cachedInput + output + image + audio }

  /// Reads a cost; one written before images and audio were priced apart has neither.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    input = try container.decode(Double.self, forKey: .input)
    cachedInput = try container.decodeIfPresent(Double.self, forKey: .cachedInput) ?? 0
    output = try container.decode(Double.self, forKey: .output)
    image = try container.decodeIfPresent(Double.self, forKey: .image) ?? 0
    audio = try container.decodeIfPresent(Double.self, forKey: .audio) ?? 0
    media = try container.decodeIfPresent(MediaUsage.self, forKey: .media)
  }

  /// No cost (local models).
  public static let zero = Cost(input: 0, output: 0)
}

/// Prices of one model, in US dollars per million tokens (audio also per minute).
public struct ModelPricing: Sendable, Hashable, Codable {
  /// Price per million input tokens.
  public var inputPerMillion: Double
  /// Price per million output tokens.
  public var outputPerMillion: Double
  /// Price per million cached input tokens, where the vendor has one.
  public var cachedInputPerMillion: Double?
  /// Price per million input tokens that are images, where it differs from `inputPerMillion`.
  public var imageInputPerMillion: Double?
  /// Price per million input tokens that are audio, where it differs from `inputPerMillion`.
  public var audioInputPerMillion: Double?
  /// Price per minute of audio sent, for models priced by length (whisper-1); it replaces the
  /// audio tokens' price.
  public var audioPerMinute: Double?
  /// How the vendor counts an image in tokens for this model, where it differs from the
  /// protocol's published rule (``ImageTokenRule/vendorDefault(_:)``).
  public var imageTokens: ImageTokenRule?

  /// Creates a price list.
  public init(
    inputPerMillion: Double, outputPerMillion: Double, cachedInputPerMillion: Double? = nil,
    imageInputPerMillion: Double? = nil, audioInputPerMillion: Double? = nil, audioPerMinute: Double? = nil,
    imageTokens: ImageTokenRule? = nil
  ) {
    self.inputPerMillion = inputPerMillion
    self.outputPerMillion = outputPerMillion
    self.cachedInputPerMillion = cachedInputPerMillion
    self.imageInputPerMillion = imageInputPerMillion
    self.audioInputPerMillion = audioInputPerMillion
    self.audioPerMinute = audioPerMinute
    self.imageTokens = imageTokens
  }

  /// The cost of `usage` at these prices; cached input falls back to the input price. With
  /// `media`, its image and audio tokens are taken out of the uncached input (never more than
  /// it holds) and priced at the image and audio prices (each falling back to the input price),
  /// or the audio at its length where the model is priced by the minute.
  public func cost(of usage: Usage, media: MediaUsage? = nil) -> Cost {
    let cached = min(usage.cachedInputTokens, usage.inputTokens)
    var uncached = usage.inputTokens - cached
    let imageTokens = min(max(0, media?.imageTokens ?? 0), uncached)
    uncached -= imageTokens
    let audioTokens = min(max(0, media?.audioTokens ?? 0), uncached)
    uncached -= audioTokens
    let audio: Double =
      if let audioPerMinute, let seconds = media?.audioSeconds {
        seconds / 60 * audioPerMinute
      } else {
        Double(audioTokens) * (audioInputPerMillion ?? inputPerMillion) / 1_000_000
      }
    return Cost(
      input: Double(uncached) * inputPerMillion / 1_000_000,
      cachedInput: Double(cached) * (cachedInputPerMillion ?? inputPerMillion) / 1_000_000,
      output: Double(usage.outputTokens) * outputPerMillion / 1_000_000,
      image: Double(imageTokens) * (imageInputPerMillion ?? inputPerMillion) / 1_000_000,
      audio: audio, media: media
    )
  }
}
