public import GraphQL

// GraphQLSwift 4.3 declares `__InputValue.isDeprecated: Boolean!` without a resolver, and its
// argument and input-field definitions have no `isDeprecated` property for the default
// resolver to read: every introspection query that asks for it (graphql-core's and gql's
// standard one, graphql-js's with `inputValueDeprecation`) failed with "Cannot return null for
// non-nullable field __InputValue.isDeprecated". The default resolver reads a source through
// `KeySubscriptable` first, so these conformances answer every `__InputValue` field from the
// definition, `isDeprecated` included. They are retroactive because the fix belongs upstream;
// the test of the standard introspection query fails if an update makes them collide.

// swift-format-ignore: AvoidRetroactiveConformances
extension GraphQLArgumentDefinition: @retroactive KeySubscriptable {
  /// The `__InputValue` field called `key` of this argument.
  public subscript(key: String) -> (any Sendable)? {
    inputValueField(
      key, name: name, type: type, description: description, defaultValue: defaultValue,
      deprecationReason: deprecationReason)
  }
}

// swift-format-ignore: AvoidRetroactiveConformances
extension InputObjectFieldDefinition: @retroactive KeySubscriptable {
  /// The `__InputValue` field called `key` of this input field.
  public subscript(key: String) -> (any Sendable)? {
    inputValueField(
      key, name: name, type: type, description: description, defaultValue: defaultValue,
      deprecationReason: deprecationReason)
  }
}

/// One `__InputValue` field of an argument or input field.
private func inputValueField(
  _ key: String, name: String, type: any GraphQLInputType, description: String?, defaultValue: Map?,
  deprecationReason: String?
) -> (any Sendable)? {
  switch key {
  case "name": name
  case "type": type
  case "description": description
  case "defaultValue": defaultValue
  case "deprecationReason": deprecationReason
  case "isDeprecated": deprecationReason != nil
  default: nil
  }
}
