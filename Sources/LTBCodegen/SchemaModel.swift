/// A GraphQL schema as the generator sees it: named types with their fields, arguments,
/// descriptions and directives, in the order the SDL declares them.
public struct SchemaModel: Sendable, Equatable {
  /// A type reference as written: `T`, `[T]`, `T!`.
  public indirect enum TypeRef: Sendable, Equatable {
    /// A named type, nullable.
    case named(String)
    /// A list, nullable.
    case list(TypeRef)
    /// The non-null form of a type.
    case nonNull(TypeRef)

    /// The named type at the bottom.
    public var name: String {
      switch self {
      case .named(let name): name
      case .list(let inner), .nonNull(let inner): inner.name
      }
    }

    /// The reference in SDL syntax.
    public var sdl: String {
      switch self {
      case .named(let name): name
      case .list(let inner): "[\(inner.sdl)]"
      case .nonNull(let inner): inner.sdl + "!"
      }
    }

    /// Whether a value may be null.
    public var isNullable: Bool {
      if case .nonNull = self { return false }
      return true
    }
  }

  /// A directive use: its name and its arguments' literal values.
  public struct DirectiveUse: Sendable, Equatable {
    /// The directive's name.
    public var name: String
    /// Argument values as their literal text (strings without quotes).
    public var arguments: [String: String]
  }

  /// An argument or an input field.
  public struct Argument: Sendable, Equatable {
    /// Its name.
    public var name: String
    /// Its description.
    public var description: String?
    /// Its type.
    public var type: TypeRef
    /// Its default, as SDL text.
    public var defaultValue: String?
  }

  /// A field of an object, interface or input type.
  public struct Field: Sendable, Equatable {
    /// Its name.
    public var name: String
    /// Its description.
    public var description: String?
    /// Its type.
    public var type: TypeRef
    /// Its arguments.
    public var arguments: [Argument]
    /// Its directives.
    public var directives: [DirectiveUse]

    /// The directive called `name`, when present.
    public func directive(_ name: String) -> DirectiveUse? { directives.first { $0.name == name } }
  }

  /// What kind of named type.
  public enum Kind: String, Sendable, Equatable {
    case object, inputObject, enumeration, scalar, interface, union
  }

  /// A named type.
  public struct NamedType: Sendable, Equatable {
    /// What kind.
    public var kind: Kind
    /// Its name.
    public var name: String
    /// Its description.
    public var description: String?
    /// Fields (objects, interfaces, inputs).
    public var fields: [Field]
    /// Enum values with their descriptions.
    public var values: [(name: String, description: String?)]
    /// Union members, or the interfaces an object implements.
    public var members: [String]

    /// Equal in every part (tuples are compared field by field).
    public static func == (lhs: NamedType, rhs: NamedType) -> Bool {
      lhs.kind == rhs.kind && lhs.name == rhs.name && lhs.description == rhs.description
        && lhs.fields == rhs.fields
        && lhs.values.map(\.name) == rhs.values.map(\.name)
        && lhs.values.map(\.description)
          == rhs.values.map(\.description)
        && lhs.members == rhs.members
    }
  }

  /// Every named type, in declaration order.
  public var types: [NamedType]

  /// The type called `name`.
  public func type(_ name: String) -> NamedType? { types.first { $0.name == name } }

  /// The root operation types that exist.
  public var roots: [NamedType] { ["Query", "Mutation", "Subscription"].compactMap(type) }
}
