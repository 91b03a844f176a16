import Foundation
public import GraphQL
import LTBCore
import Synchronization

/// Executes GraphQL requests against the API schema. Parsed and validated documents are kept
/// (up to 1,000, least recently used first out), so a repeated query skips parsing and
/// validation; errors thrown by resolvers are mapped once to `extensions.code` (and the fix).
public final class GraphQLService: Sendable {
  /// The executable schema.
  public let schema: GraphQLSchema
  /// Depth, complexity, introspection and time limits.
  public let limits: QueryLimits
  private let documents = Mutex(LRUCache<String, CachedDocument>(capacity: 1_000))

  /// A service over `schema` (validated once here).
  public init(schema: GraphQLSchema, limits: QueryLimits = QueryLimits()) throws {
    self.limits = limits
    let problems = validateSchema(schema: schema)
    guard problems.isEmpty else {
      throw LTBError(
        .internal, "the API schema is invalid: \(problems.map(\.message).joined(separator: "; "))")
    }
    self.schema = schema
  }

  /// Runs one query or mutation.
  public func execute(
    _ query: String, variables: [String: Map] = [:], operationName: String? = nil, context: APIContext
  ) async throws -> GraphQLResult {
    let lookup = document(query)
    let result: GraphQLResult
    switch lookup {
    case .parseError(let error):
      return GraphQLResult(errors: [Self.coded(error, "GRAPHQL_PARSE_FAILED")])
    case .validateErrors(_, let errors):
      return GraphQLResult(
        errors: errors.map { $0.extensions["code"] == nil ? Self.coded($0, "GRAPHQL_VALIDATION_FAILED") : $0 }
      )
    case .unknownId, .result:
      result = try await graphql(
        queryRetrieval: Retrieval(lookup: lookup), queryId: query, context: context,
        variableValues: variables,
        operationName: operationName)
    }
    return GraphQLResult(data: result.data, errors: result.errors.map(Self.mapped))
  }

  /// Starts a subscription: a stream of results, or the errors that prevent it.
  public func subscribe(
    _ query: String, variables: [String: Map] = [:], operationName: String? = nil, context: APIContext
  ) async throws -> Swift.Result<AsyncThrowingStream<GraphQLResult, any Error>, GraphQLErrors> {
    switch document(query) {
    case .parseError(let error): return .failure(GraphQLErrors([Self.coded(error, "GRAPHQL_PARSE_FAILED")]))
    case .validateErrors(_, let errors):
      return .failure(
        GraphQLErrors(
          errors.map { $0.extensions["code"] == nil ? Self.coded($0, "GRAPHQL_VALIDATION_FAILED") : $0 }))
    case .unknownId, .result: break
    }
    let outcome = try await graphqlSubscribe(
      schema: schema, request: query, context: context, variableValues: variables,
      operationName: operationName)
    return outcome.mapError { GraphQLErrors($0.errors.map(Self.mapped)) }
  }

  /// The parsed, validated document for `query`, from the cache when seen before.
  func document(_ query: String) -> PersistedQueryRetrievalResult<String> {
    if let cached = documents.withLock({ $0.value(for: query) }) { return cached.lookup }
    let lookup: PersistedQueryRetrievalResult<String>
    do {
      let document = try parse(source: Source(body: query, name: "GraphQL request"))
      var errors = validate(schema: schema, ast: document)
      if errors.isEmpty { errors = limits.problems(document, schema: schema) }
      lookup = errors.isEmpty ? .result(schema, document) : .validateErrors(schema, errors)
    } catch let error as GraphQLError {
      lookup = .parseError(error)
    } catch {
      lookup = .parseError(GraphQLError(message: "\(error)"))
    }
    let entry = CachedDocument(lookup: lookup)
    documents.withLock { $0.store(entry, for: query) }
    return lookup
  }

  /// `body`'s result, or a TIMEOUT error when it takes longer than `timeout` (the operation is
  /// then cancelled).
  static func within(_ timeout: Duration, _ body: @escaping @Sendable () async throws -> GraphQLResult)
    async throws
    -> GraphQLResult
  {
    try await withThrowingTaskGroup(of: GraphQLResult?.self) { group in
      group.addTask { try await body() }
      group.addTask {
        try await Task.sleep(for: timeout)
        return nil
      }
      defer { group.cancelAll() }
      guard let first = try await group.next(), let result = first else {
        return GraphQLResult(
          errors: [
            GraphQLError(
              message: "the request took longer than \(timeout)",
              extensions: ["code": "TIMEOUT", "fix": "ask for less, or raise the server's request timeout"])
          ])
      }
      return result
    }
  }

  /// How many distinct documents are cached.
  var cachedDocuments: Int { documents.withLock { $0.count } }

  /// A resolver's error with its code: an `LTBError` keeps its code and fix; anything else
  /// thrown while resolving is an internal error.
  static func mapped(_ error: GraphQLError) -> GraphQLError {
    guard error.extensions["code"] == nil else { return error }
    if let ltb = error.originalError as? LTBError {
      var extensions: [String: Map] = ["code": .string(ltb.code.graphQLCode)]
      if let fix = ltb.fix { extensions["fix"] = .string(fix) }
      return GraphQLError(
        message: ltb.message, locations: error.locations, path: error.path, extensions: extensions)
    }
    if let inner = error.originalError as? GraphQLError {
      return GraphQLError(
        message: inner.message, locations: error.locations, path: error.path,
        extensions: ["code": "BAD_USER_INPUT"])
    }
    if error.originalError is DecodingError {
      return GraphQLError(
        message: "invalid arguments: \(error.message)", locations: error.locations, path: error.path,
        extensions: ["code": "BAD_USER_INPUT"])
    }
    return coded(error, error.path.elements.isEmpty ? "BAD_USER_INPUT" : "INTERNAL_SERVER_ERROR")
  }

  static func coded(_ error: GraphQLError, _ code: String) -> GraphQLError {
    GraphQLError(
      message: error.message, locations: error.locations, path: error.path,
      extensions: ["code": .string(code)])
  }

  /// Hands GraphQLSwift a document already parsed and validated.
  struct Retrieval: PersistedQueryRetrieval {
    let lookup: PersistedQueryRetrievalResult<String>
    func lookup(_ id: String) throws -> PersistedQueryRetrievalResult<String> { lookup }
  }
}

/// A parsed document: immutable once parsed and validated, so shared between requests.
struct CachedDocument: @unchecked Sendable {
  let lookup: PersistedQueryRetrievalResult<String>
}
