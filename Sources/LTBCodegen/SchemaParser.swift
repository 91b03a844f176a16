import GraphQL

/// Reads SDL into a ``SchemaModel``: GraphQLSwift parses it and builds a schema from it (which
/// validates type references, directives and interfaces); the model keeps what generation needs.
/// Every type and field must carry a description.
public enum SchemaParser {
  /// A problem with the schema text, with its line.
  public struct Problem: Error, CustomStringConvertible {
    /// What is wrong and how to fix it.
    public var description: String
  }

  /// Parses and checks `text`.
  public static func parse(_ text: String) throws -> SchemaModel {
    let document: Document
    do {
      document = try GraphQL.parse(source: Source(body: text, name: "schema.graphql"))
      _ = try buildASTSchema(documentAST: document)
    } catch {
      throw Problem(description: "schema.graphql: \(error)")
    }
    var types: [SchemaModel.NamedType] = []
    var missing: [String] = []
    func line(_ location: Location?) -> String { "line \(location?.startToken.line ?? 0)" }
    for definition in document.definitions {
      switch definition {
      case let object as ObjectTypeDefinition:
        if object.description == nil { missing.append("type \(object.name.value) (\(line(object.loc)))") }
        types.append(
          .init(
            kind: .object, name: object.name.value, description: object.description?.value,
            fields: object.fields.map { field($0, owner: object.name.value, missing: &missing) }, values: [],
            members: object.interfaces.map(\.name.value)))
      case let interface as InterfaceTypeDefinition:
        if interface.description == nil {
          missing.append("interface \(interface.name.value) (\(line(interface.loc)))")
        }
        types.append(
          .init(
            kind: .interface, name: interface.name.value, description: interface.description?.value,
            fields: interface.fields.map { field($0, owner: interface.name.value, missing: &missing) },
            values: [],
            members: []))
      case let input as InputObjectTypeDefinition:
        if input.description == nil { missing.append("input \(input.name.value) (\(line(input.loc)))") }
        types.append(
          .init(
            kind: .inputObject, name: input.name.value, description: input.description?.value,
            fields: input.fields.map { value in
              if value.description == nil {
                missing.append("\(input.name.value).\(value.name.value) (\(line(value.loc)))")
              }
              return SchemaModel.Field(
                name: value.name.value, description: value.description?.value, type: typeRef(value.type),
                arguments: [], directives: [])
            }, values: [], members: []))
      case let enumeration as EnumTypeDefinition:
        if enumeration.description == nil {
          missing.append("enum \(enumeration.name.value) (\(line(enumeration.loc)))")
        }
        types.append(
          .init(
            kind: .enumeration, name: enumeration.name.value, description: enumeration.description?.value,
            fields: [], values: enumeration.values.map { ($0.name.value, $0.description?.value) }, members: []
          ))
      case let scalar as ScalarTypeDefinition:
        if scalar.description == nil { missing.append("scalar \(scalar.name.value) (\(line(scalar.loc)))") }
        types.append(
          .init(
            kind: .scalar, name: scalar.name.value, description: scalar.description?.value, fields: [],
            values: [], members: []))
      case let union as UnionTypeDefinition:
        if union.description == nil { missing.append("union \(union.name.value) (\(line(union.loc)))") }
        types.append(
          .init(
            kind: .union, name: union.name.value, description: union.description?.value, fields: [],
            values: [],
            members: union.types.map(\.name.value)))
      default:
        continue
      }
    }
    guard missing.isEmpty else {
      throw Problem(
        description: "schema.graphql: add a description to " + missing.joined(separator: ", "))
    }
    let unguarded = types.filter { ["Query", "Mutation", "Subscription"].contains($0.name) }.flatMap { type in
      type.fields.filter { $0.directive("auth") == nil && $0.directive("public") == nil }.map {
        "\(type.name).\($0.name)"
      }
    }
    guard unguarded.isEmpty else {
      throw Problem(
        description:
          "schema.graphql: every root field needs @auth(permission:) or @public; missing on "
          + unguarded.joined(separator: ", "))
    }
    return SchemaModel(types: types)
  }

  private static func field(_ definition: FieldDefinition, owner: String, missing: inout [String])
    -> SchemaModel.Field
  {
    if definition.description == nil {
      missing.append("\(owner).\(definition.name.value) (line \(definition.loc?.startToken.line ?? 0))")
    }
    return SchemaModel.Field(
      name: definition.name.value, description: definition.description?.value, type: typeRef(definition.type),
      arguments: definition.arguments.map { argument in
        SchemaModel.Argument(
          name: argument.name.value, description: argument.description?.value, type: typeRef(argument.type),
          defaultValue: argument.defaultValue.map { print(ast: $0) })
      },
      directives: definition.directives.map { directive in
        SchemaModel.DirectiveUse(
          name: directive.name.value,
          arguments: Dictionary(
            directive.arguments.map { argument in
              let text = print(ast: argument.value)
              let unquoted =
                text.hasPrefix("\"") && text.hasSuffix("\"") ? String(text.dropFirst().dropLast()) : text
              return (argument.name.value, unquoted)
            }, uniquingKeysWith: { $1 }))
      })
  }

  private static func typeRef(_ type: any GraphQL.`Type`) -> SchemaModel.TypeRef {
    switch type {
    case let named as NamedType: .named(named.name.value)
    case let list as ListType: .list(typeRef(list.type))
    case let nonNull as NonNullType: .nonNull(typeRef(nonNull.type))
    default: .named("Unknown")
    }
  }
}
