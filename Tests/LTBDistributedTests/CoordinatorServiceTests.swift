import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import LTBAuth
import LTBCore
import LTBEngine
import LTBProtocol
import LTBStorage
import Synchronization
import Testing

@testable import LTBDistributed

/// The coordinator over a real gRPC server on loopback (HTTP/2), with real authentication and a
/// real SQLite store: registration, heartbeats, the work stream's leases and fenced reports,
/// capability routing, and refused credentials.
@Suite("Coordinator service", .timeLimit(.minutes(2)))
struct CoordinatorServiceTests {
  typealias Client = LlmTestBench_Distributed_V1_Coordinator.Client<HTTP2ClientTransport.Posix>

  struct Harness {
    let store: SQLBenchStore
    let runnerKey: String
    let viewerKey: String
    let session: UUID
    /// The bus the coordinator publishes stored results on.
    let bus: EventBus
  }

  static func withCoordinator(
    _ settings: CoordinatorSettings = CoordinatorSettings(pollInterval: .milliseconds(5)),
    _ body: (Harness, Client, CoordinatorService) async throws -> Void
  ) async throws {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent(
      "ltb-coord-\(UUID().uuidString).sqlite"
    )
    .path
    defer {
      for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }
    let store = try await SQLBenchStore.open(.sqlite(path: path))
    let issuer = try await TokenIssuer(
      secret: String(repeating: "s", count: 40), issuer: "ltb", audience: "ltb-api", lifetime: .seconds(900))
    let auth = try AuthService(
      store: store, issuer: issuer,
      settings: .init(hasher: PasswordHasher(memoryKiB: 1_024, iterations: 1, parallelism: 1)))
    let runner = try await auth.createUser(
      username: "runner", email: "r@example.org", password: nil, role: .user, by: nil, client: ClientInfo())
    let viewer = try await auth.createUser(
      username: "watcher", email: "w@example.org", password: nil, role: .viewer, by: nil, client: ClientInfo()
    )
    let runnerKey = try await auth.createAPIKey(
      owner: runner.id, name: "worker", role: nil, scopes: nil, expiresAt: nil, by: nil, client: ClientInfo()
    ).key
    let viewerKey = try await auth.createAPIKey(
      owner: viewer.id, name: "worker", role: nil, scopes: nil, expiresAt: nil, by: nil, client: ClientInfo()
    ).key
    let session = BenchmarkSession(
      name: "distributed", status: .running,
      suite: BenchmarkSuite(
        name: "d", datasets: ["/tmp/d.jsonl"], targets: [BenchmarkTarget(provider: "alpha")]),
      totalTasks: 8)
    try await store.createSession(session)
    let bus = EventBus()
    let service = CoordinatorService(store: store, settings: settings, bus: bus)
    do {
      try await withGRPCServer(
        transport: .http2NIOPosix(address: .ipv4(host: "127.0.0.1", port: 0), transportSecurity: .plaintext),
        services: [service], interceptors: [WorkerAuthInterceptor(auth: auth)]
      ) { server in
        guard let address = try await server.listeningAddress?.ipv4 else {
          throw LTBError(.internal, "the server did not listen")
        }
        try await withGRPCClient(
          transport: .http2NIOPosix(
            target: .ipv4(address: address.host, port: address.port), transportSecurity: .plaintext)
        ) { client in
          try await body(
            Harness(
              store: store, runnerKey: runnerKey, viewerKey: viewerKey, session: session.id, bus: bus),
            Client(wrapping: client), service)
        }
        server.beginGracefulShutdown()
      }
      await store.close()
    } catch {
      await store.close()
      throw error
    }
  }

  static func capabilities(_ providers: [String]) -> LlmTestBench_Distributed_V1_RegisterWorkerRequest {
    var request = LlmTestBench_Distributed_V1_RegisterWorkerRequest()
    request.name = "test-worker"
    request.capabilities.supportedProviders = providers
    request.capabilities.maxConcurrentTasks = 4
    request.capabilities.cpuCores = 2
    return request
  }

  @Test(
    "a worker registers, receives leases only for its providers, and a report counts once under its fence")
  func workStream() async throws {
    try await Self.withCoordinator { harness, client, _ in
      let tasks = (0..<6).map {
        QueuedTask(
          sessionID: harness.session, taskKey: "k\($0)", provider: "alpha", payload: #"{"n":\#($0)}"#)
      }
      let other = (0..<2).map {
        QueuedTask(sessionID: harness.session, taskKey: "b\($0)", provider: "beta", payload: "{}")
      }
      try await harness.store.enqueue(tasks + other, maxAttempts: 3)
      let auth: Metadata = ["authorization": "Bearer \(harness.runnerKey)"]
      let registered = try await client.registerWorker(Self.capabilities(["alpha"]), metadata: auth)
      #expect(UUID(uuidString: registered.workerID) != nil && registered.leaseMs == 10_000)
      let published = await harness.bus.subscribe(topics: [RunEvent.sessionTopic(harness.session)])

      let (outgoing, sender) = AsyncStream<LlmTestBench_Distributed_V1_WorkerMessage>.makeStream()
      var hello = LlmTestBench_Distributed_V1_WorkerMessage()
      hello.hello.workerID = registered.workerID
      var credit = LlmTestBench_Distributed_V1_WorkerMessage()
      credit.credit = 10
      sender.yield(hello)
      sender.yield(credit)
      let session = harness.session
      let (leased, accepted) = try await client.work(
        metadata: auth,
        requestProducer: { writer in for await message in outgoing { try await writer.write(message) } },
        onResponse: { response in
          var leased: [LlmTestBench_Distributed_V1_TaskLease] = []
          var accepted: [String] = []
          for try await message in response.messages {
            switch message.kind {
            case .leases(let batch):
              leased += batch.leases
              guard leased.count == 6 else { continue }
              var results = LlmTestBench_Distributed_V1_ResultBatch()
              for lease in leased {
                var reported = LlmTestBench_Distributed_V1_TaskResult()
                reported.sessionID = lease.sessionID
                reported.taskKey = lease.taskKey
                // One report under a stale fence: refused.
                reported.fence = lease.taskKey == "k0" ? lease.fence - 1 : lease.fence
                let result = BenchmarkResult(
                  sessionID: session, taskKey: lease.taskKey, testID: lease.taskKey, dataset: "d",
                  provider: "alpha", model: "m", status: .success, prompt: "p", response: "r")
                reported.result = try JSONEncoder().encode(result)
                results.results.append(reported)
              }
              var message = LlmTestBench_Distributed_V1_WorkerMessage()
              message.results = results
              sender.yield(message)
            case .accepted(let acknowledgement):
              accepted += acknowledgement.taskKeys
              sender.finish()
            default: break
            }
          }
          return (leased, accepted)
        })
      #expect(leased.map(\.provider).allSatisfy { $0 == "alpha" } && Set(leased.map(\.taskKey)).count == 6)
      #expect(leased.allSatisfy { $0.fence == 1 && $0.attempt == 1 && !$0.payload.isEmpty })
      #expect(Set(accepted) == Set((1..<6).map { "k\($0)" }))
      #expect(try await harness.store.results(ResultQuery(sessionID: harness.session)).items.count == 5)
      // The stored results, and only those, were published for the host's subscribers and rules.
      var completed: [String] = []
      for await event in published {
        if case .testCompleted(let completion) = event { completed.append(completion.testID) }
        if completed.count == 5 { break }
      }
      #expect(Set(completed) == Set((1..<6).map { "k\($0)" }))
      #expect(
        try await harness.store.queueCounts(session: harness.session) == [.done: 5, .leased: 1, .queued: 2])

      var beat = LlmTestBench_Distributed_V1_HeartbeatRequest()
      beat.workerID = registered.workerID
      let answer = try await client.heartbeat(beat, metadata: auth)
      #expect(answer.leases == 1 && abs(answer.coordinatorTimeUs - WallClock.nowMicros) < 5_000_000)
      var leave = LlmTestBench_Distributed_V1_UnregisterWorkerRequest()
      leave.workerID = registered.workerID
      #expect(try await client.unregisterWorker(leave, metadata: auth).released == 1)
      await #expect(throws: RPCError.self) { try await client.heartbeat(beat, metadata: auth) }
      #expect(try await harness.store.queueCounts(session: harness.session) == [.done: 5, .queued: 3])
    }
  }

  @Test(
    "no credential is UNAUTHENTICATED, a viewer's is PERMISSION_DENIED, an empty capability list is refused")
  func refusals() async throws {
    try await Self.withCoordinator { harness, client, _ in
      let request = Self.capabilities(["alpha"])
      do {
        _ = try await client.registerWorker(request)
        Issue.record("registered without a credential")
      } catch let error as RPCError {
        #expect(error.code == .unauthenticated && error.message.contains("--token"))
      }
      do {
        _ = try await client.registerWorker(
          request, metadata: ["authorization": "Bearer \(harness.viewerKey)"])
        Issue.record("registered with a viewer's key")
      } catch let error as RPCError {
        #expect(error.code == .permissionDenied && error.message.contains("watcher"))
      }
      do {
        _ = try await client.registerWorker(request, metadata: ["authorization": "Bearer ltb_not-a-key"])
        Issue.record("registered with a made-up key")
      } catch let error as RPCError {
        #expect(error.code == .unauthenticated)
      }
      do {
        _ = try await client.registerWorker(
          Self.capabilities([]), metadata: ["authorization": "Bearer \(harness.runnerKey)"])
        Issue.record("registered without providers")
      } catch let error as RPCError {
        #expect(error.code == .invalidArgument)
      }
      #expect(try await harness.store.workers().isEmpty)
    }
  }

  @Test(
    "a lease not renewed lapses and is queued again; cancelling a session reaches the worker holding its tasks"
  )
  func lapseAndCancel() async throws {
    let settings = CoordinatorSettings(
      lease: .milliseconds(300), pollInterval: .milliseconds(5), reapInterval: .milliseconds(50))
    try await Self.withCoordinator(settings) { harness, client, service in
      try await harness.store.enqueue(
        (0..<3).map {
          QueuedTask(sessionID: harness.session, taskKey: "k\($0)", provider: "alpha", payload: "{}")
        },
        maxAttempts: 3)
      let reaper = Task { try await service.reapLapsedLeases() }
      defer { reaper.cancel() }
      let auth: Metadata = ["authorization": "Bearer \(harness.runnerKey)"]
      let registered = try await client.registerWorker(Self.capabilities(["alpha"]), metadata: auth)
      let (outgoing, sender) = AsyncStream<LlmTestBench_Distributed_V1_WorkerMessage>.makeStream()
      var hello = LlmTestBench_Distributed_V1_WorkerMessage()
      hello.hello.workerID = registered.workerID
      var credit = LlmTestBench_Distributed_V1_WorkerMessage()
      credit.credit = 3
      sender.yield(hello)
      sender.yield(credit)
      let store = harness.store
      let session = harness.session
      let (leases, cancelled) = try await client.work(
        metadata: auth,
        requestProducer: { writer in for await message in outgoing { try await writer.write(message) } },
        onResponse: { response in
          var leases: [LlmTestBench_Distributed_V1_TaskLease] = []
          for try await message in response.messages {
            switch message.kind {
            case .leases(let batch):
              leases += batch.leases
              if leases.count == 6 { try await service.cancel(session: session) }
              guard leases.count == 3 else { continue }
              // No heartbeat: the leases lapse and the reaper queues the tasks again.
              var counts: [QueueState: Int] = [:]
              for _ in 0..<100 {
                counts = try await store.queueCounts(session: session)
                if counts == [.queued: 3] { break }
                try await Task.sleep(for: .milliseconds(20))
              }
              #expect(counts == [.queued: 3], "the lapsed leases were not requeued: \(counts)")
              // Lease them again (the worker still has no credit left), then cancel the session.
              var more = LlmTestBench_Distributed_V1_WorkerMessage()
              more.credit = 3
              sender.yield(more)
            case .cancel(let cancellation):
              sender.finish()
              return (leases, cancellation.sessionIds)
            default: break
            }
          }
          return (leases, [])
        })
      #expect(leases.count == 6 && leases.suffix(3).allSatisfy { $0.fence == 2 && $0.attempt == 2 })
      #expect(cancelled == [harness.session.uuidString.lowercased()])
      #expect(try await harness.store.queueCounts(session: harness.session) == [.cancelled: 3])
    }
  }

  @Test(
    "leases sent on a stream that broke go back to the queue when the worker says hello again; held ones stay"
  )
  func orphanedLeases() async throws {
    try await Self.withCoordinator { harness, client, _ in
      try await harness.store.enqueue(
        (0..<4).map {
          QueuedTask(sessionID: harness.session, taskKey: "k\($0)", provider: "alpha", payload: "{}")
        },
        maxAttempts: 3)
      let auth: Metadata = ["authorization": "Bearer \(harness.runnerKey)"]
      let registered = try await client.registerWorker(Self.capabilities(["alpha"]), metadata: auth)
      let worker = try #require(UUID(uuidString: registered.workerID))
      // A coordinator leased four tasks to the worker and was killed before sending them; the
      // worker had read only k0's lease.
      let now = WallClock.nowMicros
      let given = try await harness.store.lease(
        worker: worker, providers: ["alpha"], limit: 4, horizonMicros: now, expiresMicros: now + 60_000_000)
      let read = try #require(given.first { $0.task.taskKey == "k0" })
      var beat = LlmTestBench_Distributed_V1_HeartbeatRequest()
      beat.workerID = registered.workerID
      #expect(try await client.heartbeat(beat, metadata: auth).leases == 4)

      let (outgoing, sender) = AsyncStream<LlmTestBench_Distributed_V1_WorkerMessage>.makeStream()
      var hello = LlmTestBench_Distributed_V1_WorkerMessage()
      hello.hello.workerID = registered.workerID
      var held = LlmTestBench_Distributed_V1_LeaseRef()
      held.sessionID = harness.session.uuidString.lowercased()
      held.taskKey = "k0"
      held.fence = read.fence
      hello.hello.held = [held]
      sender.yield(hello)
      let store = harness.store
      let session = harness.session
      let (counts, again) = try await client.work(
        metadata: auth,
        requestProducer: { writer in for await message in outgoing { try await writer.write(message) } },
        onResponse: { response in
          var counts: [QueueState: Int] = [:]
          for _ in 0..<200 {
            counts = try await store.queueCounts(session: session)
            if counts[.queued] == 3 { break }
            try await Task.sleep(for: .milliseconds(10))
          }
          var credit = LlmTestBench_Distributed_V1_WorkerMessage()
          credit.credit = 3
          sender.yield(credit)
          var again: [LlmTestBench_Distributed_V1_TaskLease] = []
          for try await message in response.messages {
            guard case .leases(let batch) = message.kind else { continue }
            again += batch.leases
            if again.count == 3 { sender.finish() }
          }
          return (counts, again)
        })
      #expect(counts == [.leased: 1, .queued: 3], "the orphaned leases were not handed back: \(counts)")
      #expect(Set(again.map(\.taskKey)) == ["k1", "k2", "k3"])
      // Handed back without counting an attempt: the worker never had them.
      #expect(
        again.allSatisfy { $0.fence == 2 && $0.attempt == 1 }, "\(again.map { ($0.fence, $0.attempt) })")
      #expect(try await harness.store.leases(worker: worker).count == 4)
    }
  }
}
