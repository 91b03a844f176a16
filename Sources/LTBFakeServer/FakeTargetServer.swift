import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// The benchmark target: a fake OpenAI-compatible server written straight on SwiftNIO's event
/// loops (no tasks, no actors), so that it costs as little CPU as possible and its timers fire
/// on time. `ltb fake-server` runs it; the load generator is measured against it.
public final class FakeTargetServer: Sendable {
  /// The port it listens on.
  public let port: Int
  private let channel: any Channel

  private init(channel: any Channel) {
    self.channel = channel
    self.port = channel.localAddress?.port ?? 0
  }

  /// Starts listening on 127.0.0.1 (port 0 picks a free one).
  public static func start(port: Int, options: FakeOpenAITarget.Options) async throws -> FakeTargetServer {
    let counter = RequestCounter()
    let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
      .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
      .serverChannelOption(.backlog, value: 4_096)
      .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
      .childChannelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
          try channel.pipeline.syncOperations.configureHTTPServerPipeline()
          try channel.pipeline.syncOperations.addHandler(
            FakeTargetHandler(options: options, counter: counter))
        }
      }
      .bind(host: "127.0.0.1", port: port).get()
    return FakeTargetServer(channel: channel)
  }

  /// `http://127.0.0.1:PORT`.
  public var baseURL: String { "http://127.0.0.1:\(port)" }

  /// Stops listening.
  public func stop() async {
    try? await channel.close()
  }

  /// Waits until the server stops.
  public func waitUntilStopped() async {
    try? await channel.closeFuture.get()
  }
}

/// Answers each request on the connection's event loop, with timers for TTFT and every token.
final class FakeTargetHandler: ChannelInboundHandler, RemovableChannelHandler {
  typealias InboundIn = HTTPServerRequestPart
  typealias OutboundOut = HTTPServerResponsePart

  private let options: FakeOpenAITarget.Options
  private let counter: RequestCounter
  private var head: HTTPRequestHead?
  private var body = ByteBuffer()

  init(options: FakeOpenAITarget.Options, counter: RequestCounter) {
    self.options = options
    self.counter = counter
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    switch unwrapInboundIn(data) {
    case .head(let requestHead):
      head = requestHead
      body.clear()
    case .body(var chunk):
      body.writeBuffer(&chunk)
    case .end:
      guard let requestHead = head else { return }
      respond(to: requestHead, context: context)
    }
  }

  private func respond(to request: HTTPRequestHead, context: ChannelHandlerContext) {
    if request.method == .GET {
      let models = #"{"object":"list","data":[{"id":"\#(options.model)","object":"model"}]}"#
      writeWhole(status: .ok, body: models, keepAlive: request.isKeepAlive, context: context)
      return
    }
    guard request.uri.hasSuffix("/chat/completions") else {
      let error = #"{"error":{"message":"unknown path \#(request.uri)","type":"invalid_request_error"}}"#
      writeWhole(status: .notFound, body: error, keepAlive: request.isKeepAlive, context: context)
      return
    }
    let script = FakeCompletionScript(
      requestBody: Data(body.readableBytesView), outputTokens: options.outputTokens, model: options.model)
    let start = NIODeadline.now()
    let index = counter.next()
    let slow = options.slowPhase.map { index >= $0.after && index < $0.after + $0.count } ?? false
    let ttft = slow ? options.slowPhase!.timeToFirstToken : options.timeToFirstToken
    let firstToken = start + .nanoseconds(ttft.nanosecondsValue)
    let gap = TimeAmount.nanoseconds(options.interTokenLatency.nanosecondsValue)
    let keepAlive = request.isKeepAlive
    let loop = context.eventLoop.assumeIsolated()
    guard script.stream else {
      loop.scheduleTask(deadline: firstToken + gap * Int64(script.tokens - 1)) {
        self.writeWhole(status: .ok, body: script.completion, keepAlive: keepAlive, context: context)
      }
      return
    }
    var headers = HTTPHeaders([
      ("Content-Type", "text/event-stream"), ("Cache-Control", "no-cache"),
      ("x-request-id", Self.requestID()),
    ])
    if !keepAlive { headers.add(name: "Connection", value: "close") }
    context.write(
      wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil
    )
    write(script.opening, context: context, flush: true)
    if gap == .zero {
      loop.scheduleTask(deadline: firstToken) {
        for index in 0..<script.tokens { self.write(script.token(index), context: context, flush: false) }
        self.finish(script, keepAlive: keepAlive, context: context)
      }
      return
    }
    for index in 0..<script.tokens {
      loop.scheduleTask(deadline: firstToken + gap * Int64(index)) {
        self.write(script.token(index), context: context, flush: true)
        if index == script.tokens - 1 { self.finish(script, keepAlive: keepAlive, context: context) }
      }
    }
  }

  private func write(_ text: String, context: ChannelHandlerContext, flush: Bool) {
    context.write(
      wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: text)))), promise: nil)
    if flush { context.flush() }
  }

  private func finish(_ script: FakeCompletionScript, keepAlive: Bool, context: ChannelHandlerContext) {
    write(script.closing, context: context, flush: false)
    context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    if !keepAlive { context.close(promise: nil) }
  }

  /// A request id, as OpenAI sends one with every answer.
  private static func requestID() -> String {
    "req_fake_" + String(UInt64.random(in: 0...UInt64.max), radix: 16)
  }

  private func writeWhole(
    status: HTTPResponseStatus, body: String, keepAlive: Bool, context: ChannelHandlerContext
  ) {
    var headers = HTTPHeaders([
      ("Content-Type", "application/json"), ("Content-Length", String(body.utf8.count)),
      ("x-request-id", Self.requestID()),
    ])
    if !keepAlive { headers.add(name: "Connection", value: "close") }
    context.write(
      wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))),
      promise: nil)
    write(body, context: context, flush: false)
    context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    if !keepAlive { context.close(promise: nil) }
  }
}

extension Duration {
  /// Whole nanoseconds.
  var nanosecondsValue: Int64 {
    let parts = components
    return parts.seconds * 1_000_000_000 + parts.attoseconds / 1_000_000_000
  }
}

/// The chat requests answered so far, shared by every connection's handler.
final class RequestCounter: Sendable {
  private let count = Atomic<Int>(0)

  /// This request's number, from 0.
  func next() -> Int { count.add(1, ordering: .relaxed).oldValue }
}
