import Foundation
import HTTPTypes
import Hummingbird
import LTBAPI
import LTBCore
import NIOCore

/// The responses every controller and middleware builds the same way: JSON bodies and the one
/// error envelope (``APIErrorResponse``) with its code's HTTP status.
enum GatewayResponse {
  /// `body` as JSON (keys sorted) with `status`.
  static func json(_ status: Int, _ body: [String: JSONValue]) -> Response {
    Response(
      status: HTTPResponse.Status(code: status), headers: [.contentType: "application/json"],
      body: ResponseBody(byteBuffer: ByteBuffer(string: JSONValue.object(body).serialized(sortedKeys: true))))
  }

  /// `bytes` that are JSON already, with `status`.
  static func json(_ status: Int, bytes: some Collection<UInt8>) -> Response {
    Response(
      status: HTTPResponse.Status(code: status), headers: [.contentType: "application/json"],
      body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
  }

  /// The error envelope for a gateway code, with that code's status.
  static func error(_ code: String, _ message: String, fix: String) -> Response {
    json(APIErrorResponse.status(code), bytes: APIErrorResponse.body(code: code, message: message, fix: fix))
  }

  /// The error envelope of `error` with its HTTP status, plus `headers`.
  static func error(_ error: LTBError, headers: [(name: String, value: String)] = []) -> Response {
    var response = json(error.code.httpStatus, bytes: APIErrorResponse.body(error))
    for header in headers {
      if let name = HTTPField.Name(header.name) { response.headers[name] = header.value }
    }
    return response
  }
}
