public import Foundation

/// How `ltb worker` joins a coordinator and how much it takes on.
public struct WorkerSettings: Sendable {
  /// The coordinator's host.
  public var host: String
  /// The coordinator's gRPC port.
  public var port: Int
  /// The PEM file of the certificate authority that signed the coordinator's certificate; set,
  /// the connection uses TLS and refuses a coordinator whose certificate it did not sign.
  public var trustRoots: String?
  /// The credential (an API key or access token of a user who may run benchmarks).
  public var token: String
  /// The name shown in the workers query and in logs.
  public var name: String
  /// The ltb version, told to the coordinator.
  public var version: String
  /// The most tasks sent at once.
  public var maxConcurrency: Int
  /// Leases held beyond those running, so the next tasks are here before their send time.
  public var prefetch: Int
  /// The configured providers this worker offers (all of them when empty).
  public var providers: [String]
  /// Results sent per batch at most.
  public var resultBatch: Int
  /// How long a finished result may wait for its batch.
  public var flushInterval: Duration
  /// The longest wait between attempts to reach the coordinator.
  public var maxBackoff: Duration
  /// A lease still waiting this long after its send time, with every slot busy, goes back to the
  /// queue for another worker (work stealing).
  public var shedAfter: Duration

  /// Creates settings (64 at once, as many again prefetched, batches of 64 results within 10 ms,
  /// reconnecting within 5 s, leases shed 100 ms late).
  public init(
    host: String, port: Int, trustRoots: String? = nil, token: String,
    name: String = ProcessInfo.processInfo.hostName, version: String = "", maxConcurrency: Int = 64,
    prefetch: Int? = nil,
    providers: [String] = [], resultBatch: Int = 64, flushInterval: Duration = .milliseconds(10),
    maxBackoff: Duration = .seconds(5), shedAfter: Duration = .milliseconds(100)
  ) {
    self.host = host
    self.port = port
    self.trustRoots = trustRoots
    self.token = token
    self.name = name
    self.version = version
    self.maxConcurrency = max(1, maxConcurrency)
    self.prefetch = max(0, prefetch ?? maxConcurrency)
    self.providers = providers
    self.resultBatch = max(1, resultBatch)
    self.flushInterval = flushInterval
    self.maxBackoff = maxBackoff
    self.shedAfter = shedAfter
  }
}
