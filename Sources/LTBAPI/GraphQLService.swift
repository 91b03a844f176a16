import Foundation
public import GraphQL
import LTBCore
import Synchronization

/// Executes GraphQL requests against the API schema. Parsed and validated documents are kept
/// (up to 1,000, least recently used first out), so a repeated query skips parsing and
/// validation; errors thrown by resolvers are mapped once to `extensions.code` (and the fix).
///
/// With the resolvers at hand (``init(resolvers:limits:)``), query operations are compiled once
/// per document into a ``QueryPlan`` and run by ``PlanExecutor`` (``respond(_:variables:operationName:context:)``);
/// everything else runs through GraphQLSwift.
public final class GraphQLService: Sendable {
  /// The executable schema.
  public let schema: GraphQLSchema
  /// Depth, complexity, introspection and time limits.
  public let limits: QueryLimits
  private let documents = Mutex(LRUCache<String, CachedDocument>(capacity: 1_000))
  private let planning: Planning?

  /// What compiling and running plans needs.
  struct Planning: Sendable {
    let resolvers: [String: [String: APIWiring.FieldResolve]]
    let objectTypeName: @Sendable (any Sendable) -> String?
  }

  /// A service over the API schema with `resolvers` attached, running queries by plan.
  public convenience init(resolvers: APIResolvers, limits: QueryLimits = QueryLimits()) throws {
    try self.init(
      schema: try APISchema.make(resolvers), limits: limits,
      planning: Planning(
        resolvers: resolvers.fieldResolvers, objectTypeName: APIResolvers.objectTypeName(of:)))
  }

  /// A service over `schema` (validated once here); every operation runs through GraphQLSwift.
  public convenience init(schema: GraphQLSchema, limits: QueryLimits = QueryLimits()) throws {
    try self.init(schema: schema, limits: limits, planning: nil)
  }

  init(schema: GraphQLSchema, limits: QueryLimits, planning: Planning?) throws {
    self.limits = limits
    self.planning = planning
    let problems = validateSchema(schema: schema)
    guard problems.isEmpty else {
      throw LTBError(
        .internal, "the API schema is invalid: \(problems.map(\.message).joined(separator: "; "))")
    }
    self.schema = schema
  }

  /// A response as JSON, with its errors (mapped) for status codes and metrics. Kept as the
  /// UTF-8 bytes written: a page is tens of kilobytes, and making text of it, then the body
  /// around it, then a buffer of that copied it three times over.
  public struct Response: Sendable {
    /// `{"data": ..., "errors": [...]}` as UTF-8.
    public var body: [UInt8]
    /// Where the `data` member's JSON lies in `body`; `nil` when the request failed before
    /// execution.
    public var dataRange: Range<Int>?
    /// The errors, with their codes.
    public var errors: [GraphQLError]

    /// `{"data": ..., "errors": [...]}`.
    public var json: String { String(decoding: body, as: UTF8.self) }
    /// The `data` member's JSON text; `nil` when the request failed before execution.
    public var data: String? { dataRange.map { String(decoding: body[$0], as: UTF8.self) } }
  }

  /// Runs one query or mutation within the request timeout and answers with JSON text: a query
  /// by its compiled plan, anything else through GraphQLSwift.
  public func respond(
    _ query: String, variables: [String: Map] = [:], operationName: String? = nil, context: APIContext
  ) async throws -> Response {
    let cached = entry(query)
    if let planning, case .result = cached.lookup, let plan = cached.plan(operationName),
      plan.operation == .query
    {
      switch VariableCoercion(schema: schema).coerce(plan.variables, variables) {
      case .failure(let error):
        return try Self.encode(GraphQLResult(errors: [error]))
      case .success(let coerced):
        // The plan checks its deadline every few objects and before each resolver, so no
        // watchdog task is needed.
        let context = context.selecting(plan.selectedFields)
        var executor = PlanExecutor(
          schema: schema, context: context, variables: coerced, objectTypeName: planning.objectTypeName,
          deadline: .now + limits.timeout)
        var body = JSONOutput(capacity: 32_768)
        body += "{\"data\":"
        let dataStart = body.count
        await executor.run(plan, into: &body)
        if executor.timedOut { return try Self.encode(Self.timedOut(limits.timeout)) }
        return try Self.finish(body, dataFrom: dataStart, errors: executor.errors.map(Self.mapped))
      }
    }
    let result = try await Self.within(limits.timeout) {
      try await self.execute(query, variables: variables, operationName: operationName, context: context)
    }
    return try Self.encode(result ?? Self.timedOut(limits.timeout))
  }

  static func encode(_ result: GraphQLResult) throws -> Response {
    guard let data = result.data else {
      // No `data` member at all when the request failed before execution.
      return Response(
        body: Array(try GraphQLJSONEncoder().encode(result)), dataRange: nil, errors: result.errors)
    }
    var body = JSONOutput()
    body += "{\"data\":"
    let dataStart = body.count
    body.append(bytes: Array(try GraphQLJSONEncoder().encode(data)))
    return try finish(body, dataFrom: dataStart, errors: result.errors)
  }

  /// The response whose body holds `{"data":` and the data from `dataStart` on: the errors, if
  /// any, and the closing brace are added (to the body itself, not a copy of it).
  private static func finish(_ body: consuming JSONOutput, dataFrom dataStart: Int, errors: [GraphQLError])
    throws
    -> Response
  {
    let dataRange = dataStart..<body.count
    if !errors.isEmpty {
      body += ",\"errors\":"
      body.append(bytes: Array(try GraphQLJSONEncoder().encode(errors)))
    }
    body += "}"
    return Response(body: body.bytes, dataRange: dataRange, errors: errors)
  }

  /// Runs one query or mutation through GraphQLSwift.
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

  /// Starts a subscription answering each event with the payload's JSON text
  /// (`{"data": ...}`): by plan when the document compiles, else through GraphQLSwift.
  public func subscribeJSON(
    _ query: String, variables: [String: Map] = [:], operationName: String? = nil, context: APIContext
  ) async throws -> Swift.Result<AsyncThrowingStream<String, any Error>, GraphQLErrors> {
    let cached = entry(query)
    if let planning, case .result = cached.lookup, let plan = cached.plan(operationName),
      plan.operation == .subscription, plan.rootFields.count == 1, let field = plan.rootFields.first,
      let resolve = field.resolve
    {
      let coerced: [String: Map]
      switch VariableCoercion(schema: schema).coerce(plan.variables, variables) {
      case .failure(let error): return .failure(GraphQLErrors([error]))
      case .success(let values): coerced = values
      }
      let events: any AsyncSequence & Sendable
      do {
        let resolved = try await resolve((), try PlanExecutor.arguments(field, variables: coerced), context)
        guard let stream = resolved as? any AsyncSequence else {
          return .failure(GraphQLErrors([GraphQLError(message: "the subscription produced no event stream")]))
        }
        events = PlanExecutor.sendable(stream) as! any AsyncSequence & Sendable
      } catch {
        return .failure(
          GraphQLErrors([
            Self.mapped(
              GraphQLError(
                message: String(describing: error), nodes: [field.ast], path: [field.key],
                originalError: error))
          ]))
      }
      let (schema, timeout) = (self.schema, limits.timeout)
      return .success(
        AsyncThrowingStream { continuation in
          let task = Task {
            do {
              for try await event in events {
                var executor = PlanExecutor(
                  schema: schema, context: context, variables: coerced,
                  objectTypeName: planning.objectTypeName,
                  deadline: .now + timeout)
                let data = await executor.run(field, event: PlanExecutor.sendable(event))
                let errors = executor.errors.map(Self.mapped)
                var json = "{\"data\":" + data
                if !errors.isEmpty {
                  json +=
                    ",\"errors\":" + String(decoding: try GraphQLJSONEncoder().encode(errors), as: UTF8.self)
                }
                continuation.yield(json + "}")
              }
              continuation.finish()
            } catch is CancellationError {
              continuation.finish()
            } catch {
              continuation.finish(throwing: error)
            }
          }
          continuation.onTermination = { _ in task.cancel() }
        })
    }
    return try await subscribe(query, variables: variables, operationName: operationName, context: context)
      .map {
        results in
        AsyncThrowingStream { continuation in
          let task = Task {
            do {
              for try await result in results {
                continuation.yield(String(decoding: try GraphQLJSONEncoder().encode(result), as: UTF8.self))
              }
              continuation.finish()
            } catch {
              continuation.finish(throwing: error)
            }
          }
          continuation.onTermination = { _ in task.cancel() }
        }
      }
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
  func document(_ query: String) -> PersistedQueryRetrievalResult<String> { entry(query).lookup }

  /// The cache entry of `query`: its parsed, validated document and its query plans.
  private func entry(_ query: String) -> CachedDocument {
    if let cached = documents.withLock({ $0.value(for: query) }) { return cached }
    let lookup: PersistedQueryRetrievalResult<String>
    // The parser and the validator recurse once per level: a hostile document of a few hundred
    // kilobytes of `{a{a{...` would exhaust the stack before any limit is checked.
    if let depth = QueryLimits.nestingBeyond(QueryLimits.maxDocumentNesting, in: query) {
      lookup = .validateErrors(
        schema,
        [
          GraphQLError(
            message:
              "the document nests brackets more than \(QueryLimits.maxDocumentNesting) levels deep (\(depth) reached)",
            extensions: ["code": "QUERY_TOO_DEEP", "fix": "ask for fewer nested levels"])
        ])
    } else {
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
    }
    var plans: [String: QueryPlan] = [:]
    var operations = 0
    if case .result(_, let document) = lookup {
      operations = document.definitions.filter { $0 is OperationDefinition }.count
      if let planning { plans = QueryPlan.compile(document, schema: schema, resolvers: planning.resolvers) }
    }
    let entry = CachedDocument(lookup: lookup, plans: plans, operations: operations)
    documents.withLock { $0.store(entry, for: query) }
    return entry
  }

  /// `body`'s result, or `nil` when it takes longer than `timeout` (the operation is then
  /// cancelled).
  static func within<Value: Sendable>(
    _ timeout: Duration, _ body: @escaping @Sendable () async throws -> Value
  )
    async throws -> Value?
  {
    try await withThrowingTaskGroup(of: Value?.self) { group in
      group.addTask { try await body() }
      group.addTask {
        try await Task.sleep(for: timeout)
        return nil
      }
      defer { group.cancelAll() }
      return try await group.next() ?? nil
    }
  }

  /// The answer to an operation that ran past `timeout`.
  static func timedOut(_ timeout: Duration) -> GraphQLResult {
    GraphQLResult(
      errors: [
        GraphQLError(
          message: "the request took longer than \(timeout)",
          extensions: ["code": "TIMEOUT", "fix": "ask for less, or raise the server's request timeout"])
      ])
  }

  /// Whether `query` (its operation `operationName`) runs by plan.
  func hasPlan(_ query: String, operationName: String? = nil) -> Bool {
    let cached = entry(query)
    return planning != nil
      && (operationName.map { cached.plans[$0] != nil } ?? (cached.operations == 1 && !cached.plans.isEmpty))
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
      if let wait = ltb.retryAfter {
        extensions["retryAfter"] = .number(Number(Int(wait.components.seconds)))
      }
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
  /// The plans of its query operations, by name (`""` for an anonymous one).
  let plans: [String: QueryPlan]
  /// How many operations it has.
  let operations: Int

  /// The plan of the named operation, or of the only one.
  func plan(_ operationName: String?) -> QueryPlan? {
    operationName.map { plans[$0] } ?? (operations == 1 ? plans.values.first : nil)
  }
}
