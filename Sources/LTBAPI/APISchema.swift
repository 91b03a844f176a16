public import GraphQL

/// The executable schema: built from the SDL the generator saw (`schemaSDL`), with the custom
/// scalars' serialization and every resolver attached.
public enum APISchema {
  /// Builds the schema for `resolvers`.
  public static func make(_ resolvers: APIResolvers) throws -> GraphQLSchema {
    let schema = try buildSchema(source: schemaSDL)
    APIWiring.installScalars(schema)
    try resolvers.attach(to: schema)
    return schema
  }
}
