import LTBProviders
import Testing

/// The SSE and NDJSON framers survive every way a network can cut a stream into reads.
@Suite("Stream framing")
struct StreamDecoderTests {
  static let eventStream = Array(
    (": comment first\n"
      + "event: message_start\ndata: {\"a\":1}\n\n"
      + "data: line one\ndata: line two\n\n"
      + "id: 7\r\ndata: crlf\r\n\r\n"
      + "data:no-space\rdata: cr only\r\r"
      + "event: ping\n\n"
      + "data: [DONE]\n\n").utf8)

  static let expectedEvents = [
    ServerSentEvent(event: "message_start", data: #"{"a":1}"#),
    ServerSentEvent(data: "line one\nline two"),
    ServerSentEvent(data: "crlf", id: "7"),
    ServerSentEvent(data: "no-space\ncr only", id: "7"),
    ServerSentEvent(data: "[DONE]", id: "7"),
  ]

  @Test("every split point of the stream gives the same events")
  func everySplitPoint() {
    for split in 0...Self.eventStream.count {
      var decoder = ServerSentEventDecoder()
      let events =
        decoder.feed(Self.eventStream[..<split]) + decoder.feed(Self.eventStream[split...]) + decoder.finish()
      #expect(events == Self.expectedEvents, "split at \(split)")
    }
  }

  @Test(
    "reads in one piece of memory (scanned for line ends) and reads of a lazy sequence give the same events")
  func contiguousAndSequential() {
    for split in 0...Self.eventStream.count {
      var scanned = ServerSentEventDecoder()
      var sequential = ServerSentEventDecoder()
      let head = Self.eventStream[..<split]
      let tail = Self.eventStream[split...]
      let fast = scanned.feed(head) + scanned.feed(tail) + scanned.finish()
      let slow =
        sequential.feed(head.lazy.map { $0 }) + sequential.feed(tail.lazy.map { $0 }) + sequential.finish()
      #expect(fast == slow && fast == Self.expectedEvents, "split at \(split)")
    }
  }

  @Test("byte-at-a-time reads give the same events")
  func byteAtATime() {
    var decoder = ServerSentEventDecoder()
    var events: [ServerSentEvent] = []
    for byte in Self.eventStream { events += decoder.feed([byte]) }
    events += decoder.finish()
    #expect(events == Self.expectedEvents)
  }

  @Test("a last event without its blank line still arrives; an empty event does not")
  func missingFinalBlankLine() {
    var decoder = ServerSentEventDecoder()
    #expect(decoder.feed(Array("data: {\"x\":1}\n\ndata: tail".utf8)) == [ServerSentEvent(data: #"{"x":1}"#)])
    #expect(decoder.finish() == [ServerSentEvent(data: "tail")])
    var empty = ServerSentEventDecoder()
    #expect(empty.feed(Array("event: x\n\n:only a comment\n\n".utf8)).isEmpty)
    #expect(empty.finish().isEmpty)
  }

  @Test("LangServe's framing keeps a named event without data (its `event: end`), and nothing else empty")
  func namedEventsWithoutData() {
    var decoder = ServerSentEventDecoder(keepsNamedEventsWithoutData: true)
    let events = decoder.feed(Array("event: data\ndata: \"P\"\n\nevent: end\r\n\r\n:comment\n\n\n".utf8))
    #expect(
      events == [ServerSentEvent(event: "data", data: "\"P\""), ServerSentEvent(event: "end", data: "")])
    #expect(decoder.finish().isEmpty)
  }

  @Test("multi-byte UTF-8 characters split across reads survive")
  func utf8Split() {
    let bytes = Array("data: héllo → 世界\n\n".utf8)
    for split in 0...bytes.count {
      var decoder = ServerSentEventDecoder()
      let events = decoder.feed(bytes[..<split]) + decoder.feed(bytes[split...]) + decoder.finish()
      #expect(events == [ServerSentEvent(data: "héllo → 世界")])
    }
  }

  @Test("NDJSON: split lines join, blank lines are skipped, the last line needs no newline")
  func ndjson() {
    let text = Array("{\"a\":1}\n\n  \n{\"b\":\"é\"}\r\n{\"c\":3}".utf8)
    let expected = [#"{"a":1}"#, #"{"b":"é"}"#, #"{"c":3}"#]
    for split in 0...text.count {
      var decoder = NDJSONDecoder()
      let lines = decoder.feed(text[..<split]) + decoder.feed(text[split...]) + decoder.finish()
      #expect(lines.map { String(decoding: $0, as: UTF8.self) } == expected, "split at \(split)")
    }
  }
}
