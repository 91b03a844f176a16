/// What was sent of one image or piece of audio, stored with the result (the spec's
/// `multi_modal_inputs`): where it came from, its format, size, hash and dimensions or duration;
/// never the bytes. An image passed on as a URL was not fetched here (the vendor fetches it), so
/// only its kind, source and location are known.
public struct MediaInput: Sendable, Hashable, Codable {
  /// How a case gave a piece of media.
  public enum Source: String, Sendable, Hashable, Codable {
    /// A file path (relative to the dataset, or absolute).
    case file
    /// An http(s) URL.
    case url
    /// A `data:` URL or a `base64` field.
    case base64
  }

  /// Image or audio.
  public var kind: Attachment.Kind
  /// How the case gave it.
  public var source: Source
  /// The file path or URL it was given by (nil for base64).
  public var location: String?
  /// The format recognised from the bytes (`png`, `jpeg`, `webp`, `gif`, `wav`, `mp3`, `flac`,
  /// `ogg`); nil for an image passed on as a URL.
  public var format: String?
  /// Bytes sent; nil for an image passed on as a URL.
  public var sizeBytes: Int?
  /// SHA-256 of the bytes sent, lowercase hex; nil for an image passed on as a URL.
  public var sha256: String?
  /// Width in pixels (images, when the headers say).
  public var width: Int?
  /// Height in pixels (images, when the headers say).
  public var height: Int?
  /// Length in seconds (audio, when the headers say).
  public var durationSeconds: Double?
  /// Samples per second (audio).
  public var sampleRate: Int?
  /// Channels (audio).
  public var channels: Int?
  /// The image as the case gave it, when it was shrunk to fit the vendor's limits (the fields
  /// above describe what was sent).
  public var downscaledFrom: Original?

  /// An image as the case gave it, before it was shrunk.
  public struct Original: Sendable, Hashable, Codable {
    /// Its format.
    public var format: String
    /// Width in pixels.
    public var width: Int
    /// Height in pixels.
    public var height: Int
    /// Bytes.
    public var sizeBytes: Int

    /// Creates the record.
    public init(format: String, width: Int, height: Int, sizeBytes: Int) {
      self.format = format
      self.width = width
      self.height = height
      self.sizeBytes = sizeBytes
    }
  }

  /// Creates a record.
  public init(
    kind: Attachment.Kind, source: Source, location: String? = nil, format: String? = nil,
    sizeBytes: Int? = nil, sha256: String? = nil, width: Int? = nil, height: Int? = nil,
    durationSeconds: Double? = nil, sampleRate: Int? = nil, channels: Int? = nil,
    downscaledFrom: Original? = nil
  ) {
    self.kind = kind
    self.source = source
    self.location = location
    self.format = format
    self.sizeBytes = sizeBytes
    self.sha256 = sha256
    self.width = width
    self.height = height
    self.durationSeconds = durationSeconds
    self.sampleRate = sampleRate
    self.channels = channels
    self.downscaledFrom = downscaledFrom
  }
}
