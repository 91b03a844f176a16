import CVipsLoader
public import Foundation
public import LTBCore

/// Shrinks an image to fit a vendor's limits with libvips (Debian's `libvips42`), loaded when
/// first needed: the longer side to `maxEdge`, then, while the bytes are over `maxBytes`, smaller
/// again in proportion. A PNG stays a PNG unless only a JPEG fits the bytes; other formats become
/// JPEG (quality 85). Without libvips an image over a limit is refused by ``MediaLoader``.
public enum ImageShrinker {
  /// An image as shrunk.
  public struct Shrunk: Sendable, Hashable {
    /// Its bytes.
    public var data: Data
    /// Its format.
    public var format: MediaFormat
    /// Width in pixels.
    public var width: Int
    /// Height in pixels.
    public var height: Int
  }

  /// Why libvips cannot be used here, or nil when it can.
  public static var unavailability: String? {
    var error: UnsafePointer<CChar>?
    return ltb_vips_load(&error) == 0 ? nil : error.map { String(cString: $0) } ?? "libvips did not load"
  }

  /// `data` (a `format` image whose longer side is `edge` pixels) shrunk to fit `maxEdge` and
  /// `maxBytes`.
  public static func shrink(_ data: Data, format: MediaFormat, edge: Int, maxEdge: Int?, maxBytes: Int?)
    throws(LTBError) -> Shrunk
  {
    var target = min(edge, maxEdge ?? edge)
    var output: MediaFormat = format == .png ? .png : .jpeg
    for _ in 0..<8 {
      let shrunk = try encode(data, edge: target, as: output)
      guard let maxBytes, shrunk.data.count > maxBytes else { return shrunk }
      if output == .png {
        output = .jpeg
        continue
      }
      // Bytes go roughly with the pixel count: scale the side by the square root, with a margin.
      target = max(
        16, Int(Double(target) * (Double(maxBytes) / Double(shrunk.data.count)).squareRoot() * 0.9))
    }
    throw LTBError(
      .invalidInput, "the image could not be shrunk under \(maxBytes ?? 0) bytes",
      fix: "send a smaller image")
  }

  private static func encode(_ data: Data, edge: Int, as format: MediaFormat) throws(LTBError) -> Shrunk {
    var out: UnsafeMutableRawPointer?
    var length = 0
    var width: Int32 = 0
    var height: Int32 = 0
    var message = [CChar](repeating: 0, count: 512)
    let suffix = format == .png ? ".png[compression=9]" : ".jpg[Q=85]"
    let status = data.withUnsafeBytes { bytes in
      ltb_vips_shrink(
        bytes.baseAddress, bytes.count, Int32(edge), suffix, &out, &length, &width, &height, &message,
        message.count)
    }
    guard status == 0, let out else {
      let reason = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
      throw LTBError(
        .invalidInput, "libvips could not shrink the image: \(reason)",
        fix: "install libvips42, or send an image within the vendor's limits")
    }
    defer { ltb_vips_free(out) }
    return Shrunk(
      data: Data(bytes: out, count: length), format: format, width: Int(width), height: Int(height))
  }
}
