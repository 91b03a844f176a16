import Foundation
import LTBCore

/// Where the store lives: an SQLite file (the embedded default) or a PostgreSQL server.
public enum DatabaseLocation: Sendable, Hashable, CustomStringConvertible {
  /// An SQLite file (created when missing).
  case sqlite(path: String)
  /// A PostgreSQL server.
  case postgres(
    host: String, port: Int, username: String, password: String?, database: String, unixSocket: String?)

  /// Parses `sqlite:PATH`, `sqlite://PATH`, a bare `*.sqlite`/`*.db` path, or
  /// `postgres://user:password@host:port/database` (also `postgresql://`, and `?host=/socket/dir`).
  public init(parsing text: String) throws {
    if text.hasPrefix("sqlite://") {
      self = .sqlite(path: String(text.dropFirst("sqlite://".count)))
    } else if text.hasPrefix("sqlite:") {
      self = .sqlite(path: String(text.dropFirst("sqlite:".count)))
    } else if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") {
      guard let components = URLComponents(string: text),
        let host = components.host ?? Self.socketHost(components)
      else {
        throw LTBError(
          .invalidInput, "cannot read the database URL '\(Self.redacted(text))'",
          fix: "write postgres://user:password@host:5432/database")
      }
      let database = components.path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
      let socket = components.queryItems?.first { $0.name == "host" }?.value
      self = .postgres(
        host: host, port: components.port ?? 5432, username: components.user ?? "postgres",
        password: components.password,
        database: database.isEmpty ? (components.user ?? "postgres") : database,
        unixSocket: socket.map { $0.hasSuffix("/") ? $0 : $0 + "/" }.map {
          "\($0).s.PGSQL.\(components.port ?? 5432)"
        })
    } else if text.hasSuffix(".sqlite") || text.hasSuffix(".db") || text.hasSuffix(".sqlite3") {
      self = .sqlite(path: text)
    } else {
      throw LTBError(
        .invalidInput, "unknown database '\(Self.redacted(text))'",
        fix: "use sqlite:PATH or postgres://user:password@host:5432/database")
    }
  }

  /// The default: `DATA_DIR/ltb.sqlite`.
  public static func defaultSQLite(dataDirectory: String) -> DatabaseLocation {
    .sqlite(path: dataDirectory + "/ltb.sqlite")
  }

  /// `sqlite:PATH` or the PostgreSQL URL without its password.
  public var description: String {
    switch self {
    case .sqlite(let path): "sqlite:\(path)"
    case .postgres(let host, let port, let username, _, let database, let socket):
      socket.map { "postgres://\(username)@localhost/\(database) (socket \($0))" }
        ?? "postgres://\(username)@\(host):\(port)/\(database)"
    }
  }

  private static func socketHost(_ components: URLComponents) -> String? {
    components.queryItems?.first { $0.name == "host" }?.value == nil ? nil : "localhost"
  }

  private static func redacted(_ text: String) -> String {
    guard var components = URLComponents(string: text), components.password != nil else { return text }
    components.password = "<redacted>"
    return components.string ?? text
  }
}
