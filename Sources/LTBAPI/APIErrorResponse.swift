public import Foundation
public import LTBCore

/// The one error envelope and the one code → HTTP status map of the gateway: GraphQL over HTTP
/// (when no data came back), the REST shim, and the routes outside the schema all answer
/// `{"error": message, "code": CODE, "fix": what to do}` with the status of the code.
public enum APIErrorResponse {
  /// Codes of the GraphQL layer itself (not ``LTBError/Code``) and their statuses.
  static let gatewayCodes: [String: Int] = [
    "GRAPHQL_PARSE_FAILED": 400, "GRAPHQL_VALIDATION_FAILED": 400, "BAD_USER_INPUT": 400,
    "BAD_REQUEST": 400, "QUERY_TOO_DEEP": 400, "QUERY_TOO_COMPLEX": 400, "INTROSPECTION_DISABLED": 400,
    "METHOD_NOT_ALLOWED": 405,
  ]

  /// The HTTP status of an error code: an ``LTBError/Code``'s own status, a gateway code's, else
  /// 500 (an error the server did not expect).
  public static func status(_ code: String) -> Int {
    if let match = LTBError.Code.allCases.first(where: { $0.graphQLCode == code }) { return match.httpStatus }
    return gatewayCodes[code] ?? 500
  }

  /// The JSON body of an error.
  public static func body(code: String, message: String, fix: String?) -> Data {
    var body: [String: JSONValue] = ["error": .string(message), "code": .string(code)]
    if let fix, !fix.isEmpty { body["fix"] = .string(fix) }
    return Data(JSONValue.object(body).serialized(sortedKeys: true).utf8)
  }

  /// The JSON body of `error`.
  public static func body(_ error: LTBError) -> Data {
    body(code: error.code.graphQLCode, message: error.message, fix: error.fix)
  }
}
