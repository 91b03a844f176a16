/// The generator's core, between the thin `ltb-codegen` command and the renderers: schema text
/// in, file names and contents out.
public enum CodeGenerator {
  /// Every generated file for `schemaText`, by file name.
  public static func files(schemaText: String, contextType: String = "APIContext") throws -> [String: String]
  {
    let schema = try SchemaParser.parse(schemaText)
    let swift = SwiftRenderer(schema: schema, contextType: contextType)
    return [
      "Types.swift": swift.types(), "Arguments.swift": swift.arguments(),
      "Resolvers.swift": swift.resolvers(),
      "RESTRoutes.swift": swift.routes(), "Wiring.swift": swift.wiring(),
      "SchemaSDL.swift": swift.sdl(schemaText), "OpenAPI.swift": OpenAPIRenderer(schema: schema).swiftFile(),
    ]
  }
}
