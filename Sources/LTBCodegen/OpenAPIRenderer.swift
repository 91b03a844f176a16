import Foundation
public import LTBCore

/// Renders the OpenAPI 3.1 document of the REST shim from the same model: one path per `@rest`
/// field, path and query parameters (or a JSON body for POST) from its arguments, the response
/// schema from its type (stored fields only, as the shim selects them), and one error shape.
public struct OpenAPIRenderer: Sendable {
  /// The model.
  public let schema: SchemaModel
  private let swift: SwiftRenderer

  /// A renderer for `schema`.
  public init(schema: SchemaModel) {
    self.schema = schema
    swift = SwiftRenderer(schema: schema)
  }

  /// The document.
  public func document() -> JSONValue {
    var paths: [String: JSONValue] = [:]
    var referenced: [String] = []
    for root in schema.roots where root.name != "Subscription" {
      for field in root.fields {
        guard let rest = field.directive("rest"), let method = rest.arguments["method"]?.lowercased(),
          let path = rest.arguments["path"]
        else { continue }
        let openPath = path.split(separator: "/", omittingEmptySubsequences: false).map { part in
          part.hasPrefix(":") ? "{\(part.dropFirst())}" : String(part)
        }.joined(separator: "/")
        var operation: [String: JSONValue] = [
          "operationId": .string(field.name), "summary": .string(field.description ?? field.name),
          "tags": .array([.string(root.name == "Query" ? "read" : "write")]),
        ]
        var parameters: [JSONValue] = []
        var bodyProperties: [String: JSONValue] = [:]
        var bodyRequired: [JSONValue] = []
        for argument in field.arguments {
          let required = !argument.type.isNullable && argument.defaultValue == nil
          let argumentSchema = schemaFor(argument.type, referenced: &referenced)
          if path.contains(":" + argument.name) {
            parameters.append([
              "name": .string(argument.name), "in": "path", "required": true, "schema": argumentSchema,
              "description": .string(argument.description ?? argument.name),
            ])
          } else if method == "get" || method == "delete" {
            var parameter: [String: JSONValue] = [
              "name": .string(argument.name), "in": "query", "required": .bool(required),
              "description": .string(argument.description ?? argument.name),
            ]
            if swift.form(argument.type) == "json" {
              parameter["content"] = ["application/json": ["schema": argumentSchema]]
            } else {
              parameter["schema"] = argumentSchema
            }
            parameters.append(.object(parameter))
          } else {
            bodyProperties[argument.name] = argumentSchema
            if required { bodyRequired.append(.string(argument.name)) }
          }
        }
        if !parameters.isEmpty { operation["parameters"] = .array(parameters) }
        if method == "post", !bodyProperties.isEmpty {
          operation["requestBody"] = [
            "required": .bool(!bodyRequired.isEmpty),
            "content": [
              "application/json": [
                "schema": [
                  "type": "object", "properties": .object(bodyProperties), "required": .array(bodyRequired),
                  "additionalProperties": false,
                ]
              ]
            ],
          ]
        }
        var responses: [String: JSONValue] = [
          "200": [
            "description": .string(field.description ?? "the result"),
            "content": [
              "application/json": ["schema": schemaFor(.nonNull(field.type), referenced: &referenced)]
            ],
          ],
          "400": ["$ref": "#/components/responses/Error"], "500": ["$ref": "#/components/responses/Error"],
        ]
        responses["429"] = ["$ref": "#/components/responses/Error"]
        if let permission = field.directive("auth")?.arguments["permission"] {
          operation["security"] = [["bearerAuth": []], ["apiKey": []]]
          operation["description"] = .string("Needs the \(permission) permission.")
          responses["401"] = ["$ref": "#/components/responses/Error"]
          responses["403"] = ["$ref": "#/components/responses/Error"]
        } else {
          operation["security"] = []
        }
        if field.type.isNullable || field.arguments.contains(where: { path.contains(":" + $0.name) })
          || root.name == "Query"
            && field.arguments.contains(where: { $0.name.hasSuffix("Id") || $0.name == "name" })
        {
          responses["404"] = ["$ref": "#/components/responses/Error"]
        }
        operation["responses"] = .object(responses)
        var item = paths[openPath]?.objectValue ?? [:]
        item[method] = .object(operation)
        paths[openPath] = .object(item)
      }
    }
    var components: [String: JSONValue] = [
      "Error": [
        "type": "object", "required": ["error", "code"],
        "properties": [
          "error": ["type": "string", "description": "What went wrong."],
          "code": ["type": "string", "description": "A stable code, e.g. NOT_FOUND or INVALID_INPUT."],
          "fix": ["type": "string", "description": "What to do about it."],
        ],
      ]
    ]
    var index = 0
    while index < referenced.count {
      let name = referenced[index]
      index += 1
      guard let type = schema.type(name) else { continue }
      components[name] = componentSchema(type, referenced: &referenced)
    }
    return [
      "openapi": "3.1.0",
      "info": [
        "title": "LLM Test Bench REST API",
        "version": "1",
        "description":
          "A compatibility shim over the GraphQL API (POST /graphql); generated from schema.graphql.",
      ],
      "paths": .object(paths),
      "components": [
        "securitySchemes": [
          "bearerAuth": [
            "type": "http", "scheme": "bearer",
            "description": "An access token from login (a JWT) or an ltb_ API key.",
          ],
          "apiKey": [
            "type": "apiKey", "in": "header", "name": "X-API-Key", "description": "An ltb_ API key.",
          ],
        ],
        "schemas": .object(components),
        "responses": [
          "Error": [
            "description": "An error with its code and fix.",
            "content": ["application/json": ["schema": ["$ref": "#/components/schemas/Error"]]],
          ]
        ],
      ],
    ]
  }

  /// `OpenAPI.swift`: the document, embedded for the server to serve.
  public func swiftFile() -> String {
    let text = document().serialized(sortedKeys: true)
    return SwiftRenderer.header
      + "/// The REST shim's OpenAPI 3.1 document (served at /api/v1/openapi.json).\n"
      + "public let openAPIDocument = \(SwiftRenderer.literal(text))\n"
  }

  private func schemaFor(_ type: SchemaModel.TypeRef, referenced: inout [String]) -> JSONValue {
    switch type {
    case .nonNull(let inner):
      return nonNullSchema(inner, referenced: &referenced)
    default:
      let inner = nonNullSchema(type, referenced: &referenced)
      if case .object(var members) = inner, case .string(let name)? = members["type"] {
        members["type"] = [.string(name), "null"]
        return .object(members)
      }
      return ["anyOf": [inner, ["type": "null"]]]
    }
  }

  private func nonNullSchema(_ type: SchemaModel.TypeRef, referenced: inout [String]) -> JSONValue {
    switch type {
    case .nonNull(let inner): return nonNullSchema(inner, referenced: &referenced)
    case .list(let inner): return ["type": "array", "items": schemaFor(inner, referenced: &referenced)]
    case .named(let name):
      switch name {
      case "String", "ID": return ["type": "string"]
      case "Int": return ["type": "integer"]
      case "Float": return ["type": "number"]
      case "Boolean": return ["type": "boolean"]
      case "UUID": return ["type": "string", "format": "uuid"]
      case "DateTime": return ["type": "string", "format": "date-time"]
      case "JSON": return [:]
      default:
        if !referenced.contains(name) { referenced.append(name) }
        return ["$ref": .string("#/components/schemas/\(name)")]
      }
    }
  }

  private func componentSchema(_ type: SchemaModel.NamedType, referenced: inout [String]) -> JSONValue {
    switch type.kind {
    case .enumeration:
      return [
        "type": "string", "enum": .array(type.values.map { .string($0.name) }),
        "description": .string(type.description ?? type.name),
      ]
    case .union, .interface:
      // A value of one of the possible object types; `__typename` names which.
      let members = swift.possibleTypes(of: type).map { name -> JSONValue in
        if !referenced.contains(name) { referenced.append(name) }
        return ["$ref": .string("#/components/schemas/\(name)")]
      }
      return ["description": .string(type.description ?? type.name), "oneOf": .array(members)]
    default:
      let fields = type.fields.filter { !swift.isResolved($0, on: type) }
      var properties: [String: JSONValue] = [:]
      for field in fields {
        var property = schemaFor(field.type, referenced: &referenced)
        if case .object(var members) = property, members["$ref"] == nil {
          members["description"] = .string(field.description ?? field.name)
          property = .object(members)
        }
        properties[field.name] = property
      }
      return [
        "type": "object", "description": .string(type.description ?? type.name),
        "properties": .object(properties),
        "required": .array(
          fields.filter { !$0.type.isNullable && type.kind != .inputObject }.map { .string($0.name) }),
      ]
    }
  }
}
