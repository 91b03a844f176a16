import Foundation
public import HTTPTypes
public import Hummingbird
public import Logging

/// Writes one access-log line per request at `info` (request id, method, route, status,
/// duration, principal, client address; never a credential, a query string or a body) and
/// answers with `X-Request-Id`: the client's own when it sent a usable one, else a new UUID.
public struct AccessLogMiddleware: RouterMiddleware {
  let logger: Logger

  /// A middleware writing to `logger`.
  public init(logger: Logger) { self.logger = logger }

  /// The longest client-sent request id kept; longer or non-printable ones are replaced.
  static let maxRequestIDLength = 128

  /// Logs the rest of the chain's outcome.
  public func handle(
    _ request: Request, context: GatewayRequestContext,
    next: (Request, GatewayRequestContext) async throws -> Response
  ) async throws -> Response {
    let record = RequestRecord(id: Self.requestID(request.headers[.xRequestID]))
    var context = context
    context.record = record
    let start = ContinuousClock.now
    do {
      var response = try await next(request, context)
      response.headers[.xRequestID] = record.id
      log(request, context, record, status: response.status.code, since: start)
      return response
    } catch {
      log(
        request, context, record, status: (error as? any HTTPResponseError)?.status.code ?? 500, since: start)
      throw error
    }
  }

  private func log(
    _ request: Request, _ context: GatewayRequestContext, _ record: RequestRecord, status: Int,
    since start: ContinuousClock.Instant
  ) {
    guard logger.logLevel <= .info else { return }
    let duration = (ContinuousClock.now - start).components
    let microseconds = duration.seconds * 1_000_000 + duration.attoseconds / 1_000_000_000_000
    logger.info(
      "\(request.method.rawValue) \(context.endpointPath ?? request.uri.path) \(status)",
      metadata: [
        "request_id": .string(record.id), "method": .string(request.method.rawValue),
        "route": .string(context.endpointPath ?? "unmatched"), "status": .stringConvertible(status),
        "duration_ms": .string(Self.milliseconds(microseconds)),
        "principal": .string(record.principal ?? "-"),
        "client": .string(context.remoteAddress?.ipAddress ?? "-"),
      ])
  }

  /// `microseconds` as milliseconds with three decimals (`1234` is `1.234`).
  static func milliseconds(_ microseconds: Int64) -> String {
    let fraction = String(microseconds % 1_000)
    return String(microseconds / 1_000) + "." + String(repeating: "0", count: 3 - fraction.count) + fraction
  }

  /// The client's request id when it is 1-128 visible ASCII characters, else a new UUID.
  static func requestID(_ given: String?) -> String {
    if let given, (1...maxRequestIDLength).contains(given.utf8.count),
      given.utf8.allSatisfy({ (0x21...0x7E).contains($0) })
    {
      return given
    }
    return UUID().uuidString.lowercased()
  }
}

extension HTTPField.Name {
  /// `X-Request-Id`: a request's id, accepted from the client or generated, and echoed back.
  static let xRequestID = HTTPField.Name("X-Request-Id")!
}
