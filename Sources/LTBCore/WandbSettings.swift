/// Where sessions are exported to Weights & Biases (`[integrations.wandb]`).
public struct WandbSettings: Sendable, Hashable {
  /// The W&B server, e.g. `https://api.wandb.ai`.
  public var baseURL: String
  /// The entity (user or team) runs go to; empty: the key's default entity.
  public var entity: String
  /// The project; empty: the suite's name.
  public var project: String
  /// The API key (sent as HTTP basic `api:KEY`, as W&B's client sends it).
  public var apiKey: Secret?
  /// Where the key is configured to come from (for messages): `environment variable NAME` or
  /// `file PATH`.
  public var apiKeyOrigin: String
  /// The file the key is read from, when it comes from one (re-read when it changes).
  public var apiKeyFile: String?

  /// Creates settings.
  public init(
    baseURL: String = "https://api.wandb.ai", entity: String = "", project: String = "",
    apiKey: Secret? = nil,
    apiKeyOrigin: String = "environment variable WANDB_API_KEY", apiKeyFile: String? = nil
  ) {
    self.baseURL = baseURL
    self.entity = entity
    self.project = project
    self.apiKey = apiKey
    self.apiKeyOrigin = apiKeyOrigin
    self.apiKeyFile = apiKeyFile
  }

  /// The key to send now: the key file's current contents when it comes from a file.
  public var currentAPIKey: Secret? { FileSecrets.current(apiKeyFile, else: apiKey) }
}
