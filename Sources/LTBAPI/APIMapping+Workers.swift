import Foundation
import LTBStorage

extension APIMapping {
  /// A registered worker as the API shows it, with the leases it holds now.
  static func worker(_ record: WorkerRecord, leased: Int) -> Worker {
    struct Capabilities: Decodable {
      var maxConcurrentTasks: Int?
      var supportedProviders: [String]?
      var hasGpu: Bool?
      var memoryGb: Double?
      var cpuCores: Int?
    }
    let capabilities = try? JSONDecoder().decode(Capabilities.self, from: Data(record.capabilities.utf8))
    let state: WorkerState =
      switch record.state {
      case .active: .active
      case .draining: .draining
      case .gone: .gone
      }
    return Worker(
      id: record.id, name: record.name, state: state, version: record.version,
      providers: capabilities?.supportedProviders ?? [],
      maxConcurrentTasks: capabilities?.maxConcurrentTasks ?? 0,
      cpuCores: capabilities?.cpuCores ?? 0, memoryGb: capabilities?.memoryGb ?? 0,
      hasGpu: capabilities?.hasGpu ?? false, leasedTasks: leased, tasksDone: record.activity.tasksDone,
      tasksRefused: record.activity.tasksRefused, tasksPerSecond: record.activity.tasksPerSecond,
      scheduleLagP50Ms: record.activity.lagP50Ms, scheduleLagP99Ms: record.activity.lagP99Ms,
      registeredAt: Date(timeIntervalSince1970: Double(record.registeredMicros) / 1_000_000),
      lastHeartbeatAt: Date(timeIntervalSince1970: Double(record.heartbeatMicros) / 1_000_000))
  }

  /// Every worker (in `state` when given), newest first.
  static func workers(store: any BenchStore, state: WorkerState?) async throws -> [Worker] {
    let leases = try await store.leasesByWorker()
    return try await store.workers().map { worker($0, leased: leases[$0.id] ?? 0) }
      .filter { state == nil || $0.state == state }
  }
}
