import Foundation
public import GraphQL
import LTBCore
import Synchronization

/// Decodes field arguments (ISO 8601 dates, UUID strings, JSON values), remembering small ones:
/// decoding is a pure function of the type and the value, and a repeated query (the common
/// case) decodes the same literal every time. One per application (``APIResolvers`` holds it),
/// with at most 1,000 entries of at most 2 KiB of text each.
public final class ArgumentCache: Sendable {
  private let decoded = Mutex(LRUCache<Key, any Sendable>(capacity: 1_000))

  /// An empty cache.
  public init() {}

  /// The arguments `args` decoded as `type`, from the cache when decoded before.
  public func decode<Arguments: Decodable & Sendable>(_ type: Arguments.Type, _ args: Map) throws -> Arguments
  {
    let decoder = MapDecoder()
    decoder.dateDecodingStrategy = .iso8601
    // Large arguments (a suite's text, a batch) are decoded every time: the cache holds small ones.
    guard Self.isSmall(args) else { return try decoder.decode(type, from: args) }
    let key = Key(type: ObjectIdentifier(type), arguments: args)
    if let known = decoded.withLock({ $0.value(for: key) }) as? Arguments { return known }
    let value = try decoder.decode(type, from: args)
    decoded.withLock { $0.store(value, for: key) }
    return value
  }

  struct Key: Hashable {
    let type: ObjectIdentifier
    let arguments: Map
  }

  /// Whether `map` holds at most 2 KiB of text in at most 64 values (counting stops early).
  static func isSmall(_ map: Map) -> Bool {
    var budget = (bytes: 2_048, values: 64)
    func fits(_ value: Map) -> Bool {
      budget.values -= 1
      guard budget.values >= 0 else { return false }
      switch value {
      case .string(let text):
        budget.bytes -= text.utf8.count
        return budget.bytes >= 0
      case .array(let items): return items.allSatisfy(fits)
      case .dictionary(let members):
        return members.allSatisfy { key, member in
          budget.bytes -= key.utf8.count
          return budget.bytes >= 0 && fits(member)
        }
      default: return true
      }
    }
    return fits(map)
  }
}
