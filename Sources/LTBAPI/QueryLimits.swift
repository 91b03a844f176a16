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

  /// The deepest bracket nesting (`{`, `[`, `(`) a document may have before it is parsed.
  static let maxDocumentNesting = 256
  /// How deep an introspection field's selection may go: graphql-js's and graphql-core's
  /// standard introspection query reaches 13 levels (TypeRef's chain of `ofType`s), which the
  /// schema bounds; a longer chain asks for nothing more.
  static let maxIntrospectionDepth = 24
  /// How many introspection lists (`types`, `fields`, `args`, ...) may nest on one path: the
  /// standard query nests three (`types { fields { args } }`); more (`fields { type { fields
  /// ... } }`) multiplies the answer by the schema's size at each level.
  static let maxIntrospectionLists = 3
  private static let introspectionLists: Set<String> = [
    "types", "fields", "args", "inputFields", "interfaces", "possibleTypes", "enumValues", "directives",
  ]

  /// The nesting reached once it passes `limit` brackets in `text` (strings, block strings and
  /// comments skipped as GraphQL's lexer skips them), or `nil` when it stays within it.
  static func nestingBeyond(_ limit: Int, in text: String) -> Int? {
    let quote = UInt8(ascii: "\"")
    let backslash = UInt8(ascii: "\\")
    let newline = UInt8(ascii: "\n")
    var text = text
    text.makeContiguousUTF8()
    return text.utf8.withContiguousStorageIfAvailable { bytes -> Int? in
      func isTripleQuote(at index: Int) -> Bool {
        index + 2 < bytes.count && bytes[index] == quote && bytes[index + 1] == quote
          && bytes[index + 2] == quote
      }
      var depth = 0
      var index = 0
      while index < bytes.count {
        let byte = bytes[index]
        index += 1
        switch byte {
        case UInt8(ascii: "{"), UInt8(ascii: "["), UInt8(ascii: "("):
          depth += 1
          if depth > limit { return depth }
        case UInt8(ascii: "}"), UInt8(ascii: "]"), UInt8(ascii: ")"):
          depth = max(0, depth - 1)
        case UInt8(ascii: "#"):
          while index < bytes.count, bytes[index] != newline { index += 1 }
        case quote where isTripleQuote(at: index - 1):
          // A block string: `\"""` inside it is an escaped delimiter.
          index += 2
          while index < bytes.count, !isTripleQuote(at: index) {
            index += bytes[index] == backslash && isTripleQuote(at: index + 1) ? 4 : 1
          }
          index += 3
        case quote:
          while index < bytes.count, bytes[index] != quote, bytes[index] != newline {
            index += bytes[index] == backslash ? 2 : 1
          }
          index += 1
        default:
          continue
        }
      }
      return nil
    } ?? nil
  }

  /// The problems of `document` (empty when it is within the limits).
  func problems(_ document: Document, schema: GraphQLSchema) -> [GraphQLError] {
    let fragments = Dictionary(
      document.definitions.compactMap { $0 as? FragmentDefinition }.map { ($0.name.value, $0) },
      uniquingKeysWith: { first, _ in first })
    var errors: [GraphQLError] = []
    for case let operation as OperationDefinition in document.definitions {
      var introspected = IntrospectionUse()
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
      if introspected.depth > Self.maxIntrospectionDepth {
        errors.append(
          GraphQLError(
            message:
              "the introspection selection is \(introspected.depth) levels deep; the limit is \(Self.maxIntrospectionDepth)",
            extensions: ["code": "QUERY_TOO_DEEP", "fix": "send the standard introspection query"]))
      }
      if introspected.lists > Self.maxIntrospectionLists {
        errors.append(
          GraphQLError(
            message:
              "the introspection selection nests \(introspected.lists) lists of schema elements; the limit is \(Self.maxIntrospectionLists) (types { fields { args } })",
            extensions: ["code": "QUERY_TOO_COMPLEX", "fix": "send the standard introspection query"]))
      }
      if introspected.used, !introspection {
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
    introspected: inout IntrospectionUse, visiting: Set<String> = []
  ) -> (depth: Int, complexity: Int) {
    var deepest = depth
    var complexity = 0
    let fields = (try? parent?.fields()) ?? [:]
    for selection in set.selections {
      switch selection {
      case let field as Field:
        if field.name.value == "__schema" || field.name.value == "__type" {
          // Introspection is answered from the schema, whose size bounds it: its subtree counts
          // against its own shape limits, not the depth and complexity of resolved fields.
          introspected.used = true
          if let children = field.selectionSet {
            let shape = Self.introspectionShape(children, fragments: fragments, depth: depth + 1, lists: 0)
            deepest = max(deepest, depth + 1)
            complexity += 1
            introspected.depth = max(introspected.depth, shape.depth - depth)
            introspected.lists = max(introspected.lists, shape.lists)
          }
          continue
        }
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

  /// What a document's introspection fields ask for.
  private struct IntrospectionUse {
    /// Whether any introspection field is selected.
    var used = false
    /// The deepest introspection selection, counted from the introspection field.
    var depth = 0
    /// The most schema-element lists nested on one path.
    var lists = 0
  }

  /// The deepest level and the most nested schema-element lists under an introspection field.
  private static func introspectionShape(
    _ set: SelectionSet, fragments: [String: FragmentDefinition], depth: Int, lists: Int,
    visiting: Set<String> = []
  ) -> (depth: Int, lists: Int) {
    var shape = (depth: depth, lists: lists)
    for selection in set.selections {
      let inner: (depth: Int, lists: Int)
      switch selection {
      case let field as Field:
        guard let children = field.selectionSet else { continue }
        inner = introspectionShape(
          children, fragments: fragments, depth: depth + 1,
          lists: lists + (introspectionLists.contains(field.name.value) ? 1 : 0), visiting: visiting)
      case let spread as FragmentSpread:
        guard let fragment = fragments[spread.name.value], !visiting.contains(spread.name.value) else {
          continue
        }
        inner = introspectionShape(
          fragment.selectionSet, fragments: fragments, depth: depth, lists: lists,
          visiting: visiting.union([spread.name.value]))
      case let inline as InlineFragment:
        inner = introspectionShape(
          inline.selectionSet, fragments: fragments, depth: depth, lists: lists, visiting: visiting)
      default:
        continue
      }
      shape = (max(shape.depth, inner.depth), max(shape.lists, inner.lists))
    }
    return shape
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
