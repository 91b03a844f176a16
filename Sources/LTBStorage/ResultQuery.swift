public import Foundation
public import LTBCore

/// A filtered, ordered, cursor-paginated query over results (the spec's section 2.3).
public struct ResultQuery: Sendable, Hashable {
  /// Only this session's results.
  public var sessionID: UUID?
  /// Only this provider's.
  public var provider: String?
  /// Only this model's.
  public var model: String?
  /// Sent at or after this time.
  public var from: Date?
  /// Sent before this time.
  public var to: Date?
  /// Carrying any of these tags.
  public var tagsAny: [String]
  /// With one of these statuses.
  public var statuses: [ResultStatus]
  /// Only this case.
  public var testID: String?
  /// Only results of this OpenTelemetry trace (32 hex digits).
  public var traceID: String? = nil
  /// Scoring at least `minimumScore.value` on `minimumScore.metric`.
  public var minimumScore: ScoreThreshold?
  /// Words that must appear in the prompt or the response (full-text search).
  public var text: String?
  /// Whether warm-up requests are included.
  public var includeWarmup: Bool
  /// The sort column.
  public var order: ResultOrder
  /// Newest (or largest) first.
  public var descending: Bool
  /// Page size (1–1000).
  public var limit: Int
  /// Where the previous page ended.
  public var cursor: String?
  /// Only results of sessions this user owns (set by the API for users who see only their own).
  public var owner: UUID?

  /// Creates a query; everything is optional.
  public init(
    sessionID: UUID? = nil, provider: String? = nil, model: String? = nil, from: Date? = nil, to: Date? = nil,
    tagsAny: [String] = [], statuses: [ResultStatus] = [], testID: String? = nil,
    minimumScore: ScoreThreshold? = nil,
    text: String? = nil, includeWarmup: Bool = true, order: ResultOrder = .createdAt, descending: Bool = true,
    limit: Int = 50,
    cursor: String? = nil
  ) {
    self.sessionID = sessionID
    self.provider = provider
    self.model = model
    self.from = from
    self.to = to
    self.tagsAny = tagsAny
    self.statuses = statuses
    self.testID = testID
    self.minimumScore = minimumScore
    self.text = text
    self.includeWarmup = includeWarmup
    self.order = order
    self.descending = descending
    self.limit = limit
    self.cursor = cursor
    self.owner = nil
  }
}

/// A minimum score on one metric.
public struct ScoreThreshold: Sendable, Hashable {
  /// The metric's name.
  public var metric: String
  /// The lowest score accepted.
  public var value: Double

  /// Creates a threshold.
  public init(metric: String, value: Double) {
    self.metric = metric
    self.value = value
  }
}

/// The columns results can be sorted by.
public enum ResultOrder: String, Sendable, Hashable, CaseIterable {
  case createdAt = "created_at"
  case duration = "duration_ms"
  case timeToFirstToken = "ttft_ms"
  case cost = "total_cost"
}

/// One page of items and the cursor of the next, if there is one.
public struct Page<Item: Sendable>: Sendable {
  /// The items.
  public var items: [Item]
  /// Pass this as the next query's cursor; `nil` on the last page.
  public var nextCursor: String?
  /// For each item, the cursor that continues after it (GraphQL connections give each edge one).
  public var cursors: [String]

  /// Creates a page.
  public init(items: [Item], nextCursor: String?, cursors: [String] = []) {
    self.items = items
    self.cursors = cursors
    self.nextCursor = nextCursor
  }

  /// Each item with its cursor, made into an edge.
  public func edges<Edge>(_ edge: (_ item: Item, _ cursor: String) -> Edge) -> [Edge] {
    zip(items, cursors).map(edge)
  }

}
