import GraphQL
import LTBCore
import OrderedCollections

/// A query operation compiled once per cached document: for every selection set, the fields to
/// produce per concrete object type (fragments and inline fragments applied, aliases kept, fields
/// of the same response key merged), each with its argument expressions, its type and its
/// resolver (or none, for a stored field read from its parent).
///
/// GraphQLSwift runs every field and every list item in a task of its own; a page of 50 results
/// with nested fields is about a thousand tasks. The plan executes the same operation field by
/// field in one task (see ``PlanExecutor``). Documents it does not cover (mutations,
/// subscriptions, introspection, `@skip`/`@include`) are left to GraphQLSwift.
final class QueryPlan: @unchecked Sendable {
  /// A query or a subscription.
  let operation: OperationType
  /// The operation's variable definitions.
  let variables: [VariableDefinition]
  /// The root selection, on `Query` or `Subscription`.
  let root: SelectionPlan

  /// Every field the operation selects anywhere, as `Type.field`: resolvers that can skip
  /// loading what nobody asked for read it from ``APIContext/selectedFields``.
  let selectedFields: Set<String>

  private init(operation: OperationType, variables: [VariableDefinition], root: SelectionPlan) {
    self.operation = operation
    self.variables = variables
    self.root = root
    var selected: Set<String> = []
    func collect(_ selection: SelectionPlan) {
      for fields in selection.byType.values {
        for field in fields {
          selected.insert(field.parentName + "." + field.name)
          if let nested = field.selection { collect(nested) }
        }
      }
    }
    collect(root)
    selectedFields = selected
  }

  /// The root fields.
  var rootFields: [FieldPlan] { root.byType.values.first ?? [] }

  /// Something the plan does not cover.
  struct Unsupported: Error {}

  /// The plans of every query and subscription operation of `document`, by operation name
  /// (`""` for an anonymous one); operations the plan does not cover are left out. A
  /// subscription's plan has one root field: its resolver makes the event stream, and each event
  /// is that field's value.
  static func compile(
    _ document: Document, schema: GraphQLSchema, resolvers: [String: [String: APIWiring.FieldResolve]]
  ) -> [String: QueryPlan] {
    let fragments = Dictionary(
      document.definitions.compactMap { $0 as? FragmentDefinition }.map { ($0.name.value, $0) },
      uniquingKeysWith: { first, _ in first })
    var plans: [String: QueryPlan] = [:]
    for case let operation as OperationDefinition in document.definitions where operation.directives.isEmpty {
      let root: GraphQLObjectType? =
        switch operation.operation {
        case .query: schema.queryType
        case .subscription: schema.subscriptionType
        case .mutation: nil
        }
      guard let root else { continue }
      let compiler = Compiler(schema: schema, fragments: fragments, resolvers: resolvers)
      if let selection = try? compiler.selection([operation.selectionSet], on: root) {
        plans[operation.name?.value ?? ""] = QueryPlan(
          operation: operation.operation, variables: operation.variableDefinitions, root: selection)
      }
    }
    return plans
  }

  private struct Compiler {
    let schema: GraphQLSchema
    let fragments: [String: FragmentDefinition]
    let resolvers: [String: [String: APIWiring.FieldResolve]]

    func selection(_ sets: [SelectionSet], on parent: any GraphQLCompositeType) throws -> SelectionPlan {
      let concrete: [GraphQLObjectType] =
        if let object = parent as? GraphQLObjectType {
          [object]
        } else if let abstract = parent as? any GraphQLAbstractType {
          schema.getPossibleTypes(abstractType: abstract)
        } else {
          throw Unsupported()
        }
      var byType: [String: [FieldPlan]] = [:]
      for type in concrete {
        var collected: OrderedDictionary<String, [Field]> = [:]
        var visited: Set<String> = []
        for set in sets { try collect(set, for: type, into: &collected, visited: &visited) }
        let definitions = try type.fields()
        byType[type.name] = try collected.map { key, asts in
          try field(key: key, asts: asts, on: type, definitions: definitions)
        }
      }
      return SelectionPlan(abstract: !(parent is GraphQLObjectType), byType: byType)
    }

    private func field(key: String, asts: [Field], on type: GraphQLObjectType, definitions: GraphQLFieldMap)
      throws -> FieldPlan
    {
      let name = asts[0].name.value
      if name == "__typename" {
        return FieldPlan(
          key: key, name: name, ast: asts[0], arguments: [], type: GraphQLNonNull(GraphQLString),
          resolve: nil,
          selection: nil, parentName: type.name)
      }
      guard !name.hasPrefix("__"), let definition = definitions[name] else { throw Unsupported() }
      let given = Dictionary(
        asts[0].arguments.map { ($0.name.value, $0.value) }, uniquingKeysWith: { first, _ in first })
      let arguments = definition.args.map { argumentName, argument in
        FieldPlan.Argument(
          name: argumentName, value: given[argumentName], defaultValue: argument.defaultValue)
      }
      var selection: SelectionPlan?
      if let composite = QueryPlan.namedType(definition.type) as? any GraphQLCompositeType {
        selection = try self.selection(asts.compactMap(\.selectionSet), on: composite)
      }
      return FieldPlan(
        key: key, name: name, ast: asts[0], arguments: arguments, type: definition.type,
        resolve: resolvers[type.name]?[name], selection: selection, parentName: type.name)
    }

    private func collect(
      _ set: SelectionSet, for type: GraphQLObjectType, into fields: inout OrderedDictionary<String, [Field]>,
      visited: inout Set<String>
    ) throws {
      for selection in set.selections {
        switch selection {
        case let field as Field:
          guard field.directives.isEmpty else { throw Unsupported() }
          fields[field.alias?.value ?? field.name.value, default: []].append(field)
        case let inline as InlineFragment:
          guard inline.directives.isEmpty else { throw Unsupported() }
          if inline.typeCondition.map({ applies($0.name.value, to: type) }) ?? true {
            try collect(inline.selectionSet, for: type, into: &fields, visited: &visited)
          }
        case let spread as FragmentSpread:
          guard spread.directives.isEmpty else { throw Unsupported() }
          guard visited.insert(spread.name.value).inserted else { continue }
          guard let fragment = fragments[spread.name.value] else { throw Unsupported() }
          if applies(fragment.typeCondition.name.value, to: type) {
            try collect(fragment.selectionSet, for: type, into: &fields, visited: &visited)
          }
        default:
          throw Unsupported()
        }
      }
    }

    private func applies(_ condition: String, to type: GraphQLObjectType) -> Bool {
      if condition == type.name { return true }
      guard let abstract = schema.getType(name: condition) as? any GraphQLAbstractType else { return false }
      return schema.getPossibleTypes(abstractType: abstract).contains { $0.name == type.name }
    }

  }

  /// The named type under any list and non-null wrappers.
  static func namedType(_ type: any GraphQLType) -> (any GraphQLType)? {
    switch type {
    case let nonNull as GraphQLNonNull: namedType(nonNull.ofType)
    case let list as GraphQLList: namedType(list.ofType)
    default: type
    }
  }
}

/// The fields to produce for a selection set, per concrete object type.
final class SelectionPlan: @unchecked Sendable {
  /// Whether the field's type is a union or interface (the value picks the object type).
  let abstract: Bool
  /// Fields by object type name.
  let byType: [String: [FieldPlan]]

  /// The fields and the cast of a selection on one object type (not a union or interface).
  let single: (fields: [FieldPlan], cast: APIWiring.PlanObjectCast?)?
  /// Whether the selection is on one object type and takes only its stored scalar and enum
  /// fields (and `__typename`): such objects are written without suspending (see
  /// ``PlanExecutor``), which is what most objects of a page are (providers, evaluations).
  let leavesOnly: Bool

  init(abstract: Bool, byType: [String: [FieldPlan]]) {
    self.abstract = abstract
    self.byType = byType
    let single =
      abstract
      ? nil : byType.first.map { name, fields in (fields, APIWiring.planObjects[name]) }
    self.single = single
    leavesOnly =
      single.map { fields, cast in
        cast != nil && fields.allSatisfy { $0.name == "__typename" || $0.leafIndex != nil }
      } ?? false
  }
}

/// One response field.
final class FieldPlan: @unchecked Sendable {
  /// An argument: the expression given (a literal or a variable) or nothing, and its default.
  struct Argument {
    let name: String
    let value: (any Value)?
    let defaultValue: Map?
  }

  /// The response key (the alias, else the name).
  let key: String
  /// The schema field's name (`__typename` included).
  let name: String
  /// The first occurrence, for error locations.
  let ast: Field
  /// The schema's arguments of the field, with what the document gives.
  let arguments: [Argument]
  /// The field's type.
  let type: any GraphQLOutputType
  /// The resolver; `nil` for a field read from its parent value.
  let resolve: APIWiring.FieldResolve?
  /// The sub-selection of an object, union or interface field.
  let selection: SelectionPlan?
  /// The object type the field belongs to.
  let parentName: String
  /// How a leaf value is written, decided once from the field's named type.
  let leaf: Leaf?
  /// The index of a stored scalar or enum field in its type's `PlanLeaves.writeLeaf`.
  let leafIndex: Int?
  /// `,"key":` as JSON bytes, written once here rather than escaped for every object; every
  /// member but the first writes all of it, the first from the quote. Held in memory of its own:
  /// reading a string or an array out of a plan retains it, and a page writes over a thousand keys.
  private let commaKey: UnsafeMutableBufferPointer<UInt8>
  /// `"key":`.
  var keyJSON: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(rebasing: commaKey[1...]) }
  /// `,"key":`.
  var commaKeyJSON: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(commaKey) }
  /// The type's wrappers, decided once (no casts of the type while running).
  let shape: Shape
  /// Whether the type is non-null.
  var nonNull: Bool {
    if case .nonNull = shape { return true }
    return false
  }

  /// A type's list and non-null wrappers around its named type.
  indirect enum Shape {
    case named
    case list(Shape)
    case nonNull(Shape)

    init(_ type: any GraphQLType) {
      switch type {
      case let nonNull as GraphQLNonNull: self = .nonNull(Shape(nonNull.ofType))
      case let list as GraphQLList: self = .list(Shape(list.ofType))
      default: self = .named
      }
    }
  }

  /// The kind of a scalar or enum field.
  enum Leaf {
    case string, int, float, boolean, id
    case custom(GraphQLScalarType)
    case enumeration(GraphQLEnumType)
  }

  init(
    key: String, name: String, ast: Field, arguments: [Argument], type: any GraphQLOutputType,
    resolve: APIWiring.FieldResolve?, selection: SelectionPlan?, parentName: String
  ) {
    self.key = key
    self.name = name
    self.ast = ast
    self.arguments = arguments
    self.type = type
    self.resolve = resolve
    self.selection = selection
    self.parentName = parentName
    leafIndex = resolve == nil ? APIWiring.planLeaves[parentName]?[name] : nil
    var quoted = JSONOutput()
    quoted += ","
    quoted.appendString(key)
    quoted += ":"
    commaKey = .allocate(capacity: quoted.count)
    _ = commaKey.initialize(from: quoted.bytes)
    shape = Shape(type)
    switch QueryPlan.namedType(type) {
    case let scalar as GraphQLScalarType:
      leaf =
        switch scalar.name {
        case "String": .string
        case "Int": .int
        case "Float": .float
        case "Boolean": .boolean
        case "ID": .id
        default: .custom(scalar)
        }
    case let enumeration as GraphQLEnumType: leaf = .enumeration(enumeration)
    default: leaf = nil
    }
  }

  deinit { commaKey.deallocate() }
}
