/// Where sessions are exported to MLflow (`[integrations.mlflow]`).
public struct MLflowSettings: Sendable, Hashable {
  /// The tracking server (`http://host:5000`); empty when not configured.
  public var trackingURI: String
  /// The experiment to log into; empty means one per suite, named after it.
  public var experiment: String
  /// The bearer token, when the server wants one.
  public var token: Secret?
  /// The file the token is read from, when it comes from one (re-read when it changes).
  public var tokenFile: String?

  /// Creates settings.
  public init(
    trackingURI: String = "", experiment: String = "", token: Secret? = nil, tokenFile: String? = nil
  ) {
    self.trackingURI = trackingURI
    self.experiment = experiment
    self.token = token
    self.tokenFile = tokenFile
  }

  /// The token to send now: the token file's current contents when it comes from a file.
  public var currentToken: Secret? { FileSecrets.current(tokenFile, else: token) }
}
