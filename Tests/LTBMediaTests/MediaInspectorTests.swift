import Foundation
import LTBCore
import LTBMedia
import Testing

/// Files made by real tools with known properties: ImageMagick draws images of a known size in
/// each format, espeak-ng speaks a sentence and sox converts it to every audio format; `soxi`
/// (sox's own reader) is the reference for durations.
struct MediaAssets {
  let directory: URL

  init() throws {
    directory = FileManager.default.temporaryDirectory.appendingPathComponent(
      "ltb-media-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
  }

  func remove() { try? FileManager.default.removeItem(at: directory) }

  func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

  /// Runs a tool and returns its standard output, failing the test on a non-zero exit.
  @discardableResult
  func run(_ tool: String, _ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: tool)
    process.arguments = arguments
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
      throw LTBError(
        .internal, "\(tool) \(arguments.joined(separator: " ")) exited \(process.terminationStatus)")
    }
    return String(decoding: data, as: UTF8.self)
  }

  /// An image `width`×`height` written as `name` (the extension picks the format).
  func image(_ name: String, _ width: Int, _ height: Int, _ options: [String] = []) throws -> Data {
    // The real ImageMagick, not a wrapper a machine may put earlier on PATH.
    try run("/usr/bin/convert", ["-size", "\(width)x\(height)", "plasma:fractal"] + options + [path(name)])
    return try Data(contentsOf: URL(fileURLWithPath: path(name)))
  }

  /// A spoken sentence converted to `name` at `rate` Hz and `channels` channels.
  func speech(_ name: String, rate: Int, channels: Int) throws -> Data {
    if !FileManager.default.fileExists(atPath: path("speech.wav")) {
      try run(
        "/usr/bin/espeak-ng",
        ["-w", path("speech.wav"), "The receipt total is twelve dollars and fifty cents."])
    }
    try run("/usr/bin/sox", [path("speech.wav"), "-r", String(rate), "-c", String(channels), path(name)])
    return try Data(contentsOf: URL(fileURLWithPath: path(name)))
  }

  /// The duration sox reads from a file, in seconds.
  func soxDuration(_ name: String) throws -> Double {
    Double(try run("/usr/bin/soxi", ["-D", path(name)]).trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
  }
}

@Suite("Media formats and headers")
struct MediaInspectorTests {
  @Test(
    "images made by ImageMagick: the format from the bytes, width and height from the header",
    arguments: [
      ("a.png", MediaFormat.png, [String]()), ("a.jpg", .jpeg, []),
      ("p.jpg", .jpeg, ["-interlace", "Plane"]),
      ("a.gif", .gif, []), ("a.webp", .webp, []), ("l.webp", .webp, ["-define", "webp:lossless=true"]),
      ("x.webp", .webp, ["-alpha", "set", "-channel", "A", "-evaluate", "set", "50%"]),
    ])
  func images(name: String, format: MediaFormat, options: [String]) throws {
    let assets = try MediaAssets()
    defer { assets.remove() }
    let data = try assets.image(name, 317, 211, options)
    #expect(MediaInspector.format(of: data) == format)
    let properties = try MediaInspector.inspect(data, expecting: .image, name: name)
    #expect(properties.format == format)
    #expect(properties.width == 317 && properties.height == 211, "\(properties)")
    #expect(format.mediaType.hasPrefix("image/"))
  }

  @Test(
    "speech converted by sox: format, rate and channels exact, duration within 50 ms of soxi's",
    arguments: [
      ("s.wav", MediaFormat.wav, 16_000, 1), ("s2.wav", .wav, 44_100, 2), ("s.flac", .flac, 16_000, 1),
      ("s.ogg", .ogg, 22_050, 2), ("s.mp3", .mp3, 44_100, 1), ("s2.mp3", .mp3, 22_050, 2),
    ])
  func audio(name: String, format: MediaFormat, rate: Int, channels: Int) throws {
    let assets = try MediaAssets()
    defer { assets.remove() }
    let data = try assets.speech(name, rate: rate, channels: channels)
    let properties = try MediaInspector.inspect(data, expecting: .audio, name: name)
    #expect(properties.format == format)
    #expect(properties.sampleRate == rate && properties.channels == channels, "\(properties)")
    let reference = try assets.soxDuration(name)
    #expect(reference > 1)
    #expect(
      abs((properties.durationSeconds ?? 0) - reference) < 0.05, "\(properties) against soxi's \(reference)")
    #expect(format.audioFormat?.rawValue == format.rawValue)
  }

  @Test("anything else is refused with what it is, the formats read and how to convert")
  func refusals() throws {
    let assets = try MediaAssets()
    defer { assets.remove() }
    let bmp = try assets.image("a.bmp", 8, 8)
    #expect(MediaInspector.format(of: bmp) == nil)
    #expect {
      try MediaInspector.inspect(bmp, expecting: .image, name: "a.bmp")
    } throws: { error in
      let error = error as? LTBError
      return error?.message.contains("a.bmp is not a format LTB reads") == true
        && error?.fix?.contains("PNG, JPEG, WEBP, GIF") == true
    }
    let wav = try assets.speech("s.wav", rate: 8_000, channels: 1)
    #expect {
      try MediaInspector.inspect(wav, expecting: .image, name: "s.wav")
    } throws: { error in
      (error as? LTBError)?.message.contains("s.wav is audio (WAV)") == true
    }
    // A PNG signature with its header cut off is not an image either.
    let png = try assets.image("a.png", 8, 8)
    #expect(throws: LTBError.self) {
      try MediaInspector.inspect(png.prefix(12), expecting: .image, name: "cut.png")
    }
    #expect(MediaInspector.format(of: Data()) == nil)
  }
}
