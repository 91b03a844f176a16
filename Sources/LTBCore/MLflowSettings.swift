/// Where sessions are exported to MLflow (`[integrations.mlflow]`).
public struct MLflowSettings: Sendable, Hashable {
  /// The tracking server (`http://host:5000`); empty when not configured.
  public var trackingURI: String
  /// The experiment to log into; empty means one per suite, named after it.
  public var experiment: String
  /// The bearer token, when the server wants one.
  public var token: Secret?

  /// Creates settings.
  public init(trackingURI: String = "", experiment: String = "", token: Secret? = nil) {
    self.trackingURI = trackingURI
    self.experiment = experiment
    self.token = token
  }
}
