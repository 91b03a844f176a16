public import Foundation
public import LTBCore
import NIOConcurrencyHelpers
import SQLKit

extension SQLBenchStore {
  /// Registers (or refreshes) a provider; never stores its key.
  public func registerProvider(name: String, kind: ProviderKind, baseURL: String) async throws {
    let type =
      switch kind {
      case .llamacpp, .ollama: "local"
      case .openaiCompatible, .langserve: "custom"
      default: "cloud"
      }
    let config: JSONValue = ["kind": .string(kind.rawValue), "base_url": .string(baseURL)]
    let id = try await connections.write { database in
      try await database.raw(
        """
        INSERT INTO providers (id, name, type, kind, config) VALUES (\(bind: UUID()), \(bind: name), \(bind: type), \(bind: kind.rawValue), \(bind: config))
        ON CONFLICT (name) DO UPDATE SET type = excluded.type, kind = excluded.kind, config = excluded.config
        """
      ).run()
      return try await database.raw("SELECT id FROM providers WHERE name = \(bind: name)").first()?.decode(
        column: "id", as: UUID.self)
    }
    if let id { providerIDs.withLockedValue { $0[name] = id } }
  }

  func providerID(_ name: String) async throws -> UUID {
    if let id = providerIDs.withLockedValue({ $0[name] }) { return id }
    let found = try await connections.read { database in
      try await database.raw("SELECT id FROM providers WHERE name = \(bind: name)").first()?.decode(
        column: "id", as: UUID.self)
    }
    if let found {
      providerIDs.withLockedValue { $0[name] = found }
      return found
    }
    try await registerProvider(
      name: name, kind: ProviderKind(rawValue: name) ?? .openaiCompatible, baseURL: "")
    return try await providerID(name)
  }

  /// Every provider added through the API, by name.
  public func managedProviders() async throws -> [ManagedProvider] {
    try await connections.read { database in
      try await database.raw(
        "SELECT managed_config FROM providers WHERE managed_config IS NOT NULL ORDER BY name"
      ).all().map { try $0.decode(column: "managed_config", as: ManagedProvider.self) }
    }
  }

  /// Stores a provider added or changed through the API (its row is created when new).
  public func saveManagedProvider(_ provider: ManagedProvider) async throws {
    try await registerProvider(name: provider.name, kind: provider.kind, baseURL: provider.baseURL ?? "")
    try await connections.write { database in
      try await database.raw(
        "UPDATE providers SET managed_config = \(bind: provider) WHERE name = \(bind: provider.name)"
      ).run()
    }
  }

  /// Forgets a provider added through the API; its row stays, because stored results name it.
  /// Returns whether there was one.
  public func removeManagedProvider(name: String) async throws -> Bool {
    try await connections.write { database in
      let found = try await database.raw(
        "SELECT name FROM providers WHERE name = \(bind: name) AND managed_config IS NOT NULL"
      ).first()
      guard found != nil else { return false }
      try await database.raw("UPDATE providers SET managed_config = NULL WHERE name = \(bind: name)").run()
      return true
    }
  }
}
