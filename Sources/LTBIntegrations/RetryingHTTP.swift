import AsyncHTTPClient
import LTBCore
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// The retry loop the trackers' clients share: a request is sent again after a network error, a
/// 429 or a 5xx, waiting 200 ms and doubling, until it gets any other answer or runs out of
/// attempts.
enum RetryingHTTP {
  /// The attempts ran out; `last` says how the last one failed.
  struct Exhausted: Error {
    var last: String
  }

  /// The trackers' connection pool. A refused connection fails the attempt at once, so the loop
  /// below decides about retrying; the shared client would retry it silently until the request's
  /// deadline, turning five attempts at a dead tracker into minutes.
  static let client: HTTPClient = {
    var configuration = HTTPClient.Configuration(timeout: .init(connect: .seconds(5)))
    configuration.connectionPool.retryConnectionEstablishment = false
    return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
  }()

  /// The first answer that is neither a 429 nor a 5xx: its status and body.
  static func send(_ request: HTTPClientRequest, attempts: Int, timeout: Duration, maxBytes: Int) async throws
    -> (status: Int, body: String)
  {
    var delay = Duration.milliseconds(200)
    var last = ""
    for attempt in 1...max(1, attempts) {
      do {
        let response = try await client.execute(
          request, timeout: .nanoseconds(timeout.nanoseconds))
        let text = String(buffer: try await response.body.collect(upTo: maxBytes))
        let status = Int(response.status.code)
        guard status == 429 || status >= 500 else { return (status, text) }
        last = "HTTP \(status): \(text.prefix(200))"
      } catch {
        last = "\(error)"
      }
      if attempt < attempts {
        try await Task.sleep(for: delay)
        delay *= 2
      }
    }
    throw Exhausted(last: last)
  }
}
