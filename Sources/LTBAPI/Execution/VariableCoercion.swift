import GraphQL
import OrderedCollections

/// Coerces an operation's variables by their declared types, as the specification's
/// "CoerceVariableValues" does: required ones must be given and not null, defaults fill the
/// rest, a single value stands for a one-item list, input objects reject unknown fields and take
/// their fields' defaults, built-in scalars check their kind, custom scalars run their
/// `parseValue`, enums accept only their values. Errors name the variable and what was expected.
struct VariableCoercion {
  let schema: GraphQLSchema

  /// The coerced variables, or the first problem as a BAD_USER_INPUT error.
  func coerce(_ definitions: [VariableDefinition], _ given: [String: Map])
    -> Swift.Result<[String: Map], GraphQLError>
  {
    var coerced: [String: Map] = [:]
    for definition in definitions {
      let name = definition.variable.name.value
      do {
        let type = try inputType(definition.type)
        if let value = given[name], value != .undefined {
          coerced[name] = try coerce(value, type, at: "$\(name)")
        } else if let fallback = definition.defaultValue {
          coerced[name] = try valueFromASTUntyped(valueAST: fallback)
        } else if type is GraphQLNonNull {
          throw Problem("Variable \"$\(name)\" of required type \"\(describe(type))\" was not provided.")
        }
      } catch let problem as Problem {
        return .failure(GraphQLError(message: problem.message, extensions: ["code": "BAD_USER_INPUT"]))
      } catch {
        return .failure(GraphQLError(message: "\(error)", extensions: ["code": "BAD_USER_INPUT"]))
      }
    }
    return .success(coerced)
  }

  private struct Problem: Error {
    let message: String
    init(_ message: String) { self.message = message }
  }

  private func coerce(_ value: Map, _ type: any GraphQLType, at path: String) throws -> Map {
    if let nonNull = type as? GraphQLNonNull {
      if case .null = value {
        throw Problem("Variable \"\(path)\" of non-null type \"\(describe(type))\" must not be null.")
      }
      return try coerce(value, nonNull.ofType, at: path)
    }
    if case .null = value { return .null }
    switch type {
    case let list as GraphQLList:
      if case .array(let items) = value {
        return .array(try items.enumerated().map { try coerce($1, list.ofType, at: "\(path)[\($0)]") })
      }
      return .array([try coerce(value, list.ofType, at: path)])
    case let scalar as GraphQLScalarType:
      return try coerceScalar(value, scalar, at: path)
    case let enumeration as GraphQLEnumType:
      guard case .string(let name) = value, enumeration.values.contains(where: { $0.name == name }) else {
        throw invalid(value, type, at: path)
      }
      return value
    case let input as GraphQLInputObjectType:
      guard case .dictionary(let members) = value else { throw invalid(value, type, at: path) }
      let fields = try input.fields()
      if let unknown = members.keys.first(where: { fields[$0] == nil }) {
        throw Problem(
          "Variable \"\(path)\" got invalid value: field \"\(unknown)\" is not defined by type \"\(input.name)\"."
        )
      }
      var result: OrderedDictionary<String, Map> = [:]
      for (name, field) in fields {
        if let member = members[name] {
          result[name] = try coerce(member, field.type, at: "\(path).\(name)")
        } else if let fallback = field.defaultValue {
          result[name] = fallback
        } else if field.type is GraphQLNonNull {
          throw Problem(
            "Variable \"\(path)\" got invalid value: field \"\(name)\" of required type \"\(describe(field.type))\" was not provided."
          )
        }
      }
      return .dictionary(result)
    default:
      throw invalid(value, type, at: path)
    }
  }

  private func coerceScalar(_ value: Map, _ scalar: GraphQLScalarType, at path: String) throws -> Map {
    switch scalar.name {
    case "Int":
      guard case .number(let number) = value, number.storageType != .bool,
        let double = Double(exactly: number.doubleValue), double.rounded() == double,
        let exact = Int32(exactly: double)
      else { throw invalid(value, scalar, at: path) }
      return .number(Number(Int(exact)))
    case "Float":
      guard case .number(let number) = value, number.storageType != .bool, number.doubleValue.isFinite else {
        throw invalid(value, scalar, at: path)
      }
      return value
    case "String":
      guard case .string = value else { throw invalid(value, scalar, at: path) }
      return value
    case "Boolean":
      if case .bool = value { return value }
      if case .number(let number) = value, number.storageType == .bool { return .bool(number.boolValue) }
      throw invalid(value, scalar, at: path)
    case "ID":
      if case .string = value { return value }
      if case .number(let number) = value, number.storageType == .int {
        return .string(String(number.intValue))
      }
      throw invalid(value, scalar, at: path)
    default:
      do {
        return try scalar.parseValue(value)
      } catch let error as GraphQLError {
        throw Problem("Variable \"\(path)\" got invalid value \(describe(value)); \(error.message)")
      }
    }
  }

  private func invalid(_ value: Map, _ type: any GraphQLType, at path: String) -> Problem {
    Problem("Variable \"\(path)\" got invalid value \(describe(value)); Expected type \"\(describe(type))\".")
  }

  /// The schema type of a variable's declared type.
  private func inputType(_ type: any GraphQL.`Type`) throws -> any GraphQLType {
    switch type {
    case let nonNull as NonNullType:
      return try GraphQLNonNull(try inputType(nonNull.type))
    case let list as ListType:
      return GraphQLList(try inputType(list.type))
    case let named as NamedType:
      guard let found = schema.getType(name: named.name.value) else {
        throw Problem("Unknown type \"\(named.name.value)\".")
      }
      return found
    default:
      throw Problem("Unsupported variable type.")
    }
  }

  private func describe(_ type: any GraphQLType) -> String {
    switch type {
    case let nonNull as GraphQLNonNull: describe(nonNull.ofType) + "!"
    case let list as GraphQLList: "[" + describe(list.ofType) + "]"
    case let named as any GraphQLNamedType: named.name
    default: "\(type)"
    }
  }

  private func describe(_ value: Map) -> String {
    value.description
  }
}
