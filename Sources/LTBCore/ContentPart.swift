public import Foundation

/// One part of a message: text, an image or a piece of audio.
public enum ContentPart: Sendable, Hashable, Codable {
  case text(String)
  case image(ImageContent)
  case audio(AudioContent)

  /// The text of this part, when it is text.
  public var text: String? {
    if case .text(let value) = self { return value }
    return nil
  }

  /// The modality this part carries.
  public var modality: Modality {
    switch self {
    case .text: .text
    case .image: .image
    case .audio: .audio
    }
  }
}

/// An image given to a model, inline or by URL.
public struct ImageContent: Sendable, Hashable, Codable {
  /// Where the image bytes come from.
  public enum Source: Sendable, Hashable, Codable {
    case inline(data: Data, mediaType: String)
    case url(String)
  }

  /// Where the image bytes come from.
  public var source: Source
  /// The detail level some vendors accept (`low`, `high`, `auto`).
  public var detail: String?
  /// Width in pixels, when its headers were read (not for an image passed on as a URL).
  public var width: Int?
  /// Height in pixels, when its headers were read.
  public var height: Int?

  /// Creates an image part.
  public init(source: Source, detail: String? = nil, width: Int? = nil, height: Int? = nil) {
    self.source = source
    self.detail = detail
    self.width = width
    self.height = height
  }

  /// The image as a `data:` URL, or its URL when it is remote.
  public var urlString: String {
    switch source {
    case .inline(let data, let mediaType): "data:\(mediaType);base64,\(data.base64EncodedString())"
    case .url(let url): url
    }
  }
}

/// A piece of audio given to a model, inline.
public struct AudioContent: Sendable, Hashable, Codable {
  /// The audio bytes.
  public var data: Data
  /// The container format.
  public var format: AudioFormat
  /// Length in seconds, when its headers say.
  public var durationSeconds: Double?

  /// Creates an audio part.
  public init(data: Data, format: AudioFormat, durationSeconds: Double? = nil) {
    self.data = data
    self.format = format
    self.durationSeconds = durationSeconds
  }
}

/// Audio container formats that vendors accept.
public enum AudioFormat: String, Sendable, Hashable, Codable, CaseIterable {
  case wav, mp3, flac, ogg

  /// The MIME type of the format.
  public var mediaType: String {
    switch self {
    case .wav: "audio/wav"
    case .mp3: "audio/mpeg"
    case .flac: "audio/flac"
    case .ogg: "audio/ogg"
    }
  }
}

/// The kinds of input a model may accept.
public enum Modality: String, Sendable, Hashable, Codable, CaseIterable {
  case text, image, audio, video
}
