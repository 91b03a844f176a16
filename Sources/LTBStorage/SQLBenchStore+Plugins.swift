public import Foundation
import SQLKit

/// The plugin registry's rows (migration 0009).
extension SQLBenchStore {
  /// Inserts or replaces the plugin named `record.name` (a new version keeps its first install time).
  public func savePlugin(_ record: PluginRecord) async throws {
    let granted = String(decoding: try Self.encoder.encode(record.granted), as: UTF8.self)
    try await connections.write { database in
      try await database.raw(
        """
        INSERT INTO plugins (name, version, kind, abi_version, sha256, manifest, configuration, granted, enabled,
          disabled_reason, installed_by, installed_us, updated_us)
        VALUES (\(bind: record.name), \(bind: record.version), \(bind: record.kind), \(bind: record.abiVersion),
          \(bind: record.sha256), \(bind: record.manifest), \(bind: record.configuration), \(bind: granted),
          \(bind: record.enabled), \(bind: record.disabledReason), \(bind: record.installedBy),
          \(bind: record.installedMicros), \(bind: record.updatedMicros))
        ON CONFLICT (name) DO UPDATE SET version = excluded.version, kind = excluded.kind,
          abi_version = excluded.abi_version, sha256 = excluded.sha256, manifest = excluded.manifest,
          configuration = excluded.configuration, granted = excluded.granted, enabled = excluded.enabled,
          disabled_reason = excluded.disabled_reason, installed_by = excluded.installed_by,
          updated_us = excluded.updated_us
        """
      ).run()
    }
  }

  /// Removes the plugin named `name`; whether there was one.
  @discardableResult
  public func deletePlugin(_ name: String) async throws -> Bool {
    try await connections.write { database in
      try await !database.raw("DELETE FROM plugins WHERE name = \(bind: name) RETURNING name").all().isEmpty
    }
  }

  /// Every installed plugin, by name.
  public func plugins() async throws -> [PluginRecord] {
    try await connections.read { database in
      try await database.raw(
        """
        SELECT name, version, kind, abi_version, sha256, manifest, configuration, granted, enabled,
          disabled_reason, installed_by, installed_us, updated_us
        FROM plugins ORDER BY name
        """
      ).all().map { row in
        let granted = try row.decode(column: "granted", as: String.self)
        return PluginRecord(
          name: try row.decode(column: "name", as: String.self),
          version: try row.decode(column: "version", as: String.self),
          kind: try row.decode(column: "kind", as: String.self),
          abiVersion: try row.decode(column: "abi_version", as: Int.self),
          sha256: try row.decode(column: "sha256", as: String.self),
          manifest: try row.decode(column: "manifest", as: String.self),
          configuration: try row.decode(column: "configuration", as: String.self),
          granted: (try? JSONDecoder().decode([String].self, from: Data(granted.utf8))) ?? [],
          enabled: try row.decode(column: "enabled", as: Bool.self),
          disabledReason: try row.decode(column: "disabled_reason", as: String?.self),
          installedBy: try row.decode(column: "installed_by", as: UUID?.self),
          installedMicros: try row.decode(column: "installed_us", as: Int64.self),
          updatedMicros: try row.decode(column: "updated_us", as: Int64.self))
      }
    }
  }
}
