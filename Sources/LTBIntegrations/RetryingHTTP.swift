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

  /// The first answer that is neither a 429 nor a 5xx: its status and body.
  static func send(_ request: HTTPClientRequest, attempts: Int, timeout: Duration, maxBytes: Int) async throws
    -> (status: Int, body: String)
  {
    var delay = Duration.milliseconds(200)
    var last = ""
    for attempt in 1...max(1, attempts) {
      do {
        let response = try await HTTPClient.shared.execute(
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
