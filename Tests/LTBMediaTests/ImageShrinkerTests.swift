import Foundation
import LTBCore
import LTBMedia
import Testing

/// Images over a vendor's limits, shrunk by libvips (Debian's libvips42, installed by
/// scripts/bootstrap) and checked with ImageMagick's `identify`, which decodes what was sent.
@Suite("Shrinking images to a vendor's limits")
struct ImageShrinkerTests {
  /// What `identify` says of `data`: format, width and height.
  static func identify(_ data: Data, in assets: MediaAssets) throws -> (
    format: String, width: Int, height: Int
  ) {
    let file = assets.path("identify-\(UUID().uuidString)")
    try data.write(to: URL(fileURLWithPath: file))
    let fields = try assets.run("/usr/bin/identify", ["-format", "%m %w %h", file]).split(separator: " ")
    return (String(fields[0]), Int(fields[1]) ?? 0, Int(fields[2]) ?? 0)
  }

  @Test(
    "over the longer side's limit: shrunk to it, the aspect kept, a PNG still a PNG; the original recorded")
  func edge() async throws {
    #expect(ImageShrinker.unavailability == nil, "libvips42 is installed by scripts/bootstrap")
    let assets = try MediaAssets()
    defer { assets.remove() }
    _ = try assets.run(
      "/usr/bin/convert", ["-size", "3000x2000", "gradient:red-blue", assets.path("wide.png")])
    let png = try Data(contentsOf: URL(fileURLWithPath: assets.path("wide.png")))
    let loaded = try await MediaLoader().load(
      Attachment(kind: .image, location: assets.path("wide.png")), limits: MediaLimits(maxImageEdge: 1_000),
      vendor: "provider 'small' (test)")
    guard case .image(let image) = loaded.part, case .inline(let sent, let mediaType) = image.source else {
      Issue.record("not an inline image: \(loaded.part)")
      return
    }
    let seen = try Self.identify(sent, in: assets)
    #expect(seen.format == "PNG" && seen.width == 1_000 && seen.height == 667, "\(seen)")
    #expect(mediaType == "image/png")
    #expect(
      loaded.record.width == 1_000 && loaded.record.height == 667 && loaded.record.sizeBytes == sent.count)
    #expect(
      loaded.record.downscaledFrom
        == MediaInput.Original(format: "png", width: 3_000, height: 2_000, sizeBytes: png.count))
    // Within the limit: sent as it is, nothing recorded as shrunk.
    let small = try await MediaLoader().load(
      Attachment(kind: .image, location: assets.path("wide.png")), limits: MediaLimits(maxImageEdge: 3_000))
    #expect(small.record.downscaledFrom == nil && small.record.sizeBytes == png.count)
  }

  @Test("over Anthropic's 5 MB: re-encoded as JPEG and shrunk until it fits; more than 20 images: 2000 px")
  func bytes() async throws {
    let assets = try MediaAssets()
    defer { assets.remove() }
    // Random pixels do not compress: about 6.7 MB of PNG.
    _ = try assets.run(
      "/usr/bin/convert", ["-size", "1500x1500", "xc:", "+noise", "Random", assets.path("noise.png")])
    let noise = try Data(contentsOf: URL(fileURLWithPath: assets.path("noise.png")))
    let limits = MediaLimits.vendor(.anthropic)
    #expect(noise.count > limits.maxImageBytes ?? 0)
    let loaded = try await MediaLoader().load(
      Attachment(kind: .image, location: assets.path("noise.png")), limits: limits)
    guard case .image(let image) = loaded.part, case .inline(let sent, let mediaType) = image.source else {
      Issue.record("not an inline image: \(loaded.part)")
      return
    }
    #expect(sent.count <= 5 * 1_024 * 1_024 && mediaType == "image/jpeg")
    let seen = try Self.identify(sent, in: assets)
    #expect(seen.format == "JPEG" && seen.width == seen.height && seen.width <= 1_500, "\(seen)")
    #expect(loaded.record.format == "jpeg" && loaded.record.downscaledFrom?.sizeBytes == noise.count)
    #expect(limits.edge(forImages: 20) == 8_000 && limits.edge(forImages: 21) == 2_000)
    #expect(MediaLimits.vendor(.ollama) == .none)
  }
}
