import Foundation
import LTBCore
import Testing

@testable import LTBStorage

/// The fast readers of JSON columns give what `JSONDecoder` gives, and hand anything unexpected
/// back to it.
@Suite("Stored JSON readers")
struct StoredJSONTests {
  @Test("the timing scanner reads what the writer writes, and refuses other shapes")
  func timing() throws {
    var generator = SeededGenerator(seed: 42)
    for count in [0, 1, 2, 64, 500] {
      let timing = RequestTiming(
        scheduledOffsetNanos: count % 2 == 0 ? -Int64.random(in: 0...5_000_000, using: &generator) : nil,
        contentEventOffsetsNanos: (0..<count).map { Int64($0) * 1_234_567 + 17 },
        endOffsetNanos: Int64.random(in: 0...Int64.max / 2, using: &generator))
      let text = StoredJSON.timing(timing)
      #expect(scan({ StoredJSON.timing(bytes: $0) }, text) == timing)
      #expect(try StoredJSON.read(text, Self.noFastReader) == timing)
      // The first and the last events only: the same TTFT, end-to-end latency and TPOT.
      let ends = try #require(scan({ StoredJSON.timing(bytes: $0, everyEvent: false) }, text))
      #expect(
        ends.contentEventOffsetsNanos
          == (count > 2 ? [17, Int64(count - 1) * 1_234_567 + 17] : timing.contentEventOffsetsNanos))
      #expect(
        ends.timeToFirstToken == timing.timeToFirstToken && ends.endToEndLatency == timing.endToEndLatency)
      #expect(ends.timePerOutputToken(outputTokens: count) == timing.timePerOutputToken(outputTokens: count))
      #expect(
        ends.endOffsetNanos == timing.endOffsetNanos
          && ends.scheduledOffsetNanos == timing.scheduledOffsetNanos)
    }
    // Another key order (as JSONEncoder might write it) falls back to the generic reader.
    let reordered = #"{"endOffsetNanos":9,"contentEventOffsetsNanos":[1,2]}"#
    #expect(scan({ StoredJSON.timing(bytes: $0) }, reordered) == nil)
    #expect(try StoredJSON.read(reordered, Self.noFastReader).contentEventOffsetsNanos == [1, 2])
    for bad in [
      #"{"contentEventOffsetsNanos":[1,],"endOffsetNanos":9}"#, #"{"contentEventOffsetsNanos":[1]}"#,
      #"{"contentEventOffsetsNanos":[99999999999999999999],"endOffsetNanos":9}"#,
    ] {
      #expect(scan({ StoredJSON.timing(bytes: $0) }, bad) == nil, "\(bad)")
      #expect(scan({ StoredJSON.timing(bytes: $0, everyEvent: false) }, bad) == nil, "\(bad)")
    }
  }

  /// The fallback the store's timing reader takes when the scanner declines: `JSONDecoder`.
  private static func noFastReader(_: JSONValue) -> RequestTiming? { nil }

  /// `reader` over the UTF-8 bytes of `text`.
  private func scan<Value>(_ reader: (UnsafeBufferPointer<UInt8>) -> Value?, _ text: String) -> Value? {
    var text = text
    return text.withUTF8(reader)
  }

  @Test(
    "tags, scores and costs scanned equal what the writer wrote; other shapes are left to the generic reader")
  func scanners() throws {
    for tags in [[], ["t"], ["a b", "ünï", "x-y"], Array(repeating: "tag", count: 40)] {
      #expect(scan(StoredJSON.strings(bytes:), StoredJSON.strings(tags)) == tags)
    }
    for scores in [[:], ["bleu": 0.42, "exact": 1], ["m": 1e-7, "n": -2.5, "o": 123_456_789.125]] {
      #expect(scan(StoredJSON.numbers(bytes:), StoredJSON.scores(scores)) == scores)
    }
    for cost in [
      Cost(input: 0.00001, cachedInput: 0, output: 0.000128), Cost(input: 3, cachedInput: 1.5, output: 0),
    ] {
      #expect(scan(StoredJSON.cost(bytes:), StoredJSON.cost(cost)) == cost)
    }
    #expect(scan(StoredJSON.strings(bytes:), #" [ "a" , "b" ] "#) == ["a", "b"])
    #expect(scan(StoredJSON.numbers(bytes:), #"{ "a" : 1 , "b" : 2.5 }"#) == ["a": 1, "b": 2.5])
    // Escapes, nulls, nesting, other types and trailing text are not scanned.
    for text in [#"["a"b"]"#, #"["a", 1]"#, #"["a"] x"#, "[", #"{"a"}"#] {
      #expect(scan(StoredJSON.strings(bytes:), text) == nil, "\(text)")
    }
    for text in [#"{"a": null}"#, #"{"a": {"b": 1}}"#, #"{"a\n": 1}"#, #"{"a": "1"}"#, #"{"a": 1,}"#, "{"] {
      #expect(scan(StoredJSON.numbers(bytes:), text) == nil, "\(text)")
    }
    #expect(scan(StoredJSON.cost(bytes:), #"{"input": 1, "output": 2}"#) == nil)
    #expect(scan(StoredJSON.cost(bytes:), #"{"input": 1, "input": 2, "output": 3}"#) == nil)
    #expect(scan(StoredJSON.cost(bytes:), #"{"input": 1, "cachedInput": 0, "output": 3, "tax": 1}"#) == nil)
    #expect(
      scan(StoredJSON.cost(bytes:), #" { "output": 3, "input": 1, "cachedInput": 0.5 } "#)
        == Cost(input: 1, cachedInput: 0.5, output: 3))
    // The generic reader still takes what the scanner leaves.
    #expect(try StoredJSON.read(#"["a\"b"]"#, StoredJSON.strings(from:)) == [#"a"b"#])
  }

  @Test("numbers read by the exact fast path equal Double's reading of the same text, bit for bit")
  func decimals() {
    func read(_ text: String) -> Double? {
      var text = text
      return text.withUTF8 { StoredJSON.decimal($0) }
    }
    var generator = SystemRandomNumberGenerator()
    var texts = [
      "0", "-0", "1", "0.5", "0.000128", "123456789.125", "999999999999999", "9999999999999999",
      "0.1", "0.2", "0.30000000000000004", "1e-7", "2.5E+3", "-2.5", "1.", ".5", "01", "-", "+1", "1.2.3",
      "00.5", "0.0000000000000000000001", "0.00000000000000000000001", "12345678901234567890",
      "3.141592653589793", "1.7976931348623157e308", "5e-324", "", "1.2e-05", "1.2E+05", "1e22", "1e23",
      "1e-22", "1e-23", "12e", "12e+", "1.e5", "1e0005", "-1.5e-7", "0e0", "123456789012345e-22",
      "1234567890123456e-5", "0.5e-21", "0.5e-22", "0.0", "-0.0e1", "00e1",
    ]
    for _ in 0..<20_000 {
      let value = Double.random(in: -1e6...1e6, using: &generator)
      texts.append(value.description)
      texts.append(String(format: "%.6f", value))
      texts.append(String(Int.random(in: -1_000_000...1_000_000, using: &generator)))
      texts.append(String(Double(Int.random(in: 0...100_000, using: &generator)) / 1000))
      texts.append(String(Double.random(in: 1e-9...1e-4, using: &generator)))
      texts.append(String(format: "%.3e", Double.random(in: -1e30...1e30, using: &generator)))
    }
    for text in texts {
      let fast = read(text)
      let reference = Double(text)
      #expect(
        fast?.bitPattern == reference?.bitPattern,
        "\(text): \(String(describing: fast)) vs \(String(describing: reference))")
    }
  }

  @Test("verdicts, sampling parameters, costs and scores read fast equal JSONDecoder's")
  func records() throws {
    let plain = EvaluationRecord(
      resultID: UUID(), sessionID: UUID(), testID: "q1", metric: "bleu", evaluator: "text-overlap",
      evaluatorVersion: 2, state: .scored, score: 0.25, value: 25, passed: false, threshold: 30, weight: 2,
      explanation: "BLEU 25 \"quoted\"", details: ["n": 4])
    let judged = EvaluationRecord(
      resultID: UUID(), sessionID: UUID(), testID: "q2", metric: "judge", evaluator: "judge",
      evaluatorVersion: 1,
      state: .error, explanation: "no JSON",
      judge: JudgeUsage(provider: "p", model: "m", inputTokens: 3, outputTokens: 1, cost: nil, calls: 2),
      cached: true)
    let bare = EvaluationRecord(
      resultID: UUID(), sessionID: UUID(), testID: "q3", metric: "exact", evaluator: "deterministic",
      evaluatorVersion: 1, state: .unavailable, score: 1.25e-05, passed: nil, threshold: 0,
      explanation: "no answer")
    for record in [plain, judged, bare] {
      let text = String(decoding: try JSONEncoder().encode(record), as: UTF8.self)
      #expect(try StoredJSON.readEvaluation(text) == record)
    }
    // The key-by-key scanner: any key order, null and exponent numbers; details, judges and
    // escaped strings are left to the generic reader.
    for _ in 0..<20 {
      let text = String(decoding: try JSONEncoder().encode(bare), as: UTF8.self)
      #expect(StoredJSON.evaluation(text: text) == bare, "\(text)")
    }
    let spaced =
      #"{ "resultID" : "\#(bare.resultID)", "sessionID":"\#(bare.sessionID)","testID":"q3","metric":"exact","evaluator":"deterministic","evaluatorVersion":1,"state":"unavailable","score":1.25e-05,"passed":null,"threshold":0,"weight":1,"explanation":"no answer","cached":false }"#
    #expect(StoredJSON.evaluation(text: spaced) == bare)
    #expect(
      StoredJSON.evaluation(text: String(decoding: try JSONEncoder().encode(plain), as: UTF8.self)) == nil)
    #expect(
      StoredJSON.evaluation(text: String(decoding: try JSONEncoder().encode(judged), as: UTF8.self)) == nil)
    for parameters in [
      SamplingParameters(), SamplingParameters(maxTokens: 16),
      SamplingParameters(
        temperature: 0.7, topP: 0.9, topK: 40, maxTokens: 256, stop: ["\n\n", "END"], seed: 7,
        presencePenalty: 0.5,
        frequencyPenalty: -0.25),
    ] {
      let text = String(decoding: try JSONEncoder().encode(parameters), as: UTF8.self)
      #expect(StoredJSON.parameters(from: try JSONValue.parse(text)) == parameters, "\(text)")
    }
    #expect(StoredJSON.parameters(from: ["temperature": "hot"]) == nil)
    #expect(StoredJSON.parameters(from: ["unknown": 1]) == nil, "an unknown key goes through JSONDecoder")
    let cost = Cost(input: 0.001, cachedInput: 0, output: 0.25)
    #expect(try StoredJSON.read(StoredJSON.cost(cost), StoredJSON.cost(from:)) == cost)
    let media = Cost(
      input: 0.001, output: 0.25, image: 0.0019, audio: 0.0012,
      media: MediaUsage(imageTokens: 765, audioTokens: 0, audioSeconds: 12, estimated: true))
    let written = StoredJSON.cost(media)
    #expect(try StoredJSON.read(written, StoredJSON.cost(from:)) == media)
    #expect(
      try JSONDecoder().decode(Cost.self, from: Data(written.utf8)) == media, "the driver's Codable path")
    #expect(scan(StoredJSON.cost(bytes:), written) == nil, "media goes to the generic reader")
    let old = try JSONDecoder().decode(Cost.self, from: Data(#"{"input":1,"cachedInput":0,"output":2}"#.utf8))
    #expect(old == Cost(input: 1, output: 2), "a cost stored before media was priced reads with none")
    #expect(StoredJSON.scores(from: ["a": 1, "b": 0.5]) == ["a": 1, "b": 0.5])
    #expect(StoredJSON.scores(from: ["a": "x"]) == nil)
  }
}
