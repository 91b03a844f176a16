import LTBCore

/// A result's `cache_stats` column (spec `CacheStats`): whether the response cache answered,
/// and how many prompt tokens the vendor's own prompt cache served. Whether the evaluation
/// cache answered its verdicts is kept per verdict (`EvaluationRecord.cached`) and per grading
/// (`sessions.evaluation_run`).
struct CacheStatistics: Encodable {
  /// The response cache (record/replay) answered instead of the provider.
  var responseCacheHit: Bool
  /// Prompt tokens the vendor served from its prompt cache.
  var providerCachedTokens: Int?

  init(_ result: BenchmarkResult) {
    responseCacheHit = result.cacheHit
    providerCachedTokens = result.usage.map(\.cachedInputTokens)
  }
}
