import AsyncHTTPClient
import Crypto
public import Foundation
public import LTBCore
import NIOCore
import NIOHTTP1

/// Turns a case's attachment into the content part sent: a file is read, a `data:` URL decoded,
/// audio at an http(s) URL downloaded (vendors take audio only as bytes), and the bytes'
/// format recognised from the bytes themselves (``MediaInspector``), never from a file name. An
/// image at an http(s) URL is passed on as the URL (every vendor that takes images fetches
/// them). Anything over ``maximumBytes`` is refused with its size and the limit.
public struct MediaLoader: Sendable {
  /// The most bytes one attachment may have (20 MB, OpenAI's per-image limit, by default).
  public var maximumBytes: Int
  /// How many seconds a download may take.
  public var downloadTimeoutSeconds: Int

  /// Creates a loader.
  public init(maximumBytes: Int = 20 * 1_024 * 1_024, downloadTimeoutSeconds: Int = 30) {
    self.maximumBytes = maximumBytes
    self.downloadTimeoutSeconds = downloadTimeoutSeconds
  }

  /// The content part for `attachment`, and the record of what is sent (``MediaInput``: its
  /// source, format, size, SHA-256 and what its headers say; only the source for an image
  /// passed on as a URL). An image over `limits` (for a request of `images` images to `vendor`)
  /// is shrunk with libvips, or refused with the limit when libvips is not installed.
  public func load(
    _ attachment: Attachment, limits: MediaLimits = .none, images: Int = 1, vendor: String = "the vendor"
  ) async throws(LTBError) -> (part: ContentPart, record: MediaInput) {
    let location = attachment.location
    let remote = location.hasPrefix("http://") || location.hasPrefix("https://")
    if remote, attachment.kind == .image {
      return (
        .image(ImageContent(source: .url(location), detail: attachment.detail)),
        MediaInput(kind: .image, source: .url, location: location)
      )
    }
    var data: Data
    let name: String
    let source: MediaInput.Source
    if remote {
      data = try await download(location)
      (name, source) = (location, .url)
    } else if location.hasPrefix("data:") {
      data = try Self.decodeDataURL(location, limit: maximumBytes)
      (name, source) = ("the \(attachment.kind.rawValue) given as base64", .base64)
    } else {
      data = try read(location)
      (name, source) = (location, .file)
    }
    var properties = try MediaInspector.inspect(data, expecting: attachment.kind, name: name)
    var original: MediaInput.Original?
    if attachment.kind == .image, let width = properties.width, let height = properties.height {
      let edgeLimit = limits.edge(forImages: images)
      let overEdge = edgeLimit.map { max(width, height) > $0 } ?? false
      let overBytes = limits.maxImageBytes.map { data.count > $0 } ?? false
      if overEdge || overBytes {
        let limit = [
          overEdge ? edgeLimit.map { "\($0) px on the longer side" } : nil,
          overBytes ? limits.maxImageBytes.map { "\($0) bytes" } : nil,
        ].compactMap { $0 }.joined(separator: " and ")
        if let missing = ImageShrinker.unavailability {
          throw LTBError(
            .invalidInput,
            "\(name) is \(width)×\(height) px and \(data.count) bytes, over \(vendor)'s limit of \(limit), and it cannot be shrunk here: \(missing)",
            fix:
              "install libvips42 (apt-get install libvips42) for ltb to shrink it, or shrink it yourself (convert in.png -resize \(edgeLimit ?? 2_000)x\(edgeLimit ?? 2_000) out.png)"
          )
        }
        let shrunk = try ImageShrinker.shrink(
          data, format: properties.format, edge: max(width, height), maxEdge: edgeLimit,
          maxBytes: limits.maxImageBytes)
        original = MediaInput.Original(
          format: properties.format.rawValue, width: width, height: height, sizeBytes: data.count)
        data = shrunk.data
        properties = MediaInspector.Properties(
          format: shrunk.format, width: shrunk.width, height: shrunk.height)
      }
    }
    let record = MediaInput(
      kind: attachment.kind, source: source, location: source == .base64 ? nil : location,
      format: properties.format.rawValue, sizeBytes: data.count,
      sha256: SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined(), width: properties.width,
      height: properties.height, durationSeconds: properties.durationSeconds,
      sampleRate: properties.sampleRate, channels: properties.channels, downscaledFrom: original)
    switch attachment.kind {
    case .image:
      let source = ImageContent.Source.inline(data: data, mediaType: properties.format.mediaType)
      let image = ImageContent(
        source: source, detail: attachment.detail, width: properties.width, height: properties.height)
      return (.image(image), record)
    case .audio:
      // `inspect` refused anything not audio, so the format has an audio container.
      let format = properties.format.audioFormat ?? .wav
      return (
        .audio(AudioContent(data: data, format: format, durationSeconds: properties.durationSeconds)), record
      )
    }
  }

  /// The bytes of a `data:[media type][;base64],payload` URL.
  public static func decodeDataURL(_ url: String, limit: Int) throws(LTBError) -> Data {
    guard let comma = url.firstIndex(of: ",") else {
      throw LTBError(
        .invalidInput, "a data URL needs a comma before its payload: \(url.prefix(40))…",
        fix: "write data:image/png;base64,<the bytes in base64>")
    }
    let header = url[url.index(url.startIndex, offsetBy: 5)..<comma]
    let payload = url[url.index(after: comma)...]
    guard header.hasSuffix(";base64") else {
      throw LTBError(
        .invalidInput, "a data URL for media must be base64 (its header is 'data:\(header)')",
        fix: "encode the bytes in base64 and write data:<type>;base64,<payload>")
    }
    // Base64 is 4 characters for 3 bytes.
    guard payload.utf8.count / 4 * 3 <= limit else {
      throw LTBError(
        .invalidInput,
        "the base64 media holds about \(payload.utf8.count / 4 * 3) bytes, over the \(limit)-byte limit",
        fix: "send a smaller file, or raise the limit")
    }
    guard let data = Data(base64Encoded: String(payload), options: .ignoreUnknownCharacters), !data.isEmpty
    else {
      throw LTBError(
        .invalidInput, "the base64 media is not valid base64 (\(payload.prefix(24))…)",
        fix: "encode the file with `base64 -w0 FILE`")
    }
    return data
  }

  private func read(_ path: String) throws(LTBError) -> Data {
    let attributes = try? FileManager.default.attributesOfItem(atPath: path)
    guard let size = (attributes?[.size] as? NSNumber)?.intValue else {
      throw LTBError(
        .invalidInput, "cannot read the attachment \(path)", fix: "check that the file exists and is readable"
      )
    }
    guard size <= maximumBytes else {
      throw LTBError(
        .invalidInput, "the attachment \(path) has \(size) bytes, over the \(maximumBytes)-byte limit",
        fix: "send a smaller file (downscale the image, or cut the audio)")
    }
    guard let data = FileManager.default.contents(atPath: path) else {
      throw LTBError(
        .invalidInput, "cannot read the attachment \(path)", fix: "check that the file exists and is readable"
      )
    }
    return data
  }

  private func download(_ url: String) async throws(LTBError) -> Data {
    do {
      let response = try await HTTPClient.shared.execute(
        HTTPClientRequest(url: url), timeout: .seconds(Int64(downloadTimeoutSeconds)))
      guard (200..<300).contains(response.status.code) else {
        throw LTBError(
          .network, "downloading \(url) answered \(response.status.code)",
          fix: "check that the URL serves the file, or give a local path")
      }
      if let length = response.headers.first(name: "content-length").flatMap(Int.init), length > maximumBytes
      {
        throw LTBError(
          .invalidInput, "\(url) has \(length) bytes, over the \(maximumBytes)-byte limit",
          fix: "send a smaller file")
      }
      do {
        return Data(try await response.body.collect(upTo: maximumBytes).readableBytesView)
      } catch is NIOTooManyBytesError {
        throw LTBError(
          .invalidInput, "\(url) sends more than the \(maximumBytes)-byte limit", fix: "send a smaller file")
      }
    } catch let error as LTBError {
      throw error
    } catch {
      throw LTBError(
        .network, "cannot download \(url): \(error)",
        fix: "check the URL and the network, or give a local path")
    }
  }
}
