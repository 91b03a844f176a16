public import Foundation
public import LTBCore

/// Recognises an image's or a piece of audio's format from its bytes and reads what its headers
/// say: width and height (PNG, JPEG, WebP, GIF) or duration, sample rate and channels (WAV, MP3,
/// FLAC, Ogg Vorbis and Opus). Only headers are read; nothing is decoded.
public enum MediaInspector {
  /// What the headers of one file say.
  public struct Properties: Sendable, Hashable {
    /// The recognised format.
    public var format: MediaFormat
    /// Width in pixels (images).
    public var width: Int?
    /// Height in pixels (images).
    public var height: Int?
    /// Length in seconds (audio).
    public var durationSeconds: Double?
    /// Samples per second (audio).
    public var sampleRate: Int?
    /// Channels (audio).
    public var channels: Int?
  }

  /// The format the bytes start with, or `nil`.
  public static func format(of data: Data) -> MediaFormat? {
    let bytes = Bytes(data)
    if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
    if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { return .jpeg }
    if bytes.ascii(0, 4) == "GIF8" { return .gif }
    if bytes.ascii(0, 4) == "RIFF", bytes.ascii(8, 4) == "WEBP" { return .webp }
    if bytes.ascii(0, 4) == "RIFF", bytes.ascii(8, 4) == "WAVE" { return .wav }
    if bytes.ascii(0, 4) == "fLaC" { return .flac }
    if bytes.ascii(0, 4) == "OggS" { return .ogg }
    if bytes.ascii(0, 3) == "ID3" { return .mp3 }
    if bytes.count >= 2, bytes[0] == 0xFF, bytes[1] & 0xE0 == 0xE0, MP3Frame(bytes, at: 0) != nil {
      return .mp3
    }
    return nil
  }

  /// The format and header facts of `data`; `name` says which input in the error, which names
  /// the formats accepted.
  public static func inspect(_ data: Data, expecting kind: Attachment.Kind, name: String) throws(LTBError)
    -> Properties
  {
    let detected = format(of: data)
    guard let format = detected, format.kind == kind else {
      let found =
        detected.map { "\($0.kind == .image ? "an image" : "audio") (\($0.rawValue.uppercased()))" }
        ?? "not a format LTB reads"
      throw LTBError(
        .invalidInput, "\(name) is \(found): \(data.count) bytes starting \(hexPrefix(data))",
        fix:
          "give a \(kind.rawValue) in one of \(MediaFormat.names(of: kind)); convert it first (for example "
          + (kind == .image ? "convert in.bmp out.png" : "sox in.aiff out.wav") + ")")
    }
    let bytes = Bytes(data)
    var properties = Properties(format: format)
    switch format {
    case .png:
      properties.width = bytes.bigEndian(16, 4)
      properties.height = bytes.bigEndian(20, 4)
    case .gif:
      properties.width = bytes.littleEndian(6, 2)
      properties.height = bytes.littleEndian(8, 2)
    case .jpeg:
      (properties.width, properties.height) = jpegSize(bytes)
    case .webp:
      (properties.width, properties.height) = webpSize(bytes)
    case .wav:
      wav(bytes, into: &properties)
    case .flac:
      flac(bytes, into: &properties)
    case .ogg:
      ogg(bytes, into: &properties)
    case .mp3:
      mp3(bytes, into: &properties)
    }
    let readable =
      format.kind == .image
      ? (properties.width ?? 0) > 0 && (properties.height ?? 0) > 0
      : (properties.durationSeconds ?? -1) >= 0 && (properties.sampleRate ?? 0) > 0
    guard readable else {
      throw LTBError(
        .invalidInput,
        "\(name) looks like \(format.rawValue.uppercased()) but its header is damaged or cut short",
        fix: "check that the file is complete; re-export it from the program that made it")
    }
    return properties
  }

  private static func hexPrefix(_ data: Data) -> String {
    data.prefix(8).map { String(format: "%02x", $0) }.joined(separator: " ")
  }

  // MARK: Images

  /// Width and height from the first start-of-frame marker.
  private static func jpegSize(_ bytes: Bytes) -> (Int?, Int?) {
    var offset = 2
    while offset + 9 < bytes.count {
      guard bytes[offset] == 0xFF else { return (nil, nil) }
      let marker = bytes[offset + 1]
      if marker == 0xFF {  // fill byte
        offset += 1
        continue
      }
      if marker == 0xD8 || marker == 0x01 || (0xD0...0xD7).contains(marker) {
        offset += 2
        continue
      }
      let isFrame = (0xC0...0xCF).contains(marker) && ![0xC4, 0xC8, 0xCC].contains(marker)
      if isFrame { return (bytes.bigEndian(offset + 7, 2), bytes.bigEndian(offset + 5, 2)) }
      guard let length = bytes.bigEndian(offset + 2, 2), length >= 2 else { return (nil, nil) }
      offset += 2 + length
    }
    return (nil, nil)
  }

  /// Width and height from the first chunk: lossy (`VP8 `), lossless (`VP8L`) or extended (`VP8X`).
  private static func webpSize(_ bytes: Bytes) -> (Int?, Int?) {
    switch bytes.ascii(12, 4) {
    case "VP8 ":
      guard bytes.count >= 30, bytes[23] == 0x9D, bytes[24] == 0x01, bytes[25] == 0x2A else {
        return (nil, nil)
      }
      return (bytes.littleEndian(26, 2).map { $0 & 0x3FFF }, bytes.littleEndian(28, 2).map { $0 & 0x3FFF })
    case "VP8L":
      guard bytes.count >= 25, bytes[20] == 0x2F, let bits = bytes.littleEndian(21, 4) else {
        return (nil, nil)
      }
      return ((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1)
    case "VP8X":
      guard let width = bytes.littleEndian(24, 3), let height = bytes.littleEndian(27, 3) else {
        return (nil, nil)
      }
      return (width + 1, height + 1)
    default:
      return (nil, nil)
    }
  }

  // MARK: Audio

  /// The `fmt ` chunk's rate and channels, and the `data` chunk's length over the byte rate.
  private static func wav(_ bytes: Bytes, into properties: inout Properties) {
    var offset = 12
    var byteRate: Int?
    while offset + 8 <= bytes.count, let size = bytes.littleEndian(offset + 4, 4) {
      switch bytes.ascii(offset, 4) {
      case "fmt ":
        properties.channels = bytes.littleEndian(offset + 10, 2)
        properties.sampleRate = bytes.littleEndian(offset + 12, 4)
        byteRate = bytes.littleEndian(offset + 16, 4)
      case "data":
        guard let byteRate, byteRate > 0 else { return }
        // A streamed WAV may say 0 or 0xFFFFFFFF: then the data runs to the end of the file.
        let available = bytes.count - offset - 8
        let length = size == 0 || size == 0xFFFF_FFFF ? available : min(size, available)
        properties.durationSeconds = Double(length) / Double(byteRate)
        return
      default:
        break
      }
      offset += 8 + size + (size & 1)
    }
  }

  /// STREAMINFO: sample rate (20 bits), channels − 1 (3), bits − 1 (5), total samples (36).
  private static func flac(_ bytes: Bytes, into properties: inout Properties) {
    let info = 8  // "fLaC" and the metadata block header
    guard bytes.count >= info + 18, bytes[4] & 0x7F == 0 else { return }
    let rate = (Int(bytes[info + 10]) << 12) | (Int(bytes[info + 11]) << 4) | (Int(bytes[info + 12]) >> 4)
    let channels = Int((bytes[info + 12] >> 1) & 0x07) + 1
    var samples = Int(bytes[info + 13] & 0x0F)
    for index in 14...17 { samples = (samples << 8) | Int(bytes[info + index]) }
    properties.sampleRate = rate
    properties.channels = channels
    if rate > 0 { properties.durationSeconds = Double(samples) / Double(rate) }
  }

  /// The identification header of the first page (Vorbis or Opus) and the granule position of
  /// the last page.
  private static func ogg(_ bytes: Bytes, into properties: inout Properties) {
    guard bytes.count >= 28 else { return }
    let body = 27 + Int(bytes[26])  // header, then the segment table
    var granuleRate = 0
    var preSkip = 0
    if bytes.count >= body + 16, bytes[body] == 0x01, bytes.ascii(body + 1, 6) == "vorbis" {
      properties.channels = Int(bytes[body + 11])
      properties.sampleRate = bytes.littleEndian(body + 12, 4)
      granuleRate = properties.sampleRate ?? 0
    } else if bytes.count >= body + 16, bytes.ascii(body, 8) == "OpusHead" {
      properties.channels = Int(bytes[body + 9])
      preSkip = bytes.littleEndian(body + 10, 2) ?? 0
      properties.sampleRate = bytes.littleEndian(body + 12, 4).flatMap { $0 > 0 ? $0 : nil } ?? 48_000
      granuleRate = 48_000  // Opus counts granules at 48 kHz whatever the input rate
    } else {
      return
    }
    // The last page starts at the last "OggS" capture pattern; its granule is the sample count.
    var offset = bytes.count - 27
    let floor = max(0, bytes.count - 65_536 - 27)
    while offset >= floor {
      if bytes.ascii(offset, 4) == "OggS", let granule = bytes.littleEndian(offset + 6, 8), granuleRate > 0 {
        properties.durationSeconds = max(0, Double(granule - preSkip) / Double(granuleRate))
        return
      }
      offset -= 1
    }
  }

  /// The first frame's header, then the frame count from a Xing/Info or VBRI header, or (for a
  /// constant bit rate file without one) the length over the bit rate.
  private static func mp3(_ bytes: Bytes, into properties: inout Properties) {
    var offset = 0
    if bytes.ascii(0, 3) == "ID3", bytes.count >= 10 {
      let size = (6...9).reduce(0) { ($0 << 7) | Int(bytes[$1] & 0x7F) }
      offset = 10 + size + (bytes[5] & 0x10 != 0 ? 10 : 0)
    }
    // The first frame: the first sync word whose next frame also syncs (or that ends the file).
    var frame: MP3Frame?
    let limit = min(bytes.count - 4, offset + 65_536)
    while offset < limit {
      if let candidate = MP3Frame(bytes, at: offset) {
        let next = offset + candidate.length
        if next >= bytes.count - 4 || MP3Frame(bytes, at: next) != nil {
          frame = candidate
          break
        }
      }
      offset += 1
    }
    guard let frame else { return }
    properties.sampleRate = frame.sampleRate
    properties.channels = frame.channels
    let side = offset + 4 + frame.sideInformationLength
    if bytes.ascii(side, 4) == "Xing" || bytes.ascii(side, 4) == "Info",
      let flags = bytes.bigEndian(side + 4, 4), flags & 1 == 1, let frames = bytes.bigEndian(side + 8, 4)
    {
      properties.durationSeconds = Double(frames * frame.samplesPerFrame) / Double(frame.sampleRate)
    } else if bytes.ascii(offset + 36, 4) == "VBRI", let frames = bytes.bigEndian(offset + 36 + 14, 4) {
      properties.durationSeconds = Double(frames * frame.samplesPerFrame) / Double(frame.sampleRate)
    } else {
      properties.durationSeconds = Double(bytes.count - offset) * 8 / Double(frame.bitRate)
    }
  }
}

/// One MPEG audio frame header.
struct MP3Frame: Equatable {
  var sampleRate: Int
  var bitRate: Int
  var channels: Int
  var samplesPerFrame: Int
  var length: Int
  var sideInformationLength: Int

  /// The header at `offset`, when it is a valid layer III (or I/II) header.
  init?(_ bytes: Bytes, at offset: Int) {
    guard offset + 4 <= bytes.count, bytes[offset] == 0xFF, bytes[offset + 1] & 0xE0 == 0xE0 else {
      return nil
    }
    let version = Int((bytes[offset + 1] >> 3) & 0x03)  // 0: 2.5, 2: 2, 3: 1
    let layer = Int((bytes[offset + 1] >> 1) & 0x03)  // 1: III, 2: II, 3: I
    let bitRateIndex = Int(bytes[offset + 2] >> 4)
    let rateIndex = Int((bytes[offset + 2] >> 2) & 0x03)
    let padding = Int((bytes[offset + 2] >> 1) & 0x01)
    let mode = Int(bytes[offset + 3] >> 6)
    guard version != 1, layer != 0, bitRateIndex != 0, bitRateIndex != 15, rateIndex != 3 else { return nil }
    let isVersion1 = version == 3
    let rates = [44_100, 48_000, 32_000][rateIndex]
    sampleRate = version == 3 ? rates : version == 2 ? rates / 2 : rates / 4
    let table: [Int] =
      switch (isVersion1, layer) {
      case (true, 3): [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448]
      case (true, 2): [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384]
      case (true, _): [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320]
      case (false, 3): [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256]
      case (false, _): [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160]
      }
    bitRate = table[bitRateIndex] * 1000
    channels = mode == 3 ? 1 : 2
    samplesPerFrame = layer == 3 ? 384 : layer == 2 ? 1152 : isVersion1 ? 1152 : 576
    length =
      layer == 3
      ? (12 * bitRate / sampleRate + padding) * 4
      : (samplesPerFrame / 8) * bitRate / sampleRate + padding
    sideInformationLength = isVersion1 ? (channels == 1 ? 17 : 32) : (channels == 1 ? 9 : 17)
  }
}

/// Bounds-checked reads over a file's bytes.
struct Bytes {
  private let data: Data

  init(_ data: Data) { self.data = data }

  var count: Int { data.count }

  subscript(index: Int) -> UInt8 { data[data.startIndex + index] }

  func starts(with prefix: [UInt8]) -> Bool { data.starts(with: prefix) }

  /// `length` bytes at `offset` as ASCII, or `nil` past the end.
  func ascii(_ offset: Int, _ length: Int) -> String? {
    guard offset >= 0, offset + length <= count else { return nil }
    let start = data.startIndex + offset
    return String(decoding: data[start..<start + length], as: Unicode.ASCII.self)
  }

  /// An unsigned big-endian integer of `length` bytes, or `nil` past the end.
  func bigEndian(_ offset: Int, _ length: Int) -> Int? {
    guard offset >= 0, offset + length <= count else { return nil }
    return (0..<length).reduce(0) { ($0 << 8) | Int(self[offset + $1]) }
  }

  /// An unsigned little-endian integer of `length` bytes, or `nil` past the end.
  func littleEndian(_ offset: Int, _ length: Int) -> Int? {
    guard offset >= 0, offset + length <= count else { return nil }
    return (0..<length).reversed().reduce(0) { ($0 << 8) | Int(self[offset + $1]) }
  }
}
