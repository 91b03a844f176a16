public import LTBCore

/// The image and audio formats a case may attach, recognised from their bytes.
public enum MediaFormat: String, Sendable, Hashable, Codable, CaseIterable {
  case png, jpeg, webp, gif
  case wav, mp3, flac, ogg

  /// Image or audio.
  public var kind: Attachment.Kind {
    switch self {
    case .png, .jpeg, .webp, .gif: .image
    case .wav, .mp3, .flac, .ogg: .audio
    }
  }

  /// The MIME type vendors are told.
  public var mediaType: String {
    switch self {
    case .png: "image/png"
    case .jpeg: "image/jpeg"
    case .webp: "image/webp"
    case .gif: "image/gif"
    case .wav: "audio/wav"
    case .mp3: "audio/mpeg"
    case .flac: "audio/flac"
    case .ogg: "audio/ogg"
    }
  }

  /// The audio container, for an audio format.
  public var audioFormat: AudioFormat? { AudioFormat(rawValue: rawValue) }

  /// The formats of one kind, for error messages.
  public static func names(of kind: Attachment.Kind) -> String {
    allCases.filter { $0.kind == kind }.map { $0.rawValue.uppercased() }.joined(separator: ", ")
  }
}
