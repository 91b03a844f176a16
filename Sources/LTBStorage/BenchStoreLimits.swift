/// Sizes the store works to.
enum BenchStoreLimits {
  /// A text search matching at most this many results reads them by row; more, and it filters
  /// the rows an ordered index walks.
  static let textLookup = 5_000
  /// Results per multi-row `INSERT`.
  static let insertBatch = 400
}
