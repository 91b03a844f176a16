import Foundation
import Logging
import Testing

@testable import LTBObservability
@testable import LTBServer

/// The log line writer behind `[general] log_level` and the access log.
@Suite("Log lines")
struct LogLineTests {
  @Test("timestamps: UTC with milliseconds, agreeing with Foundation's calendar across eras")
  func timestamps() {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC")!
    // The epoch, leap days, a century that is not a leap year, the far future and before 1970.
    let instants: [TimeInterval] = [
      0, 951_782_400, 951_868_799.999, 4_107_542_400, 1_796_401_201.123, 253_402_300_799.5, -1, -86_400.25,
      -2_208_988_800,
    ]
    for instant in instants {
      let date = Date(timeIntervalSince1970: instant)
      var bytes: [UInt8] = []
      LogTimestamp.append(date, to: &bytes)
      let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
      let milliseconds =
        Int(((instant * 1_000).rounded(.down)).truncatingRemainder(dividingBy: 1_000) + 1_000) % 1_000
      let expected = String(
        format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", parts.year!, parts.month!, parts.day!, parts.hour!,
        parts.minute!, parts.second!, milliseconds)
      #expect(String(decoding: bytes, as: UTF8.self) == expected, "\(instant)")
    }
  }

  @Test("a line: level, label, message, metadata in key order; quoted and escaped values cannot forge lines")
  func line() {
    var handler = LogLineHandler(label: "ltb.server", level: .info, sink: LogSink(descriptor: -1))
    handler[metadataKey: "zone"] = "a"
    let text = String(
      decoding: handler.line(
        .info, "GET /x\nfake 200",
        ["status": .stringConvertible(200), "client": "1 2", "quote": #"a"b\c"#, "empty": ""],
        at: Date(timeIntervalSince1970: 1_796_401_201.5)),
      as: UTF8.self)
    #expect(
      text
        == #"2026-12-04T16:20:01.500Z info ltb.server: GET /x\nfake 200 client="1 2" empty="" quote="a\"b\\c" status=200 zone=a"#
        + "\n")
    #expect(text.filter { $0 == "\n" }.count == 1)
  }

  @Test("the sink writes buffered lines in order, at once from warning up, and on flush")
  func sink() throws {
    var descriptors: [Int32] = [0, 0]
    #expect(pipe(&descriptors) == 0)
    defer { close(descriptors[0]) }
    let sink = LogSink(descriptor: descriptors[1])
    sink.write(Array("one\n".utf8), immediately: false)
    sink.write(Array("two\n".utf8), immediately: false)
    sink.write(Array("warn\n".utf8), immediately: true)
    sink.write(Array("three\n".utf8), immediately: false)
    sink.flush()
    close(descriptors[1])
    var read: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 256)
    while true {
      let count = Foundation.read(descriptors[0], &buffer, buffer.count)
      if count <= 0 { break }
      read += buffer[0..<count]
    }
    #expect(String(decoding: read, as: UTF8.self) == "one\ntwo\nwarn\nthree\n")
  }

  @Test("the access log's durations: microseconds as milliseconds with three decimals")
  func durations() {
    #expect(AccessLogMiddleware.milliseconds(0) == "0.000")
    #expect(AccessLogMiddleware.milliseconds(7) == "0.007")
    #expect(AccessLogMiddleware.milliseconds(1_234) == "1.234")
    #expect(AccessLogMiddleware.milliseconds(12_345_060) == "12345.060")
  }
}
