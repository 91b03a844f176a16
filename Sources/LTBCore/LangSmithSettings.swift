/// Where datasets are read from LangSmith (`[integrations.langsmith]`).
public struct LangSmithSettings: Sendable, Hashable {
  /// The API's address, e.g. `https://api.smith.langchain.com`.
  public var apiURL: String
  /// The API key, sent as `x-api-key`.
  public var apiKey: Secret?
  /// Where the key is configured to come from (for messages): `environment variable NAME` or
  /// `file PATH`.
  public var apiKeyOrigin: String
  /// The file the key is read from, when it comes from one (re-read when it changes).
  public var apiKeyFile: String?

  /// Creates settings.
  public init(
    apiURL: String = "https://api.smith.langchain.com", apiKey: Secret? = nil,
    apiKeyOrigin: String = "environment variable LANGSMITH_API_KEY", apiKeyFile: String? = nil
  ) {
    self.apiURL = apiURL
    self.apiKey = apiKey
    self.apiKeyOrigin = apiKeyOrigin
    self.apiKeyFile = apiKeyFile
  }

  /// The key to send now: the key file's current contents when it comes from a file.
  public var currentAPIKey: Secret? { FileSecrets.current(apiKeyFile, else: apiKey) }
}
