public import Foundation

/// A worker of distributed runs, as the coordinator registered it (the `workers` table).
public struct WorkerRecord: Sendable, Hashable {
  /// Where a worker stands.
  public enum State: String, Sendable, Hashable, CaseIterable {
    /// Taking tasks.
    case active
    /// Finishing what it holds, taking no more.
    case draining
    /// Unregistered, or not heard from within a lease.
    case gone
  }

  /// Its id, given at registration.
  public var id: UUID
  /// Its name (the host name by default).
  public var name: String
  /// What it said it can do: providers, concurrency, cores, memory, GPU (JSON text).
  public var capabilities: String
  /// Where it stands.
  public var state: State
  /// When it registered, in microseconds since 1970.
  public var registeredMicros: Int64
  /// When it was last heard from, in microseconds since 1970.
  public var heartbeatMicros: Int64

  /// Creates a record.
  public init(
    id: UUID, name: String, capabilities: String, state: State = .active, registeredMicros: Int64,
    heartbeatMicros: Int64
  ) {
    self.id = id
    self.name = name
    self.capabilities = capabilities
    self.state = state
    self.registeredMicros = registeredMicros
    self.heartbeatMicros = heartbeatMicros
  }

  /// The provider names its capabilities list (`supportedProviders`); empty when unreadable.
  public var supportedProviders: [String] {
    struct Listed: Decodable { var supportedProviders: [String]? }
    return (try? JSONDecoder().decode(Listed.self, from: Data(capabilities.utf8)))?.supportedProviders ?? []
  }
}

/// The registry of workers, beside the task queue.
public protocol WorkerRegistryStore: Sendable {
  /// Records a worker (replacing a record with its id).
  func registerWorker(_ worker: WorkerRecord) async throws
  /// Records that `worker` was heard from; whether it is registered and not gone.
  func touchWorker(_ worker: UUID, atMicros: Int64) async throws -> Bool
  /// Sets a worker's state.
  func setWorkerState(_ worker: UUID, _ state: WorkerRecord.State) async throws
  /// The worker with `id`, if it registered.
  func worker(_ id: UUID) async throws -> WorkerRecord?
  /// Every worker, newest first.
  func workers() async throws -> [WorkerRecord]
}
