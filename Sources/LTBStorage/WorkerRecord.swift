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
  /// The ltb version it runs.
  public var version: String
  /// What the coordinator saw of it, as of its last heartbeat.
  public var activity: WorkerActivity

  /// Creates a record.
  public init(
    id: UUID, name: String, capabilities: String, state: State = .active, registeredMicros: Int64,
    heartbeatMicros: Int64, version: String = "", activity: WorkerActivity = WorkerActivity()
  ) {
    self.id = id
    self.name = name
    self.capabilities = capabilities
    self.state = state
    self.registeredMicros = registeredMicros
    self.heartbeatMicros = heartbeatMicros
    self.version = version
    self.activity = activity
  }

  /// The provider names its capabilities list (`supportedProviders`); empty when unreadable.
  public var supportedProviders: [String] {
    struct Listed: Decodable { var supportedProviders: [String]? }
    return (try? JSONDecoder().decode(Listed.self, from: Data(capabilities.utf8)))?.supportedProviders ?? []
  }
}

/// What the coordinator saw of a worker: results reported, its rate, its schedule lag.
public struct WorkerActivity: Sendable, Hashable {
  /// Results it reported that were stored.
  public var tasksDone: Int
  /// Results it reported under a lapsed lease, refused.
  public var tasksRefused: Int
  /// Results stored per second, between its last two heartbeats.
  public var tasksPerSecond: Double
  /// The median schedule lag of its recent results, in milliseconds.
  public var lagP50Ms: Double?
  /// The 99th percentile schedule lag of its recent results, in milliseconds.
  public var lagP99Ms: Double?

  /// Creates a reading (all zero by default).
  public init(
    tasksDone: Int = 0, tasksRefused: Int = 0, tasksPerSecond: Double = 0, lagP50Ms: Double? = nil,
    lagP99Ms: Double? = nil
  ) {
    self.tasksDone = tasksDone
    self.tasksRefused = tasksRefused
    self.tasksPerSecond = tasksPerSecond
    self.lagP50Ms = lagP50Ms
    self.lagP99Ms = lagP99Ms
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
  /// Records what the coordinator saw of `worker`.
  func recordWorkerActivity(_ worker: UUID, _ activity: WorkerActivity) async throws
  /// Marks gone every worker not heard from since `heardBeforeMicros`; how many.
  func retireSilentWorkers(heardBeforeMicros: Int64) async throws -> Int
  /// How many leases each worker holds now.
  func leasesByWorker() async throws -> [UUID: Int]
}
