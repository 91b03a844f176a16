import GraphQL
import OrderedCollections

/// Limits on what one GraphQL document may ask for, checked once when the document is parsed:
/// selection depth (fragments expanded), the number of fields it may resolve (the children of a
/// list-typed field count once per item: the nearest enclosing `first` literal, else ten), and
/// whether introspection is allowed. Each violation is a clear error with its own code.
public struct QueryLimits: Sendable {
  /// The deepest selection allowed.
  public var maxDepth: Int
  /// The largest estimated number of fields resolved.
  public var maxComplexity: Int
  /// Whether `__schema` and `__type` may be queried.
  public var introspection: Bool
  /// How long one operation may take.
  public var timeout: Duration

  /// Creates limits (depth 12, complexity 20,000, introspection on, 30 s by default).
  public init(
    maxDepth: Int = 12, maxComplexity: Int = 20_000, introspection: Bool = true,
    timeout: Duration = .seconds(30)
  ) {
    self.maxDepth = maxDepth
    self.maxComplexity = maxComplexity
    self.introspection = introspection
    self.timeout = timeout
  }

  /// The problems of `document` (empty when it is within the limits).
  func problems(_ document: Document, schema: GraphQLSchema) -> [GraphQLError] {
    let fragments = Dictionary(
      document.definitions.compactMap { $0 as? FragmentDefinition }.map { ($0.name.value, $0) },
      uniquingKeysWith: { first, _ in first })
    var errors: [GraphQLError] = []
    for case let operation as OperationDefinition in document.definitions {
      var introspected = false
      let root: GraphQLObjectType? =
        switch operation.operation {
        case .query: schema.queryType
        case .mutation: schema.mutationType
        case .subscription: schema.subscriptionType
        }
      let depth = measure(
        operation.selectionSet, parent: root, page: nil, fragments: fragments, depth: 1,
        introspected: &introspected)
      if depth.depth > maxDepth {
        errors.append(
          GraphQLError(
            message: "the query is \(depth.depth) levels deep; the limit is \(maxDepth)",
            extensions: ["code": "QUERY_TOO_DEEP", "fix": "ask for fewer nested levels"]))
      }
      if depth.complexity > maxComplexity {
        errors.append(
          GraphQLError(
            message:
              "the query would resolve about \(depth.complexity) fields; the limit is \(maxComplexity)",
            extensions: [
              "code": "QUERY_TOO_COMPLEX", "fix": "select fewer fields, or page with a smaller first",
            ]))
      }
      if introspected, !introspection {
        errors.append(
          GraphQLError(
            message: "introspection is disabled on this server",
            extensions: ["code": "INTROSPECTION_DISABLED", "fix": "use the schema.graphql of this version"]))
      }
    }
    return errors
  }

  private func measure(
    _ set: SelectionSet, parent: GraphQLObjectType?, page: Int?, fragments: [String: FragmentDefinition],
    depth: Int,
    introspected: inout Bool, visiting: Set<String> = []
  ) -> (depth: Int, complexity: Int) {
    var deepest = depth
    var complexity = 0
    let fields = (try? parent?.fields()) ?? [:]
    for selection in set.selections {
      switch selection {
      case let field as Field:
        if field.name.value == "__schema" || field.name.value == "__type" { introspected = true }
        var cost = 1
        if let children = field.selectionSet {
          let first = field.arguments.first { $0.name.value == "first" }.flatMap {
            ($0.value as? IntValue).flatMap { Int($0.value) }
          }
          let (named, isList) = Self.unwrap(fields[field.name.value]?.type)
          let inner = measure(
            children, parent: named, page: first ?? page, fragments: fragments, depth: depth + 1,
            introspected: &introspected, visiting: visiting)
          cost += inner.complexity * (isList ? max(1, first ?? page ?? 10) : 1)
          deepest = max(deepest, inner.depth)
        }
        complexity += cost
      case let spread as FragmentSpread:
        guard let fragment = fragments[spread.name.value], !visiting.contains(spread.name.value) else {
          continue
        }
        let inner = measure(
          fragment.selectionSet, parent: parent, page: page, fragments: fragments, depth: depth,
          introspected: &introspected, visiting: visiting.union([spread.name.value]))
        complexity += inner.complexity
        deepest = max(deepest, inner.depth)
      case let inline as InlineFragment:
        let inner = measure(
          inline.selectionSet, parent: parent, page: page, fragments: fragments, depth: depth,
          introspected: &introspected, visiting: visiting)
        complexity += inner.complexity
        deepest = max(deepest, inner.depth)
      default:
        continue
      }
    }
    return (deepest, complexity)
  }

  /// The object type under a field's type, and whether the field is a list.
  private static func unwrap(_ type: (any GraphQLOutputType)?) -> (GraphQLObjectType?, Bool) {
    var current: (any GraphQLType)? = type
    var isList = false
    while true {
      switch current {
      case let nonNull as GraphQLNonNull: current = nonNull.ofType
      case let list as GraphQLList:
        isList = true
        current = list.ofType
      case let object as GraphQLObjectType: return (object, isList)
      default: return (nil, isList)
      }
    }
  }
}
