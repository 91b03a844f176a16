import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// A small HTTP/1.1 server on 127.0.0.1 whose answers a closure writes: the stand-in for vendor
/// APIs in contract tests (it records every request), and the base of `ltb fake-server`.
public final class LoopbackHTTPServer: Sendable {
  /// Writes the response to one request.
  public typealias Handler = @Sendable (RecordedRequest, ResponseWriter) async throws -> Void

  /// The port it listens on.
  public let port: Int
  private let serverChannel: any Channel
  private let acceptLoop: Task<Void, Never>
  private let recorded: NIOLockedValueBox<[RecordedRequest]>

  /// `http://127.0.0.1:PORT`.
  public var baseURL: String { "http://127.0.0.1:\(port)" }

  /// Every request received so far, in order.
  public var requests: [RecordedRequest] { recorded.withLockedValue { $0 } }

  /// Starts listening (port 0 picks a free one).
  public static func start(host: String = "127.0.0.1", port: Int = 0, handler: @escaping Handler) async throws
    -> LoopbackHTTPServer
  {
    let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
      .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
      .serverChannelOption(.backlog, value: 1_024)
      .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
      .bind(host: host, port: port) { channel in
        channel.eventLoop.makeCompletedFuture {
          try channel.pipeline.syncOperations.configureHTTPServerPipeline()
          return try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(
            wrappingChannelSynchronously: channel)
        }
      }
    return LoopbackHTTPServer(server: server, handler: handler)
  }

  private init(
    server: NIOAsyncChannel<NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, Never>,
    handler: @escaping Handler
  ) {
    let recorded = NIOLockedValueBox<[RecordedRequest]>([])
    self.recorded = recorded
    self.serverChannel = server.channel
    self.port = server.channel.localAddress?.port ?? 0
    self.acceptLoop = Task {
      try? await server.executeThenClose { connections in
        try await withThrowingDiscardingTaskGroup { group in
          for try await connection in connections {
            group.addTask { await Self.serve(connection, recorded: recorded, handler: handler) }
          }
        }
      }
    }
  }

  /// Waits until the server stops.
  public func waitUntilStopped() async {
    await acceptLoop.value
  }

  /// Stops listening and waits for the accept loop to end.
  public func stop() async {
    try? await serverChannel.close()
    await acceptLoop.value
  }

  private static func serve(
    _ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>,
    recorded: NIOLockedValueBox<[RecordedRequest]>,
    handler: Handler
  ) async {
    let channel = connection.channel
    try? await connection.executeThenClose { inbound, outbound in
      var head: HTTPRequestHead?
      var body = ByteBuffer()
      for try await part in inbound {
        switch part {
        case .head(let requestHead):
          head = requestHead
          body.clear()
        case .body(var chunk):
          body.writeBuffer(&chunk)
        case .end:
          guard let requestHead = head else { continue }
          let request = RecordedRequest(
            method: requestHead.method.rawValue, uri: requestHead.uri,
            headers: requestHead.headers.map { (name: $0.name, value: $0.value) },
            body: Data(body.readableBytesView))
          recorded.withLockedValue { $0.append(request) }
          let writer = ResponseWriter(outbound: outbound, channel: channel)
          do {
            try await handler(request, writer)
            try await writer.end()
          } catch {
            await writer.abort()
          }
          let aborted = await writer.aborted
          let closes = await writer.closesAfterResponse
          if aborted || closes || !requestHead.isKeepAlive { return }
        }
      }
    }
  }
}
