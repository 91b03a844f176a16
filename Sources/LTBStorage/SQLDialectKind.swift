/// Which SQL dialect a store speaks; the few places where the two differ switch on it.
public enum SQLDialectKind: String, Sendable, Hashable {
  case sqlite, postgres
}
