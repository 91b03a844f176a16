import Foundation
import GraphQL
import LTBCore
import OrderedCollections

/// Executes a ``QueryPlan`` field by field in the calling task and writes the response's `data`
/// as JSON text directly, following the specification's execution rules: resolvers for computed
/// fields, stored fields read from the parent (`KeySubscriptable`), leaf values serialized by
/// their scalar or enum type, lists item by item, unions and interfaces resolved to their object
/// type, and a field error nulls the nearest nullable field above it.
struct PlanExecutor {
  let schema: GraphQLSchema
  let context: APIContext
  let variables: [String: Map]
  /// The object type of a union or interface value.
  let objectTypeName: @Sendable (any Sendable) -> String?
  /// When the operation must have finished; checked before each resolver and every
  /// `objectsPerCheck` objects (a page writes a few hundred objects in well under a millisecond).
  let deadline: ContinuousClock.Instant
  private static let objectsPerCheck = 16
  /// Objects written since the deadline was last checked (the first object checks it).
  private var objectsSinceCheck = objectsPerCheck - 1
  /// Whether execution stopped at the deadline (the answer is then a TIMEOUT error).
  private(set) var timedOut = false

  /// The context as resolvers take it, boxed once per request rather than once per call.
  private let boxedContext: any Sendable
  private static let noArguments = Map.dictionary([:])

  /// Field errors, in the order they happened.
  private(set) var errors: [GraphQLError] = []
  /// Where execution is (response keys and list indices); an error's path is read from it.
  private var path: [any IndexPathElement] = []

  init(
    schema: GraphQLSchema, context: APIContext, variables: [String: Map],
    objectTypeName: @escaping @Sendable (any Sendable) -> String?, deadline: ContinuousClock.Instant
  ) {
    self.deadline = deadline
    self.schema = schema
    self.context = context
    self.boxedContext = context
    self.variables = variables
    self.objectTypeName = objectTypeName
  }

  /// Writes the `data` member's JSON (`null` when a non-null root field failed).
  mutating func run(_ plan: QueryPlan, into output: inout JSONOutput) async {
    let start = output.count
    if await !object(plan.rootFields, source: (), into: &output) {
      output.truncate(to: start)
      output += "null"
    }
  }

  /// The `data` member's JSON text for one subscription event, the root field's value.
  mutating func run(_ field: FieldPlan, event: any Sendable) async -> String {
    var output = JSONOutput(capacity: 1_024)
    output += "{"
    output.append(bytes: field.keyJSON)
    path.append(field.key)
    defer { path.removeLast() }
    if await !complete(event, shape: field.shape, field: field, into: &output) { return "null" }
    output += "}"
    return output.text
  }

  /// Counts an object written; `false` (and `timedOut`) when the deadline has passed or the
  /// request was cancelled, checked every `objectsPerCheck` objects.
  private mutating func withinDeadline() -> Bool {
    objectsSinceCheck += 1
    guard objectsSinceCheck >= Self.objectsPerCheck else { return true }
    objectsSinceCheck = 0
    if ContinuousClock.now >= deadline || Task.isCancelled {
      timedOut = true
      return false
    }
    return true
  }

  /// Writes `__typename` or a stored scalar or enum field of `leaves`; `nil` when the field is
  /// neither (it then needs `object`), else `false` when a non-null field failed.
  private mutating func leaf(_ field: FieldPlan, of leaves: (any PlanLeaves)?, into output: inout JSONOutput)
    -> Bool?
  {
    if field.name == "__typename" {
      output.appendString(field.parentName)
      return true
    }
    guard let leafIndex = field.leafIndex, let leaves else { return nil }
    let mark = output.count
    do {
      try leaves.writeLeaf(leafIndex, into: &output)
    } catch {
      output.truncate(to: mark)
      path.append(field.key)
      _ = fail(error.message, field)
      path.removeLast()
      if field.nonNull { return false }
      output += "null"
    }
    return true
  }

  /// Writes an object of a ``SelectionPlan/leavesOnly`` selection without suspending; `nil`
  /// when `source` is not of the plan's type (``object`` then takes it), else as ``object``.
  private mutating func leafObject(
    _ fields: [FieldPlan], source: any Sendable, cast: APIWiring.PlanObjectCast?,
    into output: inout JSONOutput
  ) -> Bool? {
    guard let leaves = cast?(source) else { return nil }
    guard withinDeadline() else { return false }
    output += "{"
    for index in fields.indices {
      let field = fields[index]
      output.append(bytes: index > 0 ? field.commaKeyJSON : field.keyJSON)
      guard let written = leaf(field, of: leaves, into: &output) else { return nil }
      if !written { return false }
    }
    output += "}"
    return true
  }

  /// Writes an object's fields; `false` when a non-null field failed (the object is then null).
  private mutating func object(
    _ fields: [FieldPlan], source: any Sendable, cast: APIWiring.PlanObjectCast? = nil,
    into output: inout JSONOutput
  ) async -> Bool {
    guard withinDeadline() else { return false }
    output += "{"
    // A cast to the concrete type the plan expects is a metadata comparison; a cast to a
    // protocol is a conformance lookup.
    let leaves = cast?(source) ?? source as? any PlanLeaves
    let keyed = leaves ?? source as? any KeySubscriptable
    for (index, field) in fields.enumerated() {
      output.append(bytes: index > 0 ? field.commaKeyJSON : field.keyJSON)
      if let written = leaf(field, of: leaves, into: &output) {
        if !written { return false }
        continue
      }
      path.append(field.key)
      defer { path.removeLast() }
      let value: (any Sendable)?
      if let resolve = field.resolve {
        if ContinuousClock.now >= deadline {
          timedOut = true
          return false
        }
        do {
          value = try await resolve(source, try Self.arguments(field, variables: variables), boxedContext)
        } catch {
          record(error, field)
          if field.nonNull { return false }
          output += "null"
          continue
        }
      } else {
        value = keyed.map { $0[field.name] } ?? Self.stored(field.name, of: source)
      }
      if await !complete(value, shape: field.shape, field: field, into: &output) { return false }
    }
    output += "}"
    return true
  }

  /// Writes a value of `type`; `false` when it is null (or failed) where null is not allowed.
  /// The generated types and the resolvers hand over optionals flattened (an `Optional`
  /// converts to `(any Sendable)?` as `nil` or its value); list items are unwrapped in `items`.
  private mutating func complete(
    _ value: (any Sendable)?, shape: FieldPlan.Shape, field: FieldPlan, into output: inout JSONOutput
  ) async -> Bool {
    if case .nonNull(let inner) = shape {
      guard let present = value else {
        return fail("Cannot return null for non-nullable field \(field.parentName).\(field.name).", field)
      }
      return await completePresent(present, shape: inner, field: field, into: &output)
    }
    guard let present = value else {
      output += "null"
      return true
    }
    let mark = output.count
    if await !completePresent(present, shape: shape, field: field, into: &output) {
      output.truncate(to: mark)
      output += "null"
    }
    return true
  }

  private mutating func completePresent(
    _ value: any Sendable, shape: FieldPlan.Shape, field: FieldPlan, into output: inout JSONOutput
  ) async -> Bool {
    if let selection = field.selection, selection.leavesOnly, let single = selection.single {
      let mark = (output: output.count, errors: errors.count)
      if let written = leafObjects(
        value, shape: shape, single.fields, cast: single.cast, field: field, into: &output)
      {
        return written
      }
      output.truncate(to: mark.output)
      errors.removeSubrange(mark.errors...)
    }
    if case .list(let itemShape) = shape {
      guard let items = Self.items(value) else {
        return fail(
          "Expected Iterable, but did not find one for field \(field.parentName).\(field.name).", field)
      }
      output += "["
      for (index, item) in items.enumerated() {
        if index > 0 { output += "," }
        path.append(index)
        defer { path.removeLast() }
        if await !complete(item, shape: itemShape, field: field, into: &output) { return false }
      }
      output += "]"
      return true
    }
    if let leaf = field.leaf { return write(value, leaf, field: field, into: &output) }
    guard let selection = field.selection else { return fail("no selection for \(field.name)", field) }
    if let single = selection.single {
      return await object(single.fields, source: value, cast: single.cast, into: &output)
    }
    guard let typeName = objectTypeName(value), let fields = selection.byType[typeName] else {
      return fail(
        "Abstract type of field \(field.parentName).\(field.name) must resolve to an Object type at runtime, received \"\(Swift.type(of: value))\".",
        field)
    }
    return await object(fields, source: value, cast: APIWiring.planObjects[typeName], into: &output)
  }

  /// Writes an object, or a list of objects (nested lists included), of a
  /// ``SelectionPlan/leavesOnly`` selection without suspending: as ``completePresent``, or `nil`
  /// when a value is not what the plan expects (the caller then takes the general way from
  /// where it started).
  private mutating func leafObjects(
    _ value: any Sendable, shape: FieldPlan.Shape, _ fields: [FieldPlan], cast: APIWiring.PlanObjectCast?,
    field: FieldPlan, into output: inout JSONOutput
  ) -> Bool? {
    guard case .list(let itemShape) = shape else {
      return leafObject(fields, source: value, cast: cast, into: &output)
    }
    guard let items = Self.items(value) else { return nil }
    output += "["
    for (index, item) in items.enumerated() {
      if index > 0 { output += "," }
      path.append(index)
      defer { path.removeLast() }
      if case .nonNull(let inner) = itemShape {
        guard let item else {
          return fail("Cannot return null for non-nullable field \(field.parentName).\(field.name).", field)
        }
        guard let written = leafObjects(item, shape: inner, fields, cast: cast, field: field, into: &output)
        else {
          return nil
        }
        if !written { return false }
      } else if let item {
        let mark = output.count
        guard
          let written = leafObjects(item, shape: itemShape, fields, cast: cast, field: field, into: &output)
        else { return nil }
        if !written {
          output.truncate(to: mark)
          output += "null"
        }
      } else {
        output += "null"
      }
    }
    output += "]"
    return true
  }

  /// Writes a scalar or enum value: the built-in scalars directly, custom ones through their
  /// `serialize`, enums by their value's name.
  private mutating func write(
    _ value: any Sendable, _ leaf: FieldPlan.Leaf, field: FieldPlan, into output: inout JSONOutput
  )
    -> Bool
  {
    switch leaf {
    case .string, .id:
      guard let text = value as? String else { return invalid(value, field) }
      output.appendString(text)
    case .int:
      guard let number = value as? Int else { return invalid(value, field) }
      guard let exact = Int32(exactly: number) else {
        return fail("Int cannot represent non 32-bit signed integer value: \(number)", field)
      }
      output.append(String(exact))
    case .float:
      if let number = value as? Double {
        guard number.isFinite else {
          return fail("Float cannot represent non numeric value: \(number)", field)
        }
        output.appendNumber(number, integralFraction: false)
      } else if let number = value as? Int {
        output.append(String(number))
      } else {
        return invalid(value, field)
      }
    case .boolean:
      guard let flag = value as? Bool else { return invalid(value, field) }
      output += flag ? "true" : "false"
    case .custom(let scalar):
      // The API's own scalars, written directly (as their `serialize` would).
      switch value {
      case let id as UUID:
        output += "\""
        output.append(id.lowercasedText)
        output += "\""
        return true
      case let date as Date:
        output += "\""
        output.append(date.iso8601Text)
        output += "\""
        return true
      case let json as JSONValue where scalar.name == "JSON":
        Self.write(json, into: &output)
        return true
      default: break
      }
      do {
        Self.write(try scalar.serialize(value), into: &output)
      } catch {
        record(error, field)
        return false
      }
    case .enumeration(let enumeration):
      guard let raw = (value as? any RawRepresentable)?.rawValue as? String,
        enumeration.values.contains(where: { $0.name == raw })
      else {
        return fail("Enum \"\(enumeration.name)\" cannot represent value: \(value)", field)
      }
      output.appendString(raw)
    }
    return true
  }

  private mutating func invalid(_ value: any Sendable, _ field: FieldPlan) -> Bool {
    fail("\(field.parentName).\(field.name) cannot represent value: \(value)", field)
  }

  /// A field's arguments: what the document gives (literals, variables, variables inside
  /// lists and objects), else the schema's default.
  static func arguments(_ field: FieldPlan, variables: [String: Map]) throws -> Map {
    if field.arguments.isEmpty { return noArguments }
    var members: OrderedDictionary<String, Map> = [:]
    for argument in field.arguments {
      if let variable = argument.value as? Variable {
        if let value = variables[variable.name.value] {
          members[argument.name] = value
        } else if let fallback = argument.defaultValue {
          members[argument.name] = fallback
        }
      } else if let value = argument.value {
        members[argument.name] = try valueFromASTUntyped(valueAST: value, variables: variables)
      } else if let fallback = argument.defaultValue {
        members[argument.name] = fallback
      }
    }
    return .dictionary(members)
  }

  private mutating func fail(_ message: String, _ field: FieldPlan) -> Bool {
    errors.append(GraphQLError(message: message, nodes: [field.ast], path: GraphQL.IndexPath(path)))
    return false
  }

  /// A resolver's error at its field, as GraphQLSwift records one (a GraphQL error as it is).
  private mutating func record(_ error: any Error, _ field: FieldPlan) {
    if let graphQL = error as? GraphQLError {
      errors.append(graphQL)
    } else {
      errors.append(
        GraphQLError(
          message: String(describing: error), nodes: [field.ast], path: GraphQL.IndexPath(path),
          originalError: error))
    }
  }

  /// A stored field of a parent value.
  static func stored(_ name: String, of source: any Sendable) -> (any Sendable)? {
    if let keyed = source as? any KeySubscriptable { return keyed[name] }
    return Mirror(reflecting: source).children.first { $0.label == name }.map { sendable($0.value) }
  }

  /// A list item: the value inside a boxed optional, `nil` for none.
  static func item(_ value: Any) -> (any Sendable)? {
    if let optional = value as? any OptionalValue { return optional.wrappedValue.flatMap(item) }
    return sendable(value)
  }

  /// A value known to be sendable (everything the resolvers and the generated types hold is);
  /// `Sendable` is a marker protocol, so the cast cannot fail at run time.
  static func sendable<Value>(_ value: Value) -> any Sendable {
    value as! any Sendable
  }

  /// The items of a list value.
  static func items(_ value: any Sendable) -> [(any Sendable)?]? {
    if let array = value as? any AnyArray { return array.planItems }
    if case .array(let items)? = value as? Map { return items }
    return nil
  }

  /// Writes a JSON value as the JSON scalar serializes it: object members in key order,
  /// integral numbers as GraphQLSwift's encoder writes them (without a fraction).
  static func write(_ json: JSONValue, into output: inout JSONOutput) {
    output.append(json, sortedKeys: true, integralFraction: false)
  }

  /// Writes a serialized scalar (`Map`) as JSON.
  static func write(_ map: Map, into output: inout JSONOutput) {
    switch map {
    case .undefined, .null: output += "null"
    case .bool(let flag): output += flag ? "true" : "false"
    case .number(let number):
      switch number.storageType {
      case .bool: output += number.boolValue ? "true" : "false"
      case .int: output.append(String(number.intValue))
      case .double, .unknown: output.appendNumber(number.doubleValue, integralFraction: false)
      }
    case .string(let text): output.appendString(text)
    case .array(let items):
      output += "["
      for (index, item) in items.enumerated() {
        if index > 0 { output += "," }
        write(item, into: &output)
      }
      output += "]"
    case .dictionary(let members):
      output += "{"
      for (index, member) in members.enumerated() {
        if index > 0 { output += "," }
        output.appendString(member.key)
        output += ":"
        write(member.value, into: &output)
      }
      output += "}"
    }
  }
}

/// An optional, whatever it wraps.
protocol OptionalValue {
  var wrappedValue: Any? { get }
}

extension Optional: OptionalValue {
  var wrappedValue: Any? { self }
}

/// An array, whatever its elements.
protocol AnyArray {
  /// The items, optionals unwrapped (`nil` for none).
  var planItems: [(any Sendable)?] { get }
}

extension Array: AnyArray {
  var planItems: [(any Sendable)?] {
    // Whether items are optional is asked of the element type once, not of every item.
    if Element.self is any OptionalValue.Type { return map(PlanExecutor.item) }
    return map(PlanExecutor.sendable)
  }
}
