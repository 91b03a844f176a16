/// How exports to trackers are retried and where imported datasets are written
/// (`[integrations.exports]`).
public struct ExportSettings: Sendable, Hashable {
  /// Attempts at an export the API asked for before it is marked failed.
  public var attempts: Int
  /// Seconds before the second attempt; doubled for each further one.
  public var retrySeconds: Int
  /// Where the `importDataset` mutation writes datasets, relative to the working directory.
  public var importDirectory: String

  /// Creates settings.
  public init(attempts: Int = 5, retrySeconds: Int = 30, importDirectory: String = "datasets/imported") {
    self.attempts = attempts
    self.retrySeconds = retrySeconds
    self.importDirectory = importDirectory
  }
}
