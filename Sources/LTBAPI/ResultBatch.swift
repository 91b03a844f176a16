public import Foundation
import LTBCore
import LTBStorage

/// Batched loading for one request: a resolver that returns a page of results registers their
/// ids here, and the first nested `evaluations` field of any of them loads the verdicts of the
/// whole page in one round trip; the others read what was loaded. A page of 50 results with
/// their evaluations thus costs two database round trips instead of 51. Providers are mapped once per name per request.
public actor ResultBatch {
  private var providers: [String: Provider?] = [:]
  private var pending: [UUID] = []
  private var loaded: [UUID: [EvaluationRecord]] = [:]
  private var inFlight: Task<[UUID: [EvaluationRecord]], any Error>?

  /// An empty batch.
  public init() {}

  /// Makes `ids` part of the next load.
  public func register(_ ids: [UUID]) {
    pending.append(contentsOf: ids.filter { loaded[$0] == nil })
  }

  /// The verdicts of result `id`, loading every registered result's verdicts with it.
  func evaluations(of id: UUID, store: any BenchStore) async throws -> [EvaluationRecord] {
    if let records = loaded[id] { return records }
    if let inFlight, let records = try await inFlight.value[id] { return records }
    if let records = loaded[id] { return records }
    var ids = pending
    if !ids.contains(id) { ids.append(id) }
    pending.removeAll()
    let task = Task { [ids] in
      var byResult = Dictionary(uniqueKeysWithValues: ids.map { ($0, [EvaluationRecord]()) })
      for record in try await store.evaluations(results: ids) {
        byResult[record.resultID, default: []].append(record)
      }
      return byResult
    }
    inFlight = task
    let batch = try await task.value
    loaded.merge(batch) { _, new in new }
    if inFlight == task { inFlight = nil }
    return batch[id] ?? []
  }

  /// The provider called `name`, mapped once for the whole request.
  func provider(named name: String, _ load: @Sendable (String) async -> Provider?) async -> Provider? {
    if let known = providers[name] { return known }
    let mapped = await load(name)
    providers[name] = mapped
    return mapped
  }
}
