/// How the evaluation cache answered a number of lookups: from memory, from the store, by an
/// identical evaluation already in flight, or not at all (the evaluator ran).
public struct EvaluationCacheStatistics: Sendable, Hashable, Codable {
  /// Where one lookup was answered.
  public enum Source: Sendable, Hashable {
    /// From memory.
    case memory
    /// From the store.
    case store
    /// By an identical evaluation already in flight.
    case shared
    /// Not at all: the evaluator ran.
    case miss
  }

  /// Answered from memory.
  public var memoryHits = 0
  /// Answered from the store.
  public var storeHits = 0
  /// Answered by an identical evaluation already in flight.
  public var sharedHits = 0
  /// Not cached.
  public var misses = 0

  /// No lookups yet.
  public init() {}

  /// Counts one lookup.
  public mutating func count(_ source: Source) {
    switch source {
    case .memory: memoryHits += 1
    case .store: storeHits += 1
    case .shared: sharedHits += 1
    case .miss: misses += 1
    }
  }

  /// Every hit.
  public var hits: Int { memoryHits + storeHits + sharedHits }
  /// Hits over lookups (0 when there were none).
  public var hitRate: Double { hits + misses == 0 ? 0 : Double(hits) / Double(hits + misses) }
}
