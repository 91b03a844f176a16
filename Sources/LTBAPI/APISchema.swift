public import GraphQL

/// The executable schema: built from the SDL the generator saw (`schemaSDL`), with a
/// `resolveType` for each union and interface, the custom scalars' serialization and every
/// resolver attached.
public enum APISchema {
  /// Builds the schema for `resolvers`.
  public static func make(_ resolvers: APIResolvers) throws -> GraphQLSchema {
    let schema = try APIWiring.withTypeResolvers(buildSchema(source: schemaSDL), APIResolvers.typeResolvers)
    APIWiring.installScalars(schema)
    try resolvers.attach(to: schema)
    return schema
  }
}
