import Foundation
import LTBCore
import LTBMedia
import Testing

@Suite("Loading a case's media")
struct MediaLoaderTests {
  @Test("a file's media type comes from its bytes, not its name; detail is kept; base64 decodes to the same")
  func files() async throws {
    let assets = try MediaAssets()
    defer { assets.remove() }
    // A PNG saved under a .jpg name.
    let png = try assets.image("a.png", 40, 30)
    try png.write(to: URL(fileURLWithPath: assets.path("misnamed.jpg")))
    let loaded = try await MediaLoader().load(
      Attachment(kind: .image, location: assets.path("misnamed.jpg"), detail: "low"))
    #expect(
      loaded.part
        == .image(
          ImageContent(
            source: .inline(data: png, mediaType: "image/png"), detail: "low", width: 40, height: 30)),
      "the part carries the size its headers give, for pricing")
    #expect(loaded.record.width == 40 && loaded.record.height == 30)
    // What is stored with the result: where it came from, the format read from the bytes, the
    // size and the hash sha256sum computes.
    #expect(loaded.record.source == .file && loaded.record.location == assets.path("misnamed.jpg"))
    #expect(loaded.record.format == "png" && loaded.record.sizeBytes == png.count)
    let digest = Process()
    digest.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
    digest.arguments = [assets.path("misnamed.jpg")]
    let output = Pipe()
    digest.standardOutput = output
    try digest.run()
    let sum = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    digest.waitUntilExit()
    #expect(loaded.record.sha256 == sum.split(separator: " ").first.map(String.init))
    let inline = try await MediaLoader().load(
      Attachment(kind: .image, location: "data:;base64," + png.base64EncodedString()))
    #expect(
      inline.part
        == .image(ImageContent(source: .inline(data: png, mediaType: "image/png"), width: 40, height: 30)))
    #expect(inline.record.source == .base64 && inline.record.location == nil)
    #expect(inline.record.sha256 == loaded.record.sha256)
    // Audio: the container from the bytes.
    let flac = try assets.speech("s.flac", rate: 16_000, channels: 1)
    try flac.write(to: URL(fileURLWithPath: assets.path("speech.wav.bin")))
    let audio = try await MediaLoader().load(
      Attachment(kind: .audio, location: assets.path("speech.wav.bin")))
    #expect(abs((audio.record.durationSeconds ?? 0) - 3.2) < 0.1, "\(String(describing: audio.record))")
    #expect(
      audio.part
        == .audio(AudioContent(data: flac, format: .flac, durationSeconds: audio.record.durationSeconds)))
    // An image at a URL is passed on for the vendor to fetch.
    let remote = try await MediaLoader().load(
      Attachment(kind: .image, location: "https://example.com/receipt.png", detail: "high"))
    #expect(
      remote.part == .image(ImageContent(source: .url("https://example.com/receipt.png"), detail: "high")))
    #expect(
      remote.record
        == MediaInput(kind: .image, source: .url, location: "https://example.com/receipt.png"))
  }

  @Test("over the limit, missing, not base64 or the wrong kind: refused with the problem and the fix")
  func refusals() async throws {
    let assets = try MediaAssets()
    defer { assets.remove() }
    let png = try assets.image("a.png", 64, 64)
    let small = MediaLoader(maximumBytes: png.count - 1)
    await #expect {
      _ = try await small.load(Attachment(kind: .image, location: assets.path("a.png")))
    } throws: { error in
      (error as? LTBError)?.message.contains("has \(png.count) bytes, over the \(png.count - 1)-byte limit")
        == true
    }
    await #expect {
      _ = try await small.load(
        Attachment(kind: .image, location: "data:image/png;base64," + png.base64EncodedString()))
    } throws: { error in
      (error as? LTBError)?.message.contains("over the \(png.count - 1)-byte limit") == true
    }
    await #expect {
      _ = try await MediaLoader().load(Attachment(kind: .image, location: assets.path("none.png")))
    } throws: { error in
      (error as? LTBError)?.message.contains("cannot read the attachment") == true
    }
    await #expect {
      _ = try await MediaLoader().load(Attachment(kind: .audio, location: "data:audio/wav,plain"))
    } throws: { error in
      (error as? LTBError)?.fix?.contains("base64") == true
    }
    await #expect {
      _ = try await MediaLoader().load(Attachment(kind: .audio, location: assets.path("a.png")))
    } throws: { error in
      (error as? LTBError)?.message.contains("is an image (PNG)") == true
    }
  }

  @Test("audio at an http URL is downloaded, bounded; a missing file is the server's answer")
  func downloads() async throws {
    let assets = try MediaAssets()
    defer { assets.remove() }
    let ogg = try assets.speech("s.ogg", rate: 16_000, channels: 1)
    let port = try freePort()
    // Python's own HTTP server over the assets' folder.
    let server = Process()
    server.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
    server.arguments = [
      "-m", "http.server", String(port), "--bind", "127.0.0.1", "--directory", assets.directory.path,
    ]
    server.standardOutput = FileHandle.nullDevice
    server.standardError = FileHandle.nullDevice
    try server.run()
    defer { server.terminate() }
    let url = "http://127.0.0.1:\(port)/s.ogg"
    var loaded: (part: ContentPart, record: MediaInput)?
    for _ in 0..<50 where loaded == nil {
      loaded = try? await MediaLoader().load(Attachment(kind: .audio, location: url))
      if loaded == nil { try await Task.sleep(for: .milliseconds(100)) }
    }
    #expect(
      loaded?.part
        == .audio(AudioContent(data: ogg, format: .ogg, durationSeconds: loaded?.record.durationSeconds)))
    #expect(loaded?.record.durationSeconds != nil)
    #expect(loaded?.record.sampleRate == 16_000 && loaded?.record.source == .url)
    #expect(loaded?.record.format == "ogg" && loaded?.record.sizeBytes == ogg.count)
    await #expect {
      _ = try await MediaLoader(maximumBytes: 1_000).load(Attachment(kind: .audio, location: url))
    } throws: { error in
      (error as? LTBError)?.message.contains("over the 1000-byte limit") == true
    }
    await #expect {
      _ = try await MediaLoader().load(
        Attachment(kind: .audio, location: "http://127.0.0.1:\(port)/none.ogg"))
    } throws: { error in
      (error as? LTBError)?.message.contains("answered 404") == true
    }
  }

  /// A port nothing listens on now.
  func freePort() throws -> Int {
    let socket = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(socket) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) }
    }
    _ = withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
    }
    return Int(UInt16(bigEndian: address.sin_port))
  }
}
