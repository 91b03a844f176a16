/// Where datasets are read from LangSmith (`[integrations.langsmith]`).
public struct LangSmithSettings: Sendable, Hashable {
  /// The API's address, e.g. `https://api.smith.langchain.com`.
  public var apiURL: String
  /// The API key, sent as `x-api-key`.
  public var apiKey: Secret?
  /// Where the key is configured to come from (for messages).
  public var apiKeyOrigin: String

  /// Creates settings.
  public init(
    apiURL: String = "https://api.smith.langchain.com", apiKey: Secret? = nil,
    apiKeyOrigin: String = "LANGSMITH_API_KEY"
  ) {
    self.apiURL = apiURL
    self.apiKey = apiKey
    self.apiKeyOrigin = apiKeyOrigin
  }
}
