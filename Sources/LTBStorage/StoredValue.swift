import Foundation
import SQLKit
import SQLiteKit

/// One column value as the store writes it. Rows are built once as these values; SQLite binds
/// them straight as `SQLiteData` (skipping SQLKit's `Encodable` round trip, which was most of
/// the cost of a bulk insert) and PostgreSQL through SQLKit binds.
enum StoredValue: Sendable {
  case null
  case text(String)
  case integer(Int)
  case real(Double)
  case bool(Bool)
  case uuid(UUID)
  case date(Date)
  /// JSON text: a `jsonb` value on PostgreSQL, text on SQLite.
  case json(String)
  /// A `text[]` on PostgreSQL, a JSON array on SQLite.
  case strings([String])

  /// Wraps an optional: `nil` becomes `.null`.
  static func optional<T>(_ value: T?, _ wrap: (T) -> StoredValue) -> StoredValue {
    value.map(wrap) ?? .null
  }

  /// The value as SQLite stores it (as SQLiteKit would have encoded the Swift value).
  var sqlite: SQLiteData {
    switch self {
    case .null: .null
    case .text(let text), .json(let text): .text(text)
    case .integer(let value): .integer(value)
    case .real(let value): .float(value)
    case .bool(let value): .integer(value ? 1 : 0)
    case .uuid(let value): .text(value.uuidString)
    case .date(let value): .float(value.timeIntervalSince1970)
    case .strings(let values): .text(StoredJSON.strings(values))
    }
  }

  /// The value as an SQLKit bind on SQLite (what ``sqlite`` holds, bound through SQLKit).
  var sqliteBind: any SQLExpression {
    switch self {
    case .null: SQLLiteral.null
    case .text(let text), .json(let text): SQLBind(text)
    case .integer(let value): SQLBind(value)
    case .real(let value): SQLBind(value)
    case .bool(let value): SQLBind(value ? 1 : 0)
    case .uuid(let value): SQLBind(value.uuidString)
    case .date(let value): SQLBind(value.timeIntervalSince1970)
    case .strings(let values): SQLBind(StoredJSON.strings(values))
    }
  }

  /// The value as a PostgreSQL bind.
  var postgres: any SQLExpression {
    switch self {
    case .null: SQLLiteral.null
    case .text(let text): SQLBind(text)
    case .json(let text): SQLQueryString("\(bind: text)::jsonb")
    case .integer(let value): SQLBind(value)
    case .real(let value): SQLBind(value)
    case .bool(let value): SQLBind(value)
    case .uuid(let value): SQLBind(value)
    case .date(let value): SQLBind(value)
    case .strings(let values): SQLBind(values)
    }
  }
}
