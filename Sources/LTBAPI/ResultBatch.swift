public import Foundation
import LTBCore
import LTBStorage
import Synchronization

/// Batched loading for one request: a resolver that returns a page of results registers their
/// ids here, and the first nested `evaluations` field of any of them loads the verdicts of the
/// whole page in one round trip; the others read what was loaded. A page of 50 results with
/// their evaluations thus costs two database round trips instead of 51. Providers are mapped
/// once per name per request.
///
/// A lock, not an actor: the fields of a page read it a hundred times per request, and a read
/// of what is loaded should not cost an executor hop.
public final class ResultBatch: Sendable {
  private struct State {
    var providers: [String: Provider?] = [:]
    var pending: [UUID] = []
    var loaded: [UUID: [EvaluationRecord]] = [:]
    var inFlight: Task<[UUID: [EvaluationRecord]], any Error>?
    var verdictsOnly: Bool?
  }

  private let state = Mutex(State())

  /// An empty batch.
  public init() {}

  /// Makes `ids` part of the next load.
  public func register(_ ids: [UUID]) {
    state.withLock { state in state.pending.append(contentsOf: ids.filter { state.loaded[$0] == nil }) }
  }

  /// Records the verdicts of `ids`, loaded with their page (`BenchStore.resultsWithVerdicts`):
  /// their `evaluations` fields then read these without a load of their own.
  func preload(_ ids: [UUID], verdicts: [EvaluationRecord]) {
    let byResult = Dictionary(grouping: verdicts, by: \.resultID)
    state.withLock { state in
      for id in ids { state.loaded[id] = byResult[id] ?? [] }
      state.pending.removeAll { state.loaded[$0] != nil }
    }
  }

  /// What to do for the verdicts of one result: read them, wait for a load under way, or start one.
  private enum Step {
    case ready([EvaluationRecord])
    case wait(Task<[UUID: [EvaluationRecord]], any Error>)
  }

  /// The verdicts of result `id`, loading every registered result's verdicts with it: whole
  /// records, or with `verdictsOnly` just their columns (see `BenchStore.evaluationVerdicts`).
  func evaluations(of id: UUID, store: any BenchStore, verdictsOnly: Bool = false) async throws
    -> [EvaluationRecord]
  {
    while true {
      let step = state.withLock { state -> Step in
        if let records = state.loaded[id] { return .ready(records) }
        if let inFlight = state.inFlight { return .wait(inFlight) }
        var ids = state.pending
        if !ids.contains(id) { ids.append(id) }
        state.pending.removeAll()
        let task = Task { [ids] in
          var byResult = Dictionary(uniqueKeysWithValues: ids.map { ($0, [EvaluationRecord]()) })
          let records =
            verdictsOnly
            ? try await store.evaluationVerdicts(results: ids) : try await store.evaluations(results: ids)
          for record in records {
            byResult[record.resultID, default: []].append(record)
          }
          return byResult
        }
        state.inFlight = task
        return .wait(task)
      }
      switch step {
      case .ready(let records): return records
      case .wait(let task):
        let batch: [UUID: [EvaluationRecord]]
        do {
          batch = try await task.value
        } catch {
          state.withLock { state in if state.inFlight == task { state.inFlight = nil } }
          throw error
        }
        let records = state.withLock { state -> [EvaluationRecord]? in
          if state.inFlight == task {
            state.loaded.merge(batch) { _, new in new }
            state.inFlight = nil
          }
          return state.loaded[id] ?? batch[id]
        }
        // A load that did not include `id` (registered after it started): load again.
        if let records { return records }
      }
    }
  }

  /// Whether the request's verdicts may be read from their columns alone, decided once.
  func verdictsOnly(_ decide: () -> Bool) -> Bool {
    if let known = state.withLock({ $0.verdictsOnly }) { return known }
    let decided = decide()
    state.withLock { $0.verdictsOnly = decided }
    return decided
  }

  /// The provider called `name`, mapped once for the whole request.
  func provider(named name: String, _ load: @Sendable (String) async -> Provider?) async -> Provider? {
    if let known = state.withLock({ $0.providers[name] }) { return known }
    let mapped = await load(name)
    state.withLock { $0.providers[name] = mapped }
    return mapped
  }
}
