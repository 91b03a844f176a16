import Foundation
import GraphQL
import LTBCore
import NIOCore

/// A GraphQL request over HTTP: the document, its variables and the operation to run.
struct GraphQLHTTPRequest {
  var query: String
  var variables: [String: Map]?
  var operationName: String?

  init(query: String, variables: [String: Map]?, operationName: String?) {
    self.query = query
    self.variables = variables
    self.operationName = operationName
  }

  /// A POSTed request: valid UTF-8 JSON with a `query` string, `variables` an object (decoded as
  /// GraphQLSwift decodes them) and `operationName` a string, either absent or null.
  init?(_ body: ByteBuffer) {
    guard let text = body.getString(at: body.readerIndex, length: body.readableBytes),
      text.utf8.elementsEqual(body.readableBytesView),
      case .object(let members)? = try? JSONValue.parse(text),
      case .string(let query)? = members["query"]
    else { return nil }
    self.query = query
    switch members["operationName"] {
    case nil, .null?: operationName = nil
    case .string(let name)?: operationName = name
    default: return nil
    }
    switch members["variables"] {
    case nil, .null?: variables = nil
    case let given? where given.objectValue != nil:
      guard
        let decoded = try? JSONDecoder().decode([String: Map].self, from: Data(given.serialized().utf8))
      else { return nil }
      variables = decoded
    default: return nil
    }
  }
}
