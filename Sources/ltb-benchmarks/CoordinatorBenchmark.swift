import ArgumentParser
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import LTBCore
import LTBDistributed
import LTBProtocol
import LTBStorage
import Synchronization

/// How many tasks a second one coordinator dispatches and records: N tasks queued in a fresh
/// store, W no-op workers over gRPC on loopback that report each lease at once (a result per
/// task, through the fenced, transactional report path), timed from the first credit to the
/// last acknowledgement.
struct CoordinatorBenchmark: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "coordinator",
    abstract: "Time the coordinator's dispatch and recording with no-op workers over loopback gRPC.")

  @Option(
    name: .long, help: "sqlite:PATH or a postgres:// URL of an empty database (default: a temporary SQLite).")
  var database: String?
  @Option(name: .long, help: "Tasks queued.") var tasks = 50_000
  @Option(name: .long, help: "No-op workers.") var workers = 4
  @Option(name: .long, help: "Credit each worker keeps granted.") var credit = 512

  func run() async throws {
    let temporary = FileManager.default.temporaryDirectory.appendingPathComponent(
      "ltb-coord-\(UUID().uuidString).sqlite")
    defer {
      for suffix in ["", "-wal", "-shm"] {
        try? FileManager.default.removeItem(atPath: temporary.path + suffix)
      }
    }
    let store = try await SQLBenchStore.open(
      try DatabaseLocation(parsing: database ?? "sqlite:\(temporary.path)"))
    let session = BenchmarkSession(
      name: "coordinator-benchmark", status: .running,
      suite: BenchmarkSuite(name: "c", datasets: ["/dev/null"], targets: [BenchmarkTarget(provider: "noop")]),
      totalTasks: tasks)
    try await store.createSession(session)
    let queued = (0..<tasks).map {
      QueuedTask(
        sessionID: session.id, taskKey: "0/0/d/c\($0)/0", provider: "noop", payload: #"{"case":"c\#($0)"}"#)
    }
    var clock = ContinuousClock.now
    try await store.enqueue(queued, maxAttempts: 3)
    let enqueueSeconds = (ContinuousClock.now - clock).seconds
    let service = CoordinatorService(
      store: store, settings: CoordinatorSettings(pollInterval: .milliseconds(2)))
    let (workers, credit, total) = (workers, credit, tasks)
    let elapsed = try await withGRPCServer(
      transport: .http2NIOPosix(address: .ipv4(host: "127.0.0.1", port: 0), transportSecurity: .plaintext),
      services: [service]
    ) { server in
      guard let address = try await server.listeningAddress?.ipv4 else { throw ValidationError("no address") }
      let elapsed = try await withGRPCClient(
        transport: .http2NIOPosix(
          target: .ipv4(address: address.host, port: address.port), transportSecurity: .plaintext)
      ) { grpc in
        let client = LlmTestBench_Distributed_V1_Coordinator.Client(wrapping: grpc)
        let progress = Progress()
        clock = ContinuousClock.now
        try await withThrowingTaskGroup(of: Int.self) { group in
          for index in 0..<workers {
            group.addTask {
              try await Self.noOpWorker(
                client, name: "w\(index)", credit: credit, session: session.id, progress: progress,
                total: total)
            }
          }
          var accepted = 0
          for try await count in group { accepted += count }
          guard accepted == total else { throw ValidationError("\(accepted) of \(total) tasks accepted") }
        }
        return ContinuousClock.now - clock
      }
      server.beginGracefulShutdown()
      return elapsed
    }
    let stored = try await store.resultCounts(session: session.id).values.reduce(0, +)
    await store.close()
    print(
      String(
        format:
          "coordinator: %d tasks through %d no-op workers in %.2f s: %.0f tasks/s dispatched and recorded (%d results stored); enqueue %.0f tasks/s",
        tasks, workers, elapsed.seconds, Double(tasks) / elapsed.seconds, stored,
        Double(tasks) / enqueueSeconds))
  }

  /// Registers, then reports every lease at once until the queue is empty; how many were accepted.
  static func noOpWorker(
    _ client: LlmTestBench_Distributed_V1_Coordinator.Client<HTTP2ClientTransport.Posix>, name: String,
    credit: Int,
    session: UUID, progress: Progress, total: Int
  ) async throws -> Int {
    var registration = LlmTestBench_Distributed_V1_RegisterWorkerRequest()
    registration.name = name
    registration.capabilities.supportedProviders = ["noop"]
    registration.capabilities.maxConcurrentTasks = UInt32(credit)
    let id = try await client.registerWorker(registration).workerID
    let (outgoing, sender) = AsyncStream<LlmTestBench_Distributed_V1_WorkerMessage>.makeStream()
    var hello = LlmTestBench_Distributed_V1_WorkerMessage()
    hello.hello.workerID = id
    sender.yield(hello)
    var grant = LlmTestBench_Distributed_V1_WorkerMessage()
    grant.credit = UInt32(credit)
    sender.yield(grant)
    // Every worker leaves once all tasks are accepted (by whichever worker).
    let watcher = Task {
      while progress.accepted.load(ordering: .relaxed) < total { try await Task.sleep(for: .milliseconds(2)) }
      sender.finish()
    }
    defer { watcher.cancel() }
    return try await client.work(
      requestProducer: { writer in for await message in outgoing { try await writer.write(message) } },
      onResponse: { response in
        var accepted = 0
        let encoder = JSONEncoder()
        for try await message in response.messages {
          switch message.kind {
          case .leases(let batch):
            var results = LlmTestBench_Distributed_V1_ResultBatch()
            for lease in batch.leases {
              var reported = LlmTestBench_Distributed_V1_TaskResult()
              reported.sessionID = lease.sessionID
              reported.taskKey = lease.taskKey
              reported.fence = lease.fence
              reported.result = try encoder.encode(
                BenchmarkResult(
                  sessionID: session, taskKey: lease.taskKey, testID: lease.taskKey, dataset: "d",
                  provider: "noop",
                  model: "m", status: .success, prompt: "p", response: "r"))
              results.results.append(reported)
            }
            var report = LlmTestBench_Distributed_V1_WorkerMessage()
            report.results = results
            sender.yield(report)
          case .accepted(let acknowledgement):
            accepted += acknowledgement.taskKeys.count
            var more = LlmTestBench_Distributed_V1_WorkerMessage()
            more.credit = UInt32(acknowledgement.taskKeys.count)
            sender.yield(more)
            progress.accepted.add(acknowledgement.taskKeys.count, ordering: .relaxed)
          default: break
          }
        }
        return accepted
      })
  }
}

/// Tasks accepted so far, by every worker.
final class Progress: Sendable {
  let accepted = Atomic<Int>(0)
}
