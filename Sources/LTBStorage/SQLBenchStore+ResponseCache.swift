public import Foundation
public import LTBCore
import NIOConcurrencyHelpers
import SQLKit
import SQLiteKit

/// The response cache: recorded answers by request key.
extension SQLBenchStore {
  /// A recorded response for a request key.
  public func cachedResponse(key: String) async throws -> CompletionResponse? {
    try await connections.read { database in
      try await database.raw("SELECT response FROM response_cache WHERE cache_key = \(bind: key)").first()?
        .decode(column: "response", as: CompletionResponse.self)
    }
  }

  /// Records a response for a request key (replacing an older one).
  public func storeCachedResponse(
    key: String, provider: String, model: String, request: CompletionRequest, response: CompletionResponse
  ) async throws {
    try await connections.write { database in
      try await database.raw(
        """
        INSERT INTO response_cache (cache_key, provider, model, request, response, created_at)
        VALUES (\(bind: key), \(bind: provider), \(bind: model), \(bind: request), \(bind: response),
                \(bind: StoredTime.storable(Date())))
        ON CONFLICT (cache_key) DO UPDATE SET response = excluded.response, created_at = excluded.created_at
        """
      ).run()
    }
  }
}
