import Foundation
import Testing

@testable import LTBCore

/// The hand-written text forms agree with Foundation's on many values: UUIDs both ways, and
/// ISO 8601 dates with milliseconds against `ISO8601DateFormatter`.
@Suite("Text codecs")
struct TextCodecTests {
  @Test("UUID text: parses both cases, writes lower case, rejects malformed text")
  func uuid() {
    for _ in 0..<2_000 {
      let id = UUID()
      #expect(id.lowercasedText == id.uuidString.lowercased())
      #expect(UUID(text: id.uuidString) == id)
      #expect(UUID(text: id.uuidString.lowercased()) == id)
      #expect(UUID(text: Substring(id.uuidString)) == id)
      #expect(id.uppercasedText == id.uuidString)
    }
    for bad in [
      "", "not-a-uuid", "01a22681-7988-773d-9672-55965d07296", "01a22681-7988-773d-9672-55965d07296g",
      "01a22681_7988-773d-9672-55965d072966", "01a22681-7988-773d-9672-55965d0729660",
    ] {
      #expect(UUID(text: bad) == nil, "\(bad)")
    }
  }

  /// Instants from 1970 on (every stored one); before 1970 the formatter rounds some halves the
  /// other way.
  @Test("ISO 8601 with milliseconds matches ISO8601DateFormatter, rounding included")
  func iso8601() {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    var generator = SeededGenerator(seed: 8601)
    var instants: [Double] = [
      0, -1.5, 1.9995, 951_782_400.5, 4_102_444_800.999, 1_790_000_000.9999, -86_400.0005,
    ]
    for _ in 0..<20_000 {
      let seconds = Double(Int64.random(in: 0...4_000_000_000, using: &generator))
      let micros = Double(Int.random(in: 0..<1_000_000, using: &generator)) / 1_000_000
      instants.append(seconds + micros)
    }
    for instant in instants {
      let date = Date(timeIntervalSince1970: instant)
      #expect(date.iso8601Text == formatter.string(from: date), "\(instant)")
    }
  }

  @Test("base64url: every length from 0 to 64 bytes as Foundation's base64 with - _ and no padding, and back")
  func base64URL() {
    var generator = SystemRandomNumberGenerator()
    for length in 0...64 {
      let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
      let expected = Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
        .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
      let encoded = Base64URL.encode(bytes)
      #expect(encoded == expected, "\(length) bytes")
      #expect(Base64URL.decode(encoded) == Data(bytes), "\(length) bytes")
    }
    #expect(Base64URL.encode([0xFB, 0xFF]) == "-_8")
    #expect(Base64URL.decode("not base64!") == nil)
  }
}

@Suite("JSON nesting bound")
struct JSONNestingTests {
  @Test("JSON nesting up to the bound parses; one level more is a located error, not a crash")
  func nestingBound() throws {
    let bound = JSONParser.maxDepth
    let deepest = String(repeating: "[", count: bound) + String(repeating: "]", count: bound)
    #expect(try JSONValue.parse(deepest) != .null)
    let objects = String(repeating: #"{"a":"#, count: bound) + "1" + String(repeating: "}", count: bound)
    #expect(try JSONValue.parse(objects)["a"] != nil)
    for hostile in [bound + 1, 100_000] {
      let text = String(repeating: "[", count: hostile) + String(repeating: "]", count: hostile)
      #expect {
        try JSONValue.parse(text)
      } throws: { error in
        "\(error)".contains("nest more than \(bound) levels")
      }
    }
  }
}
