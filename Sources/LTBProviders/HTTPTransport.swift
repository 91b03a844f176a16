import AsyncHTTPClient
public import Foundation
public import LTBCore
import Logging
import NIOConcurrencyHelpers
public import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import Synchronization

/// The one HTTP path every provider takes: rate limiting, retries with backoff, the connect,
/// first-byte and total timeouts, cancellation that closes the connection, and error mapping.
public final class HTTPTransport: Sendable {
  /// The provider settings this transport serves.
  public let settings: ProviderSettings
  private let authentication: @Sendable (Secret?) -> [(String, String)]
  private let configuration: HTTPClient.Configuration
  private let lazyClient = NIOLockedValueBox<HTTPClient?>(nil)
  private let rateLimiter: RateLimiter
  private let retryPolicy: RetryPolicy
  private let logger: Logger

  /// Creates a transport with its own connection pool; `authentication` turns the provider's
  /// current key (``ProviderSettings/currentAPIKey``, looked up per request) into headers.
  public init(
    settings: ProviderSettings,
    authentication: @escaping @Sendable (Secret?) -> [(String, String)] = { _ in [] }
  ) {
    self.settings = settings
    self.authentication = authentication
    var configuration = HTTPClient.Configuration(
      timeout: .init(connect: .nanoseconds(settings.connectTimeout.nanoseconds), read: nil))
    configuration.connectionPool = .init(
      idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 2_048)
    // A refused connection fails the request at once (the retry policy decides about retrying),
    // instead of being retried silently until the connect timeout.
    configuration.connectionPool.retryConnectionEstablishment = false
    configuration.httpVersion = .http1Only
    // The provider call's GenAI span is the client span, and the transport sends its
    // `traceparent`; the client's own span would start a second trace with no parent.
    configuration.tracing.tracer = nil
    self.configuration = configuration
    self.rateLimiter = RateLimiter(
      requestsPerMinute: settings.requestsPerMinute, tokensPerMinute: settings.tokensPerMinute)
    self.retryPolicy = RetryPolicy(settings: settings)
    self.logger = Logger(label: "ltb.providers")
  }

  /// The connection pool, created on first use so that an unused provider holds no resources.
  private var client: HTTPClient {
    lazyClient.withLockedValue { client in
      if let client { return client }
      let created = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
      client = created
      return created
    }
  }

  /// Closes every connection; the transport may be used again afterwards.
  public func shutdown() async {
    let client = lazyClient.withLockedValue { client in
      defer { client = nil }
      return client
    }
    try? await client?.shutdown()
  }

  /// Returns reserved tokens that a finished request did not use.
  public func refund(tokens: Int) async {
    await rateLimiter.refund(tokens: tokens)
  }

  /// Sends `request` and hands the successful response's body to `consume`.
  ///
  /// Retries rate limits, server and network errors by the retry policy; each attempt waits for
  /// the rate limiter first and runs under the first-byte and total timeouts. `consume` gets the
  /// body and the moment the request was sent; the result carries the attempt count.
  public func execute<T: Sendable>(
    _ request: OutgoingRequest, reservedTokens: Int,
    mapError: @escaping @Sendable (HTTPErrorResponse) -> LTBError,
    consume: @escaping @Sendable (ResponseBody, ContinuousClock.Instant) async throws -> T
  ) async throws -> (value: T, attempts: Int) {
    let httpRequest = makeHTTPRequest(request)
    var attempt = 0
    var staleConnectionRetried = false
    while true {
      attempt += 1
      do {
        try await rateLimiter.acquire(tokens: reservedTokens)
        let value = try await runAttempt(httpRequest, mapError: mapError, consume: consume)
        return (value, attempt)
      } catch  where Task.isCancelled {
        // Whatever surfaced (a closed channel, a cancelled request), the cause is the cancellation.
        throw LTBError(.cancelled, "\(settings.name): the request was cancelled")
      } catch let failure as BodyConsumptionFailure {
        throw mapTransportError(failure.underlying)
      } catch {
        // A pooled keep-alive connection the server already closed fails before anything is
        // sent: try once more at once, on a fresh connection, without counting it as a retry.
        if !staleConnectionRetried, Self.isStaleConnection(error) {
          staleConnectionRetried = true
          continue
        }
        let mapped = mapTransportError(error)
        let retryNumber = attempt - (staleConnectionRetried ? 1 : 0)
        guard let delay = retryPolicy.delay(beforeRetry: retryNumber, after: mapped) else { throw mapped }
        logger.debug(
          "retrying after error",
          metadata: ["provider": "\(settings.name)", "attempt": "\(attempt)", "error": "\(mapped.message)"])
        try await Task.sleep(for: delay)
      }
    }
  }

  /// Sends `request` and returns the whole successful body.
  public func data(
    for request: OutgoingRequest, mapError: @escaping @Sendable (HTTPErrorResponse) -> LTBError
  ) async throws -> Data {
    try await execute(request, reservedTokens: 0, mapError: mapError) { body, _ in
      var data = Data()
      for try await chunk in body { data.append(contentsOf: chunk.buffer.readableBytesView) }
      return data
    }.value
  }

  private func runAttempt<T: Sendable>(
    _ request: PreparedRequest, mapError: @escaping @Sendable (HTTPErrorResponse) -> LTBError,
    consume: @escaping @Sendable (ResponseBody, ContinuousClock.Instant) async throws -> T
  ) async throws -> T {
    let firstByte = FirstByteSignal()
    let settings = settings
    let client = client
    return try await withThrowingTaskGroup(of: T?.self) { group in
      group.addTask {
        let (chunks, continuation) = AsyncThrowingStream<ResponseBody.Chunk, any Error>.makeStream()
        let head = client.eventLoopGroup.any().makePromise(of: HTTPResponseHead.self)
        let delegate = TimestampingDelegate(head: head, chunks: continuation, firstByte: firstByte)
        let httpRequest = try HTTPClient.Request(
          url: request.url, method: request.method, headers: request.headers,
          body: request.body.map { .byteBuffer($0) })
        let sentAt = ContinuousClock.now
        let task = client.execute(
          request: httpRequest, delegate: delegate,
          deadline: .now() + .nanoseconds(settings.totalTimeout.nanoseconds))
        return try await withTaskCancellationHandler {
          let response = try await head.futureResult.get()
          var headers: [String: String] = [:]
          for header in response.headers { headers[header.name.lowercased()] = header.value }
          let body = ResponseBody(chunks: chunks, headers: headers)
          guard (200..<300).contains(response.status.code) else {
            var data = Data()
            for try await chunk in body where data.count < 1 << 20 {
              data.append(contentsOf: chunk.buffer.readableBytesView)
            }
            firstByte.fire()
            throw mapError(HTTPErrorResponse(status: Int(response.status.code), headers: headers, body: data))
          }
          do {
            return try await consume(body, sentAt)
          } catch {
            // Part of the answer may already be delivered: never retry past this point.
            throw BodyConsumptionFailure(underlying: error)
          }
        } onCancel: {
          task.cancel()
        }
      }
      group.addTask {
        let start = ContinuousClock.now
        try await Task.sleep(until: start + settings.firstByteTimeout)
        if !firstByte.hasFired {
          throw LTBError(
            .timeout,
            "\(settings.name): no response within \(Self.describe(settings.firstByteTimeout)) (first-byte timeout)",
            fix:
              "raise providers.\(settings.name).timeout_first_byte_ms or check the server at \(settings.baseURL)"
          )
        }
        try await Task.sleep(until: start + settings.totalTimeout)
        throw LTBError(
          .timeout,
          "\(settings.name): the response did not finish within \(Self.describe(settings.totalTimeout)) (total timeout)",
          fix: "raise providers.\(settings.name).timeout_total_ms or ask for fewer tokens")
      }
      defer { group.cancelAll() }
      while let result = try await group.next() {
        if let value = result { return value }
      }
      throw CancellationError()
    }
  }

  /// A request ready for the client: absolute URL, method, every header, body bytes.
  struct PreparedRequest: Sendable {
    var url: String
    var method: HTTPMethod
    var headers: HTTPHeaders
    var body: ByteBuffer?
  }

  private func makeHTTPRequest(_ request: OutgoingRequest) -> PreparedRequest {
    var base = settings.baseURL
    while base.hasSuffix("/") { base.removeLast() }
    let path = request.path.hasPrefix("/") || request.path.isEmpty ? request.path : "/" + request.path
    var headers = HTTPHeaders()
    headers.add(name: "User-Agent", value: "ltb/0.1")
    if request.body != nil { headers.add(name: "Content-Type", value: "application/json") }
    for (name, value) in authentication(settings.currentAPIKey) {
      headers.replaceOrAdd(name: name, value: value)
    }
    for (name, value) in request.headers { headers.replaceOrAdd(name: name, value: value) }
    for (name, value) in settings.extraHeaders.sorted(by: { $0.key < $1.key }) {
      headers.replaceOrAdd(name: name, value: value)
    }
    // W3C trace context: the provider call's span, so a traced server joins the same trace.
    for (name, value) in TraceContext.headers() { headers.replaceOrAdd(name: name, value: value) }
    return PreparedRequest(
      url: base + path, method: request.method == .get ? .GET : .POST, headers: headers,
      body: request.body.map { ByteBuffer(data: $0) })
  }

  /// Turns any failure into an `LTBError` with the API key redacted.
  private func mapTransportError(_ error: any Error) -> LTBError {
    var mapped: LTBError
    switch error {
    case let error as LTBError:
      mapped = error
    case is CancellationError:
      mapped = LTBError(.cancelled, "\(settings.name): the request was cancelled")
    case let error as HTTPClientError where error == .cancelled:
      mapped = LTBError(.cancelled, "\(settings.name): the request was cancelled")
    case let error as HTTPClientError where error == .connectTimeout:
      mapped = LTBError(
        .timeout,
        "\(settings.name): could not connect to \(settings.baseURL) within \(Self.describe(settings.connectTimeout))",
        fix: "check base_url and that the server is up, or raise timeout_connect_ms")
    case let error as IOError where error.errnoCode == ECONNREFUSED:
      mapped = LTBError(
        .network,
        "\(settings.name): nothing is listening at \(settings.baseURL) (connection refused, \(error.errnoCode))",
        fix: "start the server, or fix providers.\(settings.name).base_url")
    case let error as HTTPClientError where error == .deadlineExceeded:
      mapped = LTBError(
        .timeout,
        "\(settings.name): the response did not finish within \(Self.describe(settings.totalTimeout)) (total timeout)",
        fix: "raise providers.\(settings.name).timeout_total_ms or ask for fewer tokens")
    case let error as HTTPClientError
    where error == .remoteConnectionClosed || error == .readTimeout:
      mapped = LTBError(
        .network, "\(settings.name): the connection to \(settings.baseURL) closed early (\(error))",
        fix: "the server dropped the connection; check its logs")
    default:
      mapped = LTBError(
        .network, "\(settings.name): request to \(settings.baseURL) failed: \(error)",
        fix: "check base_url, the network, and that the server is running")
    }
    if let key = settings.currentAPIKey {
      mapped.message = key.redact(mapped.message)
      mapped.fix = mapped.fix.map(key.redact)
    }
    return mapped
  }

  static func isStaleConnection(_ error: any Error) -> Bool {
    if let error = error as? HTTPClientError, error == .remoteConnectionClosed { return true }
    if let error = error as? ChannelError, error == .ioOnClosedChannel || error == .alreadyClosed {
      return true
    }
    return false
  }

  static func describe(_ duration: Duration) -> String {
    let ms = duration.milliseconds
    return ms >= 1_000 ? String(format: "%.3g s", ms / 1_000) : String(format: "%.0f ms", ms)
  }
}

/// A failure while reading a successful response; such failures are final, never retried.
struct BodyConsumptionFailure: Error {
  var underlying: any Error
}

/// Set when the first byte of a response body arrives (or the body turns out empty).
final class FirstByteSignal: Sendable {
  private let fired = Atomic<Bool>(false)

  func fire() { fired.store(true, ordering: .relaxed) }

  var hasFired: Bool { fired.load(ordering: .relaxed) }
}

/// A response body whose chunks carry the moment the event loop read them from the socket, on
/// the monotonic clock: arrival times do not depend on how soon a task gets to look at them.
public struct ResponseBody: AsyncSequence, Sendable {
  /// One network read.
  public struct Chunk: Sendable {
    /// The bytes read.
    public var buffer: ByteBuffer
    /// When they arrived.
    public var receivedAt: ContinuousClock.Instant
  }

  let chunks: AsyncThrowingStream<Chunk, any Error>
  /// The response's headers, names lower-cased.
  public let headers: [String: String]

  /// Starts reading.
  public func makeAsyncIterator() -> AsyncThrowingStream<Chunk, any Error>.AsyncIterator {
    chunks.makeAsyncIterator()
  }
}

/// Receives a response on the event loop, stamping each part as it is read. The parts of one
/// event-loop tick (one read from the socket holds many chunks of a chunked body) are handed on
/// together, stamped when the first arrived: a stream's consumer wakes once per read, not once
/// per chunk.
final class TimestampingDelegate: HTTPClientResponseDelegate {
  typealias Response = Void

  private let head: EventLoopPromise<HTTPResponseHead>
  private let chunks: AsyncThrowingStream<ResponseBody.Chunk, any Error>.Continuation
  private let firstByte: FirstByteSignal
  private let headDelivered = NIOLockedValueBox(false)
  /// The parts read in the current tick, not yet handed on.
  private let pending = NIOLockedValueBox<ResponseBody.Chunk?>(nil)

  init(
    head: EventLoopPromise<HTTPResponseHead>,
    chunks: AsyncThrowingStream<ResponseBody.Chunk, any Error>.Continuation,
    firstByte: FirstByteSignal
  ) {
    self.head = head
    self.chunks = chunks
    self.firstByte = firstByte
  }

  func didReceiveHead(task: HTTPClient.Task<Void>, _ responseHead: HTTPResponseHead) -> EventLoopFuture<Void>
  {
    headDelivered.withLockedValue { $0 = true }
    head.succeed(responseHead)
    return task.eventLoop.makeSucceededVoidFuture()
  }

  func didReceiveBodyPart(task: HTTPClient.Task<Void>, _ buffer: ByteBuffer) -> EventLoopFuture<Void> {
    let now = ContinuousClock.now
    firstByte.fire()
    let first = pending.withLockedValue { pending -> Bool in
      guard pending != nil else {
        pending = ResponseBody.Chunk(buffer: buffer, receivedAt: now)
        return true
      }
      var combined = buffer
      pending?.buffer.writeBuffer(&combined)
      return false
    }
    // Tasks run after the tick's reads: the flush takes every part this tick delivered.
    if first { task.eventLoop.execute { self.flush() } }
    return task.eventLoop.makeSucceededVoidFuture()
  }

  /// Hands on the parts read so far.
  private func flush() {
    if let chunk = pending.withLockedValue({ pending in
      defer { pending = nil }
      return pending
    }) {
      chunks.yield(chunk)
    }
  }

  func didReceiveError(task: HTTPClient.Task<Void>, _ error: any Error) {
    if !headDelivered.withLockedValue({ $0 }) { head.fail(error) }
    flush()
    chunks.finish(throwing: error)
  }

  func didFinishRequest(task: HTTPClient.Task<Void>) throws {
    firstByte.fire()
    flush()
    chunks.finish()
  }
}
