public import Foundation
import LTBCore
import LTBStorage
import Synchronization

/// Batched loading for one request: a resolver that returns a page of results asks the store
/// for the page with its verdicts (`BenchStore.resultRowsWithVerdicts`, one trip) and preloads them
/// here, so every nested `evaluations` field of the page reads what was loaded. A page of 50
/// results with their evaluations thus costs two database queries instead of 51. A result
/// reached another way (`node`, `result`) loads its own verdicts. Providers are mapped once per
/// name per request.
///
/// A lock, not an actor: the fields of a page read it a hundred times per request, and a read
/// of what is loaded should not cost an executor hop.
public final class ResultBatch: Sendable {
  private struct State {
    var providers: [String: Provider?] = [:]
    /// Verdicts by result, mapped once.
    var loaded: [UUID: [Evaluation]] = [:]
    var verdictDetails: Bool?
  }

  private let state = Mutex(State())

  /// An empty batch.
  public init() {}

  /// Records the verdicts of `ids`, loaded with their page (`BenchStore.resultRowsWithVerdicts`,
  /// ordered by result): their `evaluations` fields then read these without a load of their own.
  func preload(_ ids: [UUID], verdicts: [Verdict]) {
    var loaded = [UUID: [Evaluation]](minimumCapacity: ids.count)
    for id in ids { loaded[id] = [] }
    for verdict in verdicts { loaded[verdict.resultID, default: []].append(APIMapping.evaluation(verdict)) }
    state.withLock { state in
      if state.loaded.isEmpty {
        state.loaded = loaded
      } else {
        state.loaded.merge(loaded) { _, new in new }
      }
    }
  }

  /// The verdicts of result `id`, mapped: preloaded with its page, else loaded for it alone
  /// (with `details`, what only the stored records hold too).
  func evaluations(of id: UUID, store: any BenchStore, details: Bool) async throws -> [Evaluation] {
    if let evaluations = state.withLock({ $0.loaded[id] }) { return evaluations }
    let evaluations = try await store.verdicts(results: [id], details: details).map(APIMapping.evaluation)
    state.withLock { $0.loaded[id] = evaluations }
    return evaluations
  }

  /// Whether the request's verdicts need their stored records' detail, decided once.
  func verdictDetails(_ decide: () -> Bool) -> Bool {
    if let known = state.withLock({ $0.verdictDetails }) { return known }
    let decided = decide()
    state.withLock { $0.verdictDetails = decided }
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
