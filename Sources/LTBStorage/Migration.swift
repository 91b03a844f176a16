import Crypto
public import Foundation
import LTBCore

/// One migration file: its number, name, SQL and checksum.
public struct Migration: Sendable, Hashable {
  /// The number, from the file name's `NNNN_` prefix.
  public var version: Int
  /// The file name.
  public var name: String
  /// The SQL text.
  public var sql: String
  /// SHA-256 of the text, hex.
  public var checksum: String

  /// Creates a migration from a file's name and text.
  public init?(fileName: String, sql: String) {
    guard fileName.hasSuffix(".sql"), let number = Int(fileName.prefix { $0.isNumber }),
      fileName.contains("_")
    else {
      return nil
    }
    self.version = number
    self.name = fileName
    self.sql = sql
    self.checksum = SHA256.hash(data: Data(sql.utf8)).map { String(format: "%02x", $0) }.joined()
  }

  /// The migrations shipped for `dialect`, in order.
  public static func bundled(for dialect: SQLDialectKind) throws -> [Migration] {
    guard
      let directory = Bundle.module.url(forResource: "Migrations", withExtension: nil)?
        .appendingPathComponent(dialect.rawValue)
    else {
      throw LTBError(.internal, "the migrations are missing from the installation", fix: "reinstall ltb")
    }
    return try load(directory: directory)
  }

  /// Reads every `NNNN_name.sql` in a directory, in order; two files with one number are an error.
  public static func load(directory: URL) throws -> [Migration] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
    var migrations: [Migration] = []
    for name in names.sorted() where name.hasSuffix(".sql") {
      let text = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
      guard let migration = Migration(fileName: name, sql: text) else {
        throw LTBError(.internal, "migration file \(name) is not named NNNN_name.sql")
      }
      if let clash = migrations.first(where: { $0.version == migration.version }) {
        throw LTBError(
          .internal, "migrations \(clash.name) and \(name) share the number \(migration.version)")
      }
      migrations.append(migration)
    }
    return migrations
  }
}
