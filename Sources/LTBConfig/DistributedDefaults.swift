/// `[distributed]`: the coordinator's and workers' settings, under their command-line flags.
public struct DistributedDefaults: Sendable, Hashable {
  /// The coordinator's gRPC listening address; empty for the server's host.
  public var grpcHost = ""
  /// The coordinator's gRPC port (0 picks one).
  public var grpcPort = 50_051
  /// How long a lease lives without renewal, in milliseconds.
  public var leaseMilliseconds = 10_000
  /// The most tasks one worker sends at once.
  public var workerMaxConcurrency = 64

  /// The defaults of `config/ltb.toml`.
  public init() {}

  /// Explicit values.
  public init(grpcHost: String, grpcPort: Int, leaseMilliseconds: Int, workerMaxConcurrency: Int) {
    self.grpcHost = grpcHost
    self.grpcPort = grpcPort
    self.leaseMilliseconds = leaseMilliseconds
    self.workerMaxConcurrency = workerMaxConcurrency
  }
}
