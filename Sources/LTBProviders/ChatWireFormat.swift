public import Foundation
public import LTBCore

/// How a vendor frames a streamed response.
public enum StreamFraming: Sendable {
  /// `text/event-stream`.
  case serverSentEvents
  /// `text/event-stream` where a named event without data counts (LangServe ends its stream
  /// with `event: end` alone, which the standard would drop).
  case serverSentEventsWithEmptyEvents
  /// One JSON object per line.
  case newlineDelimitedJSON
}

/// One framed message of a stream.
public enum StreamMessage: Sendable {
  /// A server-sent event.
  case event(ServerSentEvent)
  /// One NDJSON line.
  case line([UInt8])

  /// The payload bytes (the event's data or the line).
  public var payload: Data {
    switch self {
    case .event(let event): Data(event.data.utf8)
    case .line(let bytes): Data(bytes)
    }
  }
}

/// Turns a vendor's stream messages into ``StreamEvent``s; one per request, so it may keep state.
public protocol ChatStreamDecoder: Sendable {
  /// Decodes one message; throws an `LTBError` for an error the vendor sent mid-stream.
  mutating func decode(_ message: StreamMessage) throws -> [StreamEvent]
  /// Whether the vendor's end-of-stream marker has been seen.
  var isComplete: Bool { get }
}

/// The vendor-specific half of a chat provider: how requests are written and answers read.
public protocol ChatWireFormat: Sendable {
  /// The stream decoder type.
  associatedtype StreamDecoder: ChatStreamDecoder
  /// How streams are framed.
  var framing: StreamFraming { get }
  /// The HTTP request for a chat completion.
  func chatRequest(_ request: CompletionRequest, model: String, stream: Bool) async throws -> OutgoingRequest
  /// Decodes a non-streamed answer into events.
  func decodeResponse(_ body: Data) throws -> [StreamEvent]
  /// A fresh decoder for one streamed answer.
  func makeStreamDecoder() -> StreamDecoder
}
