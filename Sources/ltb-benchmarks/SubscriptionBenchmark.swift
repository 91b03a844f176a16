import ArgumentParser
import Foundation
import Hummingbird
import HummingbirdWSClient
import LTBAPI
import LTBAuth
import LTBConfig
import LTBCore
import LTBEngine
import LTBEvaluation
import LTBProviders
import LTBServer
import LTBStorage
import Logging
import Synchronization

/// `ltb-benchmarks subscriptions`: delivery latency of subscription events. The gateway runs in
/// this process on a real socket; N WebSocket clients speak graphql-transport-ws and subscribe
/// to `metricUpdates`; events are published on the engine's bus carrying the publish instant,
/// and each client measures publish → receipt on the same clock.
struct SubscriptionBenchmark: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "subscriptions", abstract: "Time subscription delivery (event published → client receives).")

  @Option(name: .long, help: "WebSocket subscribers.") var subscribers = 100
  @Option(name: .long, help: "Events to publish.") var events = 1_000
  @Option(name: .long, help: "Events per second.") var rate = 100.0

  func run() async throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "ltb-subs-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let store = try await SQLBenchStore.open(.sqlite(path: folder.appendingPathComponent("s.sqlite").path))
    let configuration = try ConfigLoader().load()
    let bus = EventBus()
    // Every client authenticates with an admin's key, as subscribers of a real server do.
    let auth = try AuthService(
      store: store,
      issuer: try await TokenIssuer(
        secret: APIKeyFormat.generate() + APIKeyFormat.generate(), issuer: "ltb", audience: "ltb-api",
        lifetime: .seconds(3_600)))
    let services = try await APIServices.build(
      store: store, configuration: configuration, providers: [], version: "benchmark", auth: auth, bus: bus)
    let admin = try await auth.createUser(
      username: "bench", email: "bench@example.org", password: APIKeyFormat.generate(), role: .admin, by: nil,
      client: ClientInfo())
    let key = try await auth.createAPIKey(
      owner: admin.id, name: "bench", role: nil, scopes: nil, expiresAt: nil, by: nil, client: ClientInfo()
    ).key
    let port = try FreePort.find()
    let gateway = try Gateway(services: services)
    let server = Task { try await gateway.run(host: "127.0.0.1", port: port) }
    try await Task.sleep(for: .milliseconds(500))

    let base = ContinuousClock.now
    let collected = Collected()
    var quiet = Logger(label: "ltb.benchmark")
    quiet.logLevel = .warning
    let logger = quiet
    let clients = (0..<subscribers).map { index in
      Task {
        var configuration = WebSocketClientConfiguration()
        configuration.additionalHeaders[.secWebSocketProtocol] = "graphql-transport-ws"
        try await WebSocketClient.connect(
          url: "ws://127.0.0.1:\(port)/graphql", configuration: configuration, logger: logger
        ) { inbound, outbound, _ in
          try await outbound.write(.text(#"{"type":"connection_init","payload":{"token":"\#(key)"}}"#))
          var received = 0
          for try await message in inbound.messages(maxSize: 1 << 20) {
            guard case .text(let text) = message, let json = try? JSONValue.parse(text) else { continue }
            switch json["type"]?.stringValue {
            case "connection_ack":
              try await outbound.write(
                .text(
                  #"{"type":"subscribe","id":"m\#(index)","payload":{"query":"subscription { metricUpdates { name labels } }"}}"#
                ))
              collected.subscribed.withLock { $0 += 1 }
            case "next":
              let now = (ContinuousClock.now - base).nanoseconds
              guard let sent = json["payload"]?["data"]?["metricUpdates"]?["labels"]?["sent"]?.stringValue,
                let sentNanos = Int64(sent)
              else { continue }
              collected.latencies.withLock { $0.append(Double(now - sentNanos) / 1e6) }
              received += 1
              if received == events { return }
            default: continue
            }
          }
        }
      }
    }
    while collected.subscribed.withLock({ $0 }) < subscribers { try await Task.sleep(for: .milliseconds(20)) }
    try await Task.sleep(for: .milliseconds(300))
    let interval = Duration.seconds(1 / rate)
    let start = ContinuousClock.now
    for index in 0..<events {
      try await Task.sleep(until: start + interval * index)
      let sent = (ContinuousClock.now - base).nanoseconds
      await bus.publish(
        .metricUpdate(name: "bench", value: Double(index), labels: ["sent": String(sent)], timestamp: Date()))
    }
    let deadline = ContinuousClock.now + .seconds(30)
    while collected.latencies.withLock({ $0.count }) < subscribers * events, ContinuousClock.now < deadline {
      try await Task.sleep(for: .milliseconds(50))
    }
    for client in clients { client.cancel() }
    // The server shuts down gracefully (its drain waits on the benchmark service) before the
    // store closes and the process ends; returning first crashed on the drain's way out.
    server.cancel()
    _ = await server.result
    let measured = collected.latencies.withLock { $0 }
    let distribution = try require(Distribution(measured))
    print(
      String(
        format:
          "subscriptions: %d subscribers × %d events at %.0f/s: %d of %d delivered; publish → receipt p50 %.2f ms, p99 %.2f ms, max %.2f ms; dropped by the bus: %d",
        subscribers, events, rate, measured.count, subscribers * events, distribution.p50, distribution.p99,
        measured.max() ?? 0, await bus.droppedEvents))
    await store.close()
  }
}

/// What the clients record, shared with the publisher.
private final class Collected: Sendable {
  let latencies = Mutex<[Double]>([])
  let subscribed = Mutex(0)
}
