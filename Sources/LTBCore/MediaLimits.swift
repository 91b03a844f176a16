/// What a vendor accepts of images in one request, checked before sending: an image over a limit
/// is shrunk (``maxImageBytes``, ``maxImageEdge``) or, when it cannot be, refused with the limit;
/// too many images are refused. `nil` means the vendor sets no limit ltb knows of.
public struct MediaLimits: Sendable, Hashable {
  /// The most bytes one image may have.
  public var maxImageBytes: Int?
  /// The most pixels on an image's longer side.
  public var maxImageEdge: Int?
  /// The most images one request may carry.
  public var maxImages: Int?
  /// Past this many images in one request, ``manyImagesEdge`` replaces ``maxImageEdge``.
  public var manyImagesAfter: Int?
  /// The longer side's limit for requests with more than ``manyImagesAfter`` images.
  public var manyImagesEdge: Int?

  /// Creates limits.
  public init(
    maxImageBytes: Int? = nil, maxImageEdge: Int? = nil, maxImages: Int? = nil, manyImagesAfter: Int? = nil,
    manyImagesEdge: Int? = nil
  ) {
    self.maxImageBytes = maxImageBytes
    self.maxImageEdge = maxImageEdge
    self.maxImages = maxImages
    self.manyImagesAfter = manyImagesAfter
    self.manyImagesEdge = manyImagesEdge
  }

  /// No limit beyond the loader's own.
  public static let none = MediaLimits()

  /// The limits a vendor documents for its protocol: Anthropic 5 MB and 8000 px per image (2000
  /// px when a request carries more than 20), 100 images; OpenAI 20 MB per image, 500 images;
  /// Gemini 20 MB of inline data per request, taken here per image. The others document none.
  public static func vendor(_ kind: ProviderKind) -> MediaLimits {
    switch kind {
    case .anthropic:
      MediaLimits(
        maxImageBytes: 5 * 1_024 * 1_024, maxImageEdge: 8_000, maxImages: 100, manyImagesAfter: 20,
        manyImagesEdge: 2_000)
    case .openai: MediaLimits(maxImageBytes: 20 * 1_024 * 1_024, maxImages: 500)
    case .gemini: MediaLimits(maxImageBytes: 20 * 1_024 * 1_024)
    default: .none
    }
  }

  /// The longer side's limit for a request carrying `images` images.
  public func edge(forImages images: Int) -> Int? {
    if let after = manyImagesAfter, images > after, let many = manyImagesEdge {
      return min(many, maxImageEdge ?? many)
    }
    return maxImageEdge
  }
}
