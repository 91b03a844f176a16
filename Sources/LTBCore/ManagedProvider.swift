/// A provider added through the API: what is stored about it (never a key, only where the key
/// is read from on the server).
public struct ManagedProvider: Sendable, Hashable, Codable {
  /// The provider's name, unique among all providers.
  public var name: String
  /// The wire protocol.
  public var kind: ProviderKind
  /// The API's base address; the vendor's public endpoint when `nil`.
  public var baseURL: String?
  /// The model used when a request names none.
  public var defaultModel: String?
  /// The environment variable holding the API key.
  public var apiKeyEnv: String?
  /// The file holding the API key.
  public var apiKeyFile: String?
  /// Retries of retryable failures.
  public var maxRetries: Int?
  /// Limit for one whole attempt, in milliseconds.
  public var timeoutMilliseconds: Int?
  /// Requests per minute; 0 for no limit.
  public var requestsPerMinute: Int?
  /// LangServe: the member of the chain's input object that gets the prompt.
  public var inputKey: String?

  /// Creates a record.
  public init(
    name: String, kind: ProviderKind, baseURL: String? = nil, defaultModel: String? = nil,
    apiKeyEnv: String? = nil, apiKeyFile: String? = nil, maxRetries: Int? = nil,
    timeoutMilliseconds: Int? = nil, requestsPerMinute: Int? = nil, inputKey: String? = nil
  ) {
    self.name = name
    self.kind = kind
    self.baseURL = baseURL
    self.defaultModel = defaultModel
    self.apiKeyEnv = apiKeyEnv
    self.apiKeyFile = apiKeyFile
    self.maxRetries = maxRetries
    self.timeoutMilliseconds = timeoutMilliseconds
    self.requestsPerMinute = requestsPerMinute
    self.inputKey = inputKey
  }
}
