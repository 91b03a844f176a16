public import GraphQL
import OrderedCollections

extension APIWiring {
  /// The schema again, with a `resolveType` on every union and interface named in `resolvers`.
  ///
  /// GraphQLSwift's `buildSchema` leaves `resolveType` unset and it cannot be set afterwards, so
  /// the object, interface and union types are rebuilt (their fields' types pointing at the
  /// rebuilt ones, by name); scalars, enums, input objects and directives are kept as they are.
  /// A schema without unions or interfaces is returned unchanged.
  public static func withTypeResolvers(_ schema: GraphQLSchema, _ resolvers: [String: GraphQLTypeResolve])
    throws -> GraphQLSchema
  {
    let named = schema.typeMap.values
    guard named.contains(where: { $0 is GraphQLUnionType || $0 is GraphQLInterfaceType }) else {
      return schema
    }
    let rebuilt = RebuiltTypes()
    func output(_ type: any GraphQLOutputType) throws -> any GraphQLOutputType {
      switch type {
      case let nonNull as GraphQLNonNull:
        guard let inner = nonNull.ofType as? any GraphQLOutputType else { return type }
        return try GraphQLNonNull(output(inner))
      case let list as GraphQLList:
        guard let inner = list.ofType as? any GraphQLOutputType else { return type }
        return try GraphQLList(output(inner))
      case let named as any GraphQLNamedType:
        return rebuilt.types[named.name] as? any GraphQLOutputType ?? type
      default:
        return type
      }
    }
    func fields(_ map: GraphQLFieldMap) throws -> GraphQLFieldMap {
      try map.mapValues { field in
        let copy = GraphQLField(
          type: try output(field.type), description: field.description,
          deprecationReason: field.deprecationReason,
          args: field.args, astNode: field.astNode)
        copy.resolve = field.resolve
        copy.subscribe = field.subscribe
        return copy
      }
    }
    func interfaces(_ list: [GraphQLInterfaceType]) -> [GraphQLInterfaceType] {
      list.map { rebuilt.types[$0.name] as? GraphQLInterfaceType ?? $0 }
    }
    for type in named {
      switch type {
      case let object as GraphQLObjectType:
        rebuilt.types[object.name] = try GraphQLObjectType(
          name: object.name, description: object.description, fields: { try fields(object.fields()) },
          interfaces: { interfaces(try object.interfaces()) }, isTypeOf: object.isTypeOf,
          astNode: object.astNode)
      case let interface as GraphQLInterfaceType:
        rebuilt.types[interface.name] = try GraphQLInterfaceType(
          name: interface.name, description: interface.description,
          fields: { try fields(interface.fields()) },
          interfaces: { interfaces(try interface.interfaces()) },
          resolveType: resolvers[interface.name] ?? interface.resolveType, astNode: interface.astNode)
      case let union as GraphQLUnionType:
        rebuilt.types[union.name] = try GraphQLUnionType(
          name: union.name, description: union.description,
          resolveType: resolvers[union.name] ?? union.resolveType,
          types: { try union.types().map { rebuilt.types[$0.name] as? GraphQLObjectType ?? $0 } })
      default:
        rebuilt.types[type.name] = type
      }
    }
    func root(_ type: GraphQLObjectType?) -> GraphQLObjectType? {
      type.flatMap { rebuilt.types[$0.name] as? GraphQLObjectType }
    }
    return try GraphQLSchema(
      query: root(schema.queryType), mutation: root(schema.mutationType),
      subscription: root(schema.subscriptionType),
      types: named.filter { !$0.name.hasPrefix("__") }.compactMap { rebuilt.types[$0.name] },
      directives: schema.directives)
  }
}

/// The rebuilt named types by name, filled before any field thunk reads it.
private final class RebuiltTypes: @unchecked Sendable {
  var types: [String: any GraphQLNamedType] = [:]
}
