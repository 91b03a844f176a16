/// What a request's images and audio amounted to in its bill: the input tokens that were
/// images and audio, and how long the audio ran. Counts the vendor reported are taken as they
/// are; the rest come from the vendor's published formula (``ImageTokenRule``, tokens per
/// second of audio), and `estimated` says so.
public struct MediaUsage: Sendable, Hashable, Codable {
  /// Input tokens that were images.
  public var imageTokens: Int
  /// Input tokens that were audio.
  public var audioTokens: Int
  /// Seconds of audio sent, when its headers or the vendor said.
  public var audioSeconds: Double?
  /// Whether a count came from a formula rather than from the vendor's report.
  public var estimated: Bool

  /// Creates a record.
  public init(imageTokens: Int, audioTokens: Int, audioSeconds: Double? = nil, estimated: Bool) {
    self.imageTokens = imageTokens
    self.audioTokens = audioTokens
    self.audioSeconds = audioSeconds
    self.estimated = estimated
  }

  /// What the images and audio of `request` amount to: the vendor's `reported` split where it
  /// gave one, else `rule` for each image whose size is known and `audioTokensPerSecond` for
  /// each clip whose length is known. `nil` for a request without images or audio.
  public static func measure(
    _ request: CompletionRequest, reported: Usage?, rule: ImageTokenRule?, audioTokensPerSecond: Double?
  ) -> MediaUsage? {
    var images: [ImageContent] = []
    var clips: [AudioContent] = []
    for message in request.messages {
      for part in message.content {
        switch part {
        case .image(let image): images.append(image)
        case .audio(let clip): clips.append(clip)
        case .text: break
        }
      }
    }
    guard !images.isEmpty || !clips.isEmpty else { return nil }
    var estimated = false
    var imageTokens = reported?.imageTokens
    if imageTokens == nil, !images.isEmpty {
      estimated = true
      imageTokens = images.reduce(0) { sum, image in
        guard let rule, let width = image.width, let height = image.height else { return sum }
        return sum + rule.tokens(width: width, height: height, detail: image.detail)
      }
    }
    let lengths = clips.compactMap(\.durationSeconds)
    let headerSeconds = lengths.count == clips.count && !clips.isEmpty ? lengths.reduce(0, +) : nil
    var audioTokens = reported?.audioTokens
    if audioTokens == nil, !clips.isEmpty {
      estimated = true
      audioTokens = Int(((headerSeconds ?? 0) * (audioTokensPerSecond ?? 0)).rounded(.up))
    }
    return MediaUsage(
      imageTokens: imageTokens ?? 0, audioTokens: audioTokens ?? 0,
      audioSeconds: reported?.audioSeconds ?? headerSeconds, estimated: estimated)
  }
}
