import Foundation
import LTBAPI
import LTBCodegen
import LTBCore
import Testing

/// The generator: golden files for a small fixture schema, no drift between schema.graphql and
/// the committed Sources/LTBAPI/Generated, the generated code compiled and usable, and clear
/// errors for bad schemas.
@Suite("ltb-codegen")
struct CodegenTests {
  static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent()
    .deletingLastPathComponent()

  static func fixture(_ name: String) throws -> String {
    let url = try #require(Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil))
    return try String(contentsOf: url, encoding: .utf8)
  }

  @Test("the fixture schema generates exactly the golden files")
  func golden() throws {
    let files = try CodeGenerator.files(schemaText: try Self.fixture("fixture.graphql"))
    #expect(
      files.keys.sorted() == [
        "Arguments.swift", "OpenAPI.swift", "RESTRoutes.swift", "Resolvers.swift", "SchemaSDL.swift",
        "Types.swift",
        "Wiring.swift",
      ])
    for (name, contents) in files {
      let expected = try Self.fixture("golden/\(name).txt")
      #expect(contents == expected, "\(name) differs from its golden file")
    }
  }

  @Test("what the fixture generates: enums, stored and resolved fields, arguments, subscriptions, routes")
  func fixtureShape() throws {
    let files = try CodeGenerator.files(schemaText: try Self.fixture("fixture.graphql"))
    let types = try #require(files["Types.swift"])
    #expect(types.contains("case darkBlue = \"DARK_BLUE\""))
    #expect(types.contains("public let owner: Part?"), "objects are immutable final classes")
    #expect(
      types.contains("public struct ThingFilter: Codable, Sendable, Equatable {"), "inputs stay structs")
    #expect(!types.contains("public let parts"), "a @resolver field is not stored")
    let resolvers = try #require(files["Resolvers.swift"])
    #expect(
      resolvers.contains(
        "func parts(_ parent: Thing, _ arguments: ThingPartsArguments, context: APIContext) async throws -> [Part]"
      ))
    #expect(
      resolvers.contains(
        "func thing(_ arguments: QueryThingArguments, context: APIContext) async throws -> Thing?"))
    #expect(
      resolvers.contains(
        "func thingChanged(_ arguments: SubscriptionThingChangedArguments, context: APIContext) async throws -> AsyncThrowingStream<Thing, any Error>"
      ))
    let arguments = try #require(files["Arguments.swift"])
    #expect(arguments.contains("/// (default 10)"))
    let routes = try #require(files["RESTRoutes.swift"])
    #expect(
      routes.contains(
        #"query($id: UUID!) { thing(id: $id) { id colour labels owner { name weight } related {"#))
    #expect(routes.contains(#"mutation($id: UUID!, $colour: Colour!) { paint(id: $id, colour: $colour)"#))
    #expect(routes.contains(#"permission: "VIEW""#))
    // Unions and interfaces: protocols, conformances, existential values, inline fragments in
    // REST documents, and a resolveType per abstract type.
    #expect(types.contains("public protocol Item: Sendable {}"))
    #expect(
      types.contains("public protocol Named: Sendable {\n  /// The name.\n  var name: String { get }\n}"))
    #expect(types.contains("public final class Part: Codable, Sendable, Named, Item {"))
    #expect(
      types.contains("public final class Thing: Sendable, Item {"), "a union-valued field is not Codable")
    #expect(types.contains("public let related: (any Item)?"))
    #expect(
      resolvers.contains(
        "func item(_ arguments: QueryItemArguments, context: APIContext) async throws -> (any Item)?"))
    #expect(resolvers.contains("func named(context: APIContext) async throws -> [any Named]"))
    #expect(routes.contains(#"item(id: $id) { __typename ... on Thing { id colour labels"#))
    let wiring = try #require(files["Wiring.swift"])
    // Stored fields are read by name through a switch, not by reflection.
    #expect(wiring.contains("extension Thing: KeySubscriptable {"))
    #expect(wiring.contains("    case \"related\": self.related\n"), "self. keeps a field named key apart")
    // Permissions: checked before the resolver; a mutation is audited; a @public field is not guarded.
    #expect(
      wiring.contains(
        #"try await mutation.paint(try arguments.decode(MutationPaintArguments.self, args), context: try await APIWiring.authorized(context, "EDIT", field: "Mutation.paint"))"#
      ))
    #expect(wiring.contains(#"try await APIWiring.audited("paint", context, args: args)"#))
    #expect(wiring.contains(#"try await query.named(context: try APIWiring.context(context))"#))
    #expect(!wiring.contains("case \"parts\""), "a @resolver field is not read from the value")
    #expect(
      wiring.contains(
        "\"Item\": { value, _ in\n      switch value {\n      case is Thing: \"Thing\"\n      case is Part: \"Part\""
      ))
  }

  @Test(
    "the committed generated code is what schema.graphql generates (run ltb-codegen after changing the schema)"
  )
  func noDrift() throws {
    let schema = try String(
      contentsOf: Self.repository.appendingPathComponent("schema.graphql"), encoding: .utf8)
    let directory = Self.repository.appendingPathComponent("Sources/LTBAPI/Generated")
    let files = try CodeGenerator.files(schemaText: schema)
    let committed = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter {
      $0.hasSuffix(".swift")
    }
    #expect(Set(committed) == Set(files.keys), "stray or missing generated files")
    for (name, contents) in files {
      let current = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
      #expect(
        current == contents,
        "\(name) is out of date: swift run ltb-codegen schema.graphql Sources/LTBAPI/Generated")
    }
  }

  @Test("the generated API types compile and carry the schema: routes, enums, arguments")
  func generatedCodeIsUsable() throws {
    #expect(restRoutes.count == 47)
    #expect(Set(restRoutes.map { "\($0.method) \($0.path)" }).count == restRoutes.count, "no route twice")
    for path in [
      "/api/v1/benchmarks", "/api/v1/benchmarks/:id", "/api/v1/benchmarks/:id/cancel", "/api/v1/results",
      "/api/v1/results/:id", "/api/v1/results/export", "/api/v1/providers", "/api/v1/providers/:name",
      "/api/v1/providers/:name/models", "/api/v1/evaluate", "/api/v1/compare", "/api/v1/metrics",
      "/api/v1/health",
    ] {
      #expect(restRoutes.contains { $0.path == path }, "the spec's route \(path)")
    }
    #expect(restRoutes.first { $0.path == "/api/v1/health" }?.permission == nil)
    #expect(LTBAPI.Permission.allCases.count == 6)
    #expect(LTBAPI.SessionStatus(rawValue: "CANCELLED") == LTBAPI.SessionStatus.cancelled)
    let arguments = QueryBenchmarkArguments(id: UUID())
    let decoded = try JSONDecoder().decode(
      QueryBenchmarkArguments.self, from: try JSONEncoder().encode(arguments))
    #expect(decoded == arguments)
  }

  @Test(
    "the OpenAPI document: every route an operation, parameters and bodies from arguments, every $ref defined"
  )
  func openAPI() throws {
    let document = try JSONValue.parse(openAPIDocument)
    #expect(document["openapi"] == "3.1.0")
    let paths = try #require(document["paths"]?.objectValue)
    var operations = 0
    for route in restRoutes {
      let path = route.path.split(separator: "/", omittingEmptySubsequences: false).map {
        $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0)
      }.joined(separator: "/")
      let operation = try #require(paths[path]?[route.method.lowercased()], "\(route.method) \(path)")
      operations += 1
      #expect(operation["operationId"]?.stringValue == route.field)
      #expect(operation["responses"]?["200"] != nil)
      for argument in route.arguments where argument.inPath {
        #expect(
          operation["parameters"]?.arrayValue?.contains {
            $0["name"]?.stringValue == argument.name && $0["in"] == "path"
          }
            == true)
      }
    }
    #expect(operations == restRoutes.count)
    #expect(
      paths["/api/v1/evaluate"]?["post"]?["requestBody"]?["content"]?["application/json"]?["schema"]?[
        "required"] == ["input"])
    // Every reference points at a defined component.
    let schemas = try #require(document["components"]?["schemas"]?.objectValue)
    func references(_ value: JSONValue) -> [String] {
      switch value {
      case .object(let members):
        return (members["$ref"]?.stringValue.map { [$0] } ?? []) + members.values.flatMap(references)
      case .array(let items): return items.flatMap(references)
      default: return []
      }
    }
    let all = Set(references(document))
    #expect(!all.isEmpty)
    for reference in all {
      let name = reference.replacingOccurrences(of: "#/components/schemas/", with: "")
        .replacingOccurrences(of: "#/components/responses/", with: "")
      #expect(schemas[name] != nil || document["components"]?["responses"]?[name] != nil, "\(reference)")
    }
    #expect(schemas["Session"]?["required"]?.arrayValue?.contains("id") == true)
    // Authentication: the schemes, on every guarded route with 401 and 403; public routes have none.
    #expect(document["components"]?["securitySchemes"]?["bearerAuth"]?["scheme"] == "bearer")
    #expect(document["components"]?["securitySchemes"]?["apiKey"]?["name"] == "X-API-Key")
    for route in restRoutes {
      let openPath = route.path.split(separator: "/", omittingEmptySubsequences: false).map {
        $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0)
      }.joined(separator: "/")
      let operation = try #require(paths[openPath]?[route.method.lowercased()], "\(route.path)")
      if route.permission != nil {
        #expect(operation["security"]?.arrayValue?.count == 2, "\(route.path)")
        #expect(
          operation["responses"]?["401"] != nil && operation["responses"]?["403"] != nil, "\(route.path)")
      } else {
        #expect(operation["security"] == [], "\(route.path) is public")
      }
    }
    #expect(schemas["Session"]?["properties"]?["summary"] == nil, "computed fields are not in the REST shape")
  }

  @Test("schema problems are reported with what to fix")
  func badSchemas() {
    func problem(_ text: String) -> String {
      do {
        _ = try SchemaParser.parse(text)
        return "accepted"
      } catch {
        return "\(error)"
      }
    }
    #expect(
      problem("type Query { a: Int }").contains("add a description to type Query (line 1), Query.a (line 1)"))
    #expect(problem("\"Q.\" type Query { \"A.\" a: Missing }").contains("Missing"))
    #expect(problem("\"Q.\" type Query { \"A.\" a: Int").contains("schema.graphql"))
    #expect(
      problem(
        "\"P.\" directive @public on FIELD_DEFINITION \"Q.\" type Query { \"A.\" a: Int @public \"B.\" b: Int }"
      ).contains(
        "every root field needs @auth(permission:) or @public; missing on Query.b"))
  }
}
