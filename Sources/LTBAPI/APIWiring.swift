import Foundation
public import GraphQL
import LTBAuth
import LTBCore
import OrderedCollections

/// What the generated wiring calls: attach closures to a schema's fields, decode arguments,
/// recover the parent value and the request context, and give the custom scalars their
/// serialization.
public enum APIWiring {
  /// A resolver: the parent value, the arguments and the request context in, the value out.
  public typealias FieldResolve = @Sendable (any Sendable, Map, any Sendable) async throws -> (any Sendable)?

  /// Sets the resolver of each named field of object type `type`; for the subscription root,
  /// the closure produces the event stream and each event is the field's value.
  public static func attach(
    _ schema: GraphQLSchema, type name: String, subscription: Bool, _ resolvers: [String: FieldResolve]
  ) throws {
    guard let type = schema.getType(name: name) as? GraphQLObjectType else {
      throw GraphQLError(message: "the schema has no object type \(name)")
    }
    let fields = try type.fields()
    for (fieldName, resolve) in resolvers {
      guard let field = fields[fieldName] else {
        throw GraphQLError(message: "the schema has no field \(name).\(fieldName)")
      }
      if subscription {
        field.subscribe = { source, args, context, _ in try await resolve(source, args, context) }
        field.resolve = { source, _, _, _ in source }
      } else {
        field.resolve = { source, args, context, _ in try await resolve(source, args, context) }
      }
    }
    type.fields = { fields }
  }

  /// The parent value of a computed field.
  public static func parent<Parent>(_ type: Parent.Type, _ source: any Sendable) throws -> Parent {
    guard let parent = source as? Parent else {
      throw GraphQLError(
        message: "internal: expected a \(Parent.self) as the parent, got \(Swift.type(of: source))")
    }
    return parent
  }

  /// The request context.
  public static func context(_ context: any Sendable) throws -> APIContext {
    guard let context = context as? APIContext else {
      throw GraphQLError(message: "internal: the request has no API context")
    }
    return context
  }

  /// The request context, once its principal is known to hold `permission`: the check the
  /// generated wiring runs before every field that declares `@auth`. A missing credential is
  /// `UNAUTHENTICATED`; a missing permission is `FORBIDDEN` and goes to the audit log.
  public static func authorized(_ context: any Sendable, _ permission: String, field: String) async throws
    -> APIContext
  {
    let context = try self.context(context)
    let principal = try context.requirePrincipal()
    guard let needed = LTBCore.Permission(rawValue: permission), principal.has(needed) else {
      try? await context.auth?.audit(
        principal.userID, "permission.denied", "field", nil,
        [
          "field": .string(field), "permission": .string(permission),
          "role": .string(principal.role.rawValue),
        ],
        context.client)
      throw LTBError(
        .permissionDenied,
        "\(field) needs the \(permission) permission, which your \(principal.role.rawValue) role or key lacks",
        fix: "ask an admin for a role or key that grants \(permission)")
    }
    return context
  }

  /// Runs a mutation and records it in the audit log as `mutation.<field>`, with its outcome,
  /// the principal, the client and the `id` argument when there is one (never other
  /// arguments, which may hold secrets).
  public static func audited<Value: Sendable>(
    _ field: String, _ context: any Sendable, args: Map, _ body: () async throws -> Value
  ) async throws -> Value {
    let context = try self.context(context)
    let resource = args["id"].string.flatMap(UUID.init(uuidString:))
    do {
      let value = try await body()
      let created = (value as? any Node)?.id
      try? await context.auth?.audit(
        context.principal?.userID, "mutation." + field, "mutation", resource ?? created, ["outcome": "ok"],
        context.client)
      return value
    } catch {
      let code = (error as? LTBError)?.code.graphQLCode ?? "INTERNAL"
      try? await context.auth?.audit(
        context.principal?.userID, "mutation." + field, "mutation", resource, ["outcome": .string(code)],
        context.client)
      throw error
    }
  }

  /// Gives `DateTime`, `UUID` and `JSON` their serialization: ISO 8601 strings, canonical UUID
  /// strings, and JSON values as themselves.
  public static func installScalars(_ schema: GraphQLSchema) {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    let iso = ISO8601Format(formatter: formatter)
    if let dateTime = schema.getType(name: "DateTime") as? GraphQLScalarType {
      dateTime.serialize = { value in
        guard let date = value as? Date else {
          throw GraphQLError(message: "DateTime: expected a date, got \(value)")
        }
        return .string(date.iso8601Text)
      }
      dateTime.parseValue = { value in
        guard case .string(let text) = value, iso.date(text) != nil else {
          throw GraphQLError(message: "DateTime: expected an ISO 8601 string such as 2026-11-29T08:00:00Z")
        }
        return value
      }
      dateTime.parseLiteral = { literal in
        guard let text = (literal as? StringValue)?.value, iso.date(text) != nil else {
          throw GraphQLError(message: "DateTime: expected an ISO 8601 string such as 2026-11-29T08:00:00Z")
        }
        return .string(text)
      }
    }
    if let uuid = schema.getType(name: "UUID") as? GraphQLScalarType {
      uuid.serialize = { value in
        guard let id = value as? UUID else {
          throw GraphQLError(message: "UUID: expected a UUID, got \(value)")
        }
        return .string(id.lowercasedText)
      }
      uuid.parseValue = { value in
        guard case .string(let text) = value, UUID(uuidString: text) != nil else {
          throw GraphQLError(
            message: "UUID: expected a UUID string such as 01a22681-7988-773d-9672-55965d072966")
        }
        return value
      }
      uuid.parseLiteral = { literal in
        guard let text = (literal as? StringValue)?.value, UUID(uuidString: text) != nil else {
          throw GraphQLError(
            message: "UUID: expected a UUID string such as 01a22681-7988-773d-9672-55965d072966")
        }
        return .string(text)
      }
    }
    if let json = schema.getType(name: "JSON") as? GraphQLScalarType {
      json.serialize = { value in
        if let value = value as? JSONValue { return Self.map(value) }
        return try GraphQL.map(from: value)
      }
      json.parseValue = { $0 }
    }
  }

  static func map(_ value: JSONValue) -> Map {
    switch value {
    case .null: .null
    case .bool(let flag): .bool(flag)
    case .int(let number): .number(Number(number))
    case .double(let number): .number(Number(number))
    case .string(let text): .string(text)
    case .array(let items): .array(items.map(map))
    case .object(let members):
      .dictionary(
        OrderedDictionary(
          uniqueKeysWithValues: members.sorted { $0.key < $1.key }.map { ($0.key, map($0.value)) }))
    }
  }
}

/// A thread-safe ISO 8601 parser wrapper (the formatter itself is used read-only).
struct ISO8601Format: @unchecked Sendable {
  let formatter: ISO8601DateFormatter

  func date(_ text: String) -> Date? {
    formatter.date(from: text) ?? ISO8601DateFormatter().date(from: text)
  }
}
