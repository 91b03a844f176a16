/// One event of a `text/event-stream` response.
public struct ServerSentEvent: Sendable, Hashable {
  /// The `event:` field; `message` when the server named none.
  public var event: String
  /// The `data:` lines joined with newlines.
  public var data: String
  /// The `id:` field, when present.
  public var id: String?

  /// Creates an event.
  public init(event: String = "message", data: String, id: String? = nil) {
    self.event = event
    self.data = data
    self.id = id
  }
}

/// An incremental decoder for server-sent events (the WHATWG event-stream format).
///
/// Feed it the bytes of each network read as they come; it returns the events completed so far.
/// It survives events split across reads, several events in one read, `\r\n`, `\r` or `\n` line
/// ends (even a `\r\n` split between reads), comments, and a last event without its blank line.
public struct ServerSentEventDecoder: Sendable {
  private var line: [UInt8] = []
  private var lastWasCarriageReturn = false
  private var eventType: String?
  private var dataLines: [String] = []
  private var hasData = false
  private var lastEventID: String?

  private let keepsNamedEventsWithoutData: Bool

  /// Creates a decoder; with `keepsNamedEventsWithoutData`, an event that has an `event:` field
  /// but no data is delivered with empty data instead of being dropped as the standard says.
  public init(keepsNamedEventsWithoutData: Bool = false) {
    self.keepsNamedEventsWithoutData = keepsNamedEventsWithoutData
  }

  /// Decodes the bytes of one read and returns every event they complete.
  public mutating func feed(_ bytes: some Sequence<UInt8>) -> [ServerSentEvent] {
    if let events = bytes.withContiguousStorageIfAvailable({ feed(contiguous: $0) }) { return events }
    var events: [ServerSentEvent] = []
    for byte in bytes {
      if lastWasCarriageReturn {
        lastWasCarriageReturn = false
        if byte == UInt8(ascii: "\n") { continue }
      }
      switch byte {
      case UInt8(ascii: "\n"):
        if let event = endLine() { events.append(event) }
      case UInt8(ascii: "\r"):
        lastWasCarriageReturn = true
        if let event = endLine() { events.append(event) }
      default:
        line.append(byte)
      }
    }
    return events
  }

  /// ``feed(_:)`` for bytes in one piece of memory: each line's bytes are found by a scan for its
  /// end and appended at once, not byte by byte.
  private mutating func feed(contiguous bytes: UnsafeBufferPointer<UInt8>) -> [ServerSentEvent] {
    var events: [ServerSentEvent] = []
    var start = 0
    while start < bytes.count {
      if lastWasCarriageReturn {
        lastWasCarriageReturn = false
        if bytes[start] == UInt8(ascii: "\n") {
          start += 1
          continue
        }
      }
      var end = start
      while end < bytes.count, bytes[end] != UInt8(ascii: "\n"), bytes[end] != UInt8(ascii: "\r") { end += 1 }
      line.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<end]))
      guard end < bytes.count else { break }
      if bytes[end] == UInt8(ascii: "\r") { lastWasCarriageReturn = true }
      if let event = endLine() { events.append(event) }
      start = end + 1
    }
    return events
  }

  /// Ends the stream; returns the last event when the server closed without its blank line.
  public mutating func finish() -> [ServerSentEvent] {
    var events: [ServerSentEvent] = []
    if !line.isEmpty, let event = endLine() { events.append(event) }
    if let event = dispatch() { events.append(event) }
    return events
  }

  private mutating func endLine() -> ServerSentEvent? {
    defer { line.removeAll(keepingCapacity: true) }
    if line.isEmpty { return dispatch() }
    if line[0] == UInt8(ascii: ":") { return nil }
    let colon = line.firstIndex(of: UInt8(ascii: ":")) ?? line.endIndex
    let field = String(decoding: line[..<colon], as: UTF8.self)
    var valueStart = colon < line.endIndex ? colon + 1 : colon
    if valueStart < line.endIndex, line[valueStart] == UInt8(ascii: " ") { valueStart += 1 }
    let stringValue = String(decoding: line[valueStart...], as: UTF8.self)
    switch field {
    case "data":
      dataLines.append(stringValue)
      hasData = true
    case "event":
      eventType = stringValue
    case "id":
      if !stringValue.contains("\0") { lastEventID = stringValue }
    default:
      break
    }
    return nil
  }

  private mutating func dispatch() -> ServerSentEvent? {
    defer {
      dataLines.removeAll(keepingCapacity: true)
      eventType = nil
      hasData = false
    }
    guard hasData || (keepsNamedEventsWithoutData && eventType != nil) else { return nil }
    return ServerSentEvent(
      event: eventType ?? "message",
      data: dataLines.count == 1 ? dataLines[0] : dataLines.joined(separator: "\n"),
      id: lastEventID)
  }
}
