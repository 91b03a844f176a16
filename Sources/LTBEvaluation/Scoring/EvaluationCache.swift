import Crypto
import Foundation
public import LTBCore
public import LTBStorage

/// The evaluation cache: an in-memory LRU in front of the store's `evaluation_cache` table. The
/// key is the SHA-256 of the evaluator's id and version, the assertion, the inputs it reads and
/// the judge's model and parameters, so changing any of them re-scores. Evaluator errors are
/// never cached. Hits and misses are counted for reports and `/metrics`.
public actor EvaluationCache {
  /// Lookups answered from memory, from the store, by an evaluation in flight, and not at all.
  public typealias Statistics = EvaluationCacheStatistics

  /// Where one lookup was answered.
  public typealias Source = EvaluationCacheStatistics.Source

  private let store: (any BenchStore)?
  private var memory: LRUCache<String, EvaluationOutcome>
  /// The counts so far.
  public private(set) var statistics = Statistics()

  /// A cache of `capacity` entries in memory, backed by `store` when given.
  public init(store: (any BenchStore)?, capacity: Int = 10_000) {
    self.store = store
    memory = LRUCache(capacity: capacity)
  }

  /// The cached outcome for `key`, and where it was found.
  public func outcome(for key: String) async -> (outcome: EvaluationOutcome, source: Source)? {
    if let hit = memory.value(for: key) {
      statistics.count(.memory)
      return (hit, .memory)
    }
    if let store, let text = try? await store.cachedEvaluation(key: key),
      let outcome = try? JSONDecoder().decode(EvaluationOutcome.self, from: Data(text.utf8))
    {
      statistics.count(.store)
      memory.store(outcome, for: key)
      return (outcome, .store)
    }
    statistics.count(.miss)
    return nil
  }

  /// Counts a lookup answered by an identical evaluation already in flight.
  public func countSharedHit() { statistics.count(.shared) }

  /// Remembers an outcome (errors are not remembered).
  public func remember(_ outcome: EvaluationOutcome, for key: String, evaluator: String) async {
    guard outcome.state != .error else { return }
    memory.store(outcome, for: key)
    if let store, let data = try? JSONEncoder().encode(outcome) {
      try? await store.storeCachedEvaluation(
        key: key, evaluator: evaluator, outcome: String(decoding: data, as: UTF8.self))
    }
  }

  /// The key of an evaluation.
  public static func key(_ evaluator: any Evaluator, _ assertion: AssertionSpec, _ input: EvaluationInput)
    -> String
  {
    let parts: [JSONValue] = [
      .string(evaluator.id), .int(evaluator.version), .string(assertion.type), assertion.value ?? .null,
      assertion.threshold.map(JSONValue.double) ?? .null, .object(assertion.options),
      .array(evaluator.cacheKeyParts(assertion).map(JSONValue.string)), .string(input.prompt),
      .string(input.response),
      input.expected.map(JSONValue.string) ?? .null, .array(input.references.map(JSONValue.string)),
      .array(input.context.map(JSONValue.string)),
    ]
    let digest = SHA256.hash(data: Data(JSONValue.array(parts).serialized(sortedKeys: true).utf8))
    return digest.map { String(format: "%02x", $0) }.joined()
  }
}
