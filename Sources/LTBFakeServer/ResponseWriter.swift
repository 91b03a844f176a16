public import Foundation
import NIOCore
import NIOHTTP1

/// Writes one response of the loopback server: a head, body pieces flushed as they are written
/// (so that streams arrive in pieces), an end, or an abrupt close that cuts the response.
public actor ResponseWriter {
  private let outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>
  private let channel: any Channel
  private var headSent = false
  private(set) var ended = false
  private(set) var aborted = false
  private(set) var closesAfterResponse = false

  init(outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>, channel: any Channel) {
    self.outbound = outbound
    self.channel = channel
  }

  /// Sends the status line and headers. Without `Content-Length` the body is chunked.
  public func head(status: Int, headers: [(String, String)] = []) async throws {
    var fields = HTTPHeaders()
    for (name, value) in headers { fields.add(name: name, value: value) }
    try await outbound.write(
      .head(HTTPResponseHead(version: .http1_1, status: .init(statusCode: status), headers: fields)))
    headSent = true
  }

  /// Sends a piece of the body at once.
  public func write(_ text: String) async throws {
    try await write(Data(text.utf8))
  }

  /// Sends a piece of the body at once.
  public func write(_ data: Data) async throws {
    if !headSent { try await head(status: 200) }
    try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: data))))
  }

  /// Ends the response.
  public func end() async throws {
    guard !ended, !aborted else { return }
    if !headSent { try await head(status: 200, headers: [("Content-Length", "0")]) }
    try await outbound.write(.end(nil))
    ended = true
  }

  /// Sends a whole response with a `Content-Length`.
  public func respond(
    status: Int, contentType: String = "application/json", headers: [(String, String)] = [], body: String
  )
    async throws
  {
    let bytes = Data(body.utf8)
    try await head(
      status: status,
      headers: [("Content-Type", contentType), ("Content-Length", String(bytes.count))] + headers)
    if !bytes.isEmpty { try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: bytes)))) }
    try await end()
  }

  /// Closes the connection once this response is complete, without saying so in a header, as
  /// servers do with idle keep-alive connections.
  public func closeAfterResponse() {
    closesAfterResponse = true
  }

  /// Closes the connection in the middle of the response, as a crashed server or proxy would.
  public func abort() async {
    aborted = true
    try? await channel.close()
  }
}
