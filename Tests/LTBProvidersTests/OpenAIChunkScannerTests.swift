import Foundation
import LTBCore
import Testing

@testable import LTBProviders

/// The chunk scanner against the general reader: wherever it answers, its events are the
/// general reader's for the same bytes; it answers for the common text chunk and leaves every
/// other shape to the general reader.
@Suite("OpenAI chunk scanner")
struct OpenAIChunkScannerTests {
  static func general(_ text: String) -> [StreamEvent]? {
    (try? JSONValue.parse(bytes: Array(text.utf8))).map { OpenAIChatChunk(json: $0).events(isStream: true) }
  }

  static let common =
    #"{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1730000000,"model":"gpt-4.1-mini","system_fingerprint":"fp_1","choices":[{"index":0,"delta":{"role":"assistant","content":" Zoë said"},"logprobs":null,"finish_reason":null}]}"#

  @Test("the vendors' text chunks are read by the scanner, with the general reader's events")
  func fixtures() throws {
    var scanned = 0
    for fixture in [VendorFixture.openAI, .mistral, .openAICompatible] {
      for piece in fixture.streamPieces {
        for line in piece.split(separator: "\n") where line.hasPrefix("data: ") {
          let payload = String(line.dropFirst(6))
          guard payload != "[DONE]" else { continue }
          if let fast = OpenAIChunkScanner.events(Array(payload.utf8)) {
            #expect(fast == Self.general(payload), "\(payload)")
            scanned += 1
          }
        }
      }
    }
    #expect(scanned >= 6, "the text chunks take the fast path")
    #expect(
      OpenAIChunkScanner.events(Array(Self.common.utf8))
        == [.metadata(responseID: "chatcmpl-1", model: "gpt-4.1-mini"), .text(" Zoë said")])
  }

  @Test("shapes it answers equal the general reader; every other shape is left to it")
  func shapes() {
    let answered = [
      Self.common,
      #" { "id" : "a" , "model" : "m" , "choices" : [ { "delta" : { "content" : "x" } , "index" : 0 } ] } "#,
      #"{"id":"a","choices":[{"index":0,"delta":{"content":null,"refusal":null},"finish_reason":null}],"usage":null}"#,
      #"{"choices":[{"index":0,"delta":{}}]}"#,
      #"{"object":null,"choices":[{"index":0,"delta":{"role":"assistant","content":"","reasoning_content":null}}]}"#,
    ]
    for text in answered {
      let fast = OpenAIChunkScanner.events(Array(text.utf8))
      #expect(fast != nil, "\(text)")
      #expect(fast == Self.general(text), "\(text)")
    }
    let left = [
      #"{"id":"a","choices":[{"index":0,"delta":{"content":"a\nb"}}]}"#,
      #"{"id":"a","choices":[{"index":0,"delta":{"content":"\u00e9"}}]}"#,
      #"{"id":"a","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"#,
      #"{"id":"a","choices":[],"usage":{"prompt_tokens":1,"completion_tokens":2}}"#,
      #"{"id":"a","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{"}}]}}]}"#,
      #"{"id":"a","choices":[{"index":1,"delta":{"content":"x"}}]}"#,
      #"{"id":"a","choices":[{"index":0,"delta":{"content":"x"}},{"index":1,"delta":{"content":"y"}}]}"#,
      #"{"id":"a","id":"b","choices":[{"index":0,"delta":{"content":"x"}}]}"#,
      #"{"id":"a","created":1.5,"choices":[{"index":0,"delta":{"content":"x"}}]}"#,
      #"{"id":"a","extra":1,"choices":[{"index":0,"delta":{"content":"x"}}]}"#,
      #"{"id":"a","choices":[{"index":0,"delta":{"content":"x"},"logprobs":{"content":[]}}]}"#,
      #"{"error":{"message":"overloaded"}}"#,
      #"{"object":"error","message":"boom"}"#,
      #"{"id":"a","choices":[{"index":0,"delta":{"content":"x"}}]} trailing"#,
      #"{"id":"a"}"#,
      "",
    ]
    for text in left {
      #expect(OpenAIChunkScanner.events(Array(text.utf8)) == nil, "\(text)")
    }
    let invalidUTF8 =
      Array(#"{"choices":[{"index":0,"delta":{"content":""#.utf8) + [0xC3, 0x28] + Array(#""}}]}"#.utf8)
    #expect(OpenAIChunkScanner.events(invalidUTF8) == nil)
  }

  @Test("20,000 random mutations of a chunk: whenever the scanner answers, the general reader agrees")
  func mutations() {
    var random = SeededGenerator(seed: 23)
    let base = Array(Self.common.utf8)
    let alphabet = Array(#"{}[]:,"\ 0123456789abcdefnulltrue-.eE"#.utf8)
    var answered = 0
    for _ in 0..<20_000 {
      var bytes = base
      for _ in 0..<Int.random(in: 1...3, using: &random) {
        let at = Int.random(in: 0..<bytes.count, using: &random)
        switch Int.random(in: 0..<3, using: &random) {
        case 0: bytes[at] = alphabet.randomElement(using: &random) ?? 0
        case 1: bytes.remove(at: at)
        default: bytes.insert(alphabet.randomElement(using: &random) ?? 0, at: at)
        }
        if bytes.isEmpty { bytes = base }
      }
      guard let fast = OpenAIChunkScanner.events(bytes) else { continue }
      answered += 1
      let general = (try? JSONValue.parse(bytes: bytes)).map {
        OpenAIChatChunk(json: $0).events(isStream: true)
      }
      #expect(fast == general, "\(String(decoding: bytes, as: UTF8.self))")
    }
    #expect(answered > 1_000, "mutations inside the text keep the common shape")
  }
}
