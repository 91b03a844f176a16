public import Foundation
import GraphQL
import LTBCore
import OrderedCollections

/// The REST shim without a transport: a route's path and query parameters (or JSON body) become
/// the variables of its pre-written one-field operation, which runs through the same
/// `GraphQLService`; the field's value is the response body, and an error's code picks the
/// HTTP status.
public struct RESTExecutor: Sendable {
  /// An HTTP answer: status and JSON body.
  public struct Response: Sendable {
    /// The HTTP status.
    public var status: Int
    /// The JSON body.
    public var body: Data
    /// The error's code, when it is an error.
    public var code: String? = nil
    /// Seconds to wait before retrying, for `RATE_LIMITED`.
    public var retryAfter: Int? = nil
  }

  private let service: GraphQLService

  /// A shim over `service`.
  public init(service: GraphQLService) { self.service = service }

  /// Runs `route` with path parameters, query parameters and (for POST) a JSON body.
  public func run(
    _ route: RESTRoute, pathParameters: [String: String], query: [String: String], body: Data?,
    context: APIContext
  ) async -> Response {
    let variables: [String: Map]
    do {
      variables = try Self.variables(route, pathParameters: pathParameters, query: query, body: body)
    } catch let error as LTBError {
      return Self.error(error.code.httpStatus, code: error.code.graphQLCode, error.message, fix: error.fix)
    } catch {
      return Self.error(400, code: "INVALID_INPUT", "\(error)", fix: nil)
    }
    let response: GraphQLService.Response
    do {
      response = try await service.respond(route.document, variables: variables, context: context)
    } catch {
      return Self.error(500, code: "INTERNAL", "\(error)", fix: nil)
    }
    if let first = response.errors.first {
      let code = first.extensions["code"]?.string ?? "INTERNAL"
      var failure = Self.error(
        APIErrorResponse.status(code), code: code, first.message, fix: first.extensions["fix"]?.string)
      failure.retryAfter = first.extensions["retryAfter"]?.int
      return failure
    }
    guard let value = response.data.flatMap({ Self.fieldValue($0, route.field) }), value != "null" else {
      return Self.error(404, code: "NOT_FOUND", "\(route.path) found nothing for these parameters", fix: nil)
    }
    return Response(status: 200, body: Data(value.utf8))
  }

  /// The JSON text of the one root field's value in a `data` object's text.
  static func fieldValue(_ data: String, _ field: String) -> Substring? {
    let prefix = "{\"\(field)\":"
    if data.hasPrefix(prefix), data.hasSuffix("}") { return data.dropFirst(prefix.count).dropLast() }
    guard case .dictionary(let members)? = try? JSONDecoder().decode(Map.self, from: Data(data.utf8)),
      let value = members[field].flatMap(present),
      let text = try? GraphQLJSONEncoder().encode(value)
    else { return nil }
    return Substring(String(decoding: text, as: UTF8.self))
  }

  /// The value of a field when it is not null.
  private static func present(_ value: Map) -> Map? {
    switch value {
    case .null, .undefined: nil
    default: value
    }
  }

  static func error(_ status: Int, code: String, _ message: String, fix: String?) -> Response {
    Response(status: status, body: APIErrorResponse.body(code: code, message: message, fix: fix), code: code)
  }

  /// The operation's variables from the request.
  static func variables(
    _ route: RESTRoute, pathParameters: [String: String], query: [String: String], body: Data?
  ) throws -> [String: Map] {
    var variables: [String: Map] = [:]
    if route.method == "POST", let body, !body.isEmpty {
      guard case .dictionary(let members) = try? JSONDecoder().decode(Map.self, from: body) else {
        throw LTBError(.invalidInput, "the request body is not a JSON object", fix: "send {\"input\": {...}}")
      }
      for (name, value) in members where route.arguments.contains(where: { $0.name == name }) {
        variables[name] = value
      }
      if let unknown = members.keys.first(where: { name in !route.arguments.contains { $0.name == name } }) {
        throw LTBError(
          .invalidInput, "\(route.path) takes no '\(unknown)'",
          fix: "use: \(route.arguments.map(\.name).joined(separator: ", "))")
      }
    }
    for argument in route.arguments {
      let text = argument.inPath ? pathParameters[argument.name] : query[argument.name]
      guard let text else { continue }
      variables[argument.name] = try convert(text, argument)
    }
    if route.method == "GET" || route.method == "DELETE",
      let unknown = query.keys.sorted().first(where: { name in !route.arguments.contains { $0.name == name } }
      )
    {
      throw LTBError(
        .invalidInput, "\(route.path) takes no query parameter '\(unknown)'",
        fix: route.arguments.isEmpty
          ? "send no parameters" : "use: \(route.arguments.map(\.name).joined(separator: ", "))")
    }
    return variables
  }

  private static func convert(_ text: String, _ argument: RESTArgument) throws -> Map {
    func invalid(_ expected: String) -> LTBError {
      LTBError(
        .invalidInput, "'\(argument.name)' must be \(expected), got '\(text.prefix(100))'",
        fix: "pass \(argument.name) as \(expected)")
    }
    switch argument.form {
    case "int":
      guard let number = Int(text) else { throw invalid("an integer") }
      return .number(Number(number))
    case "float":
      guard let number = Double(text), number.isFinite else { throw invalid("a number") }
      return .number(Number(number))
    case "boolean":
      guard let flag = Bool(text) else { throw invalid("true or false") }
      return .bool(flag)
    case "json":
      guard let value = try? JSONDecoder().decode(Map.self, from: Data(text.utf8)) else {
        throw invalid("JSON")
      }
      return value
    default:
      return .string(text)
    }
  }
}
