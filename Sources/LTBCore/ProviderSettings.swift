/// Everything one configured provider needs, resolved from the configuration layers.
public struct ProviderSettings: Sendable, Hashable {
  /// The provider's configured name (the key under `[providers]`).
  public var name: String
  /// The wire protocol.
  public var kind: ProviderKind
  /// The API's base address.
  public var baseURL: String
  /// The API key, when one is configured; never printed.
  public var apiKey: Secret?
  /// Where the key is configured to come from (for messages), e.g. `environment variable OPENAI_API_KEY`.
  public var apiKeyOrigin: String?
  /// The file the key is read from (`api_key_file`), when it is one: read again when it changes,
  /// so a rotated key takes effect without a restart.
  public var apiKeyFile: String?
  /// Connection establishment limit.
  public var connectTimeout: Duration
  /// Limit from sending the request to the first byte of the response body.
  public var firstByteTimeout: Duration
  /// Limit for the whole exchange.
  public var totalTimeout: Duration
  /// How often to retry a retryable failure.
  public var maxRetries: Int
  /// First backoff delay; doubled per attempt, with jitter.
  public var retryBaseDelay: Duration
  /// The longest backoff delay, and the longest `Retry-After` that is waited out.
  public var retryMaxDelay: Duration
  /// Requests per minute; 0 means unlimited.
  public var requestsPerMinute: Int
  /// Tokens (input plus requested output) per minute; 0 means unlimited.
  public var tokensPerMinute: Int
  /// Extra HTTP headers sent with every request.
  public var extraHeaders: [String: String]
  /// The model used when a request names none.
  public var defaultModel: String?
  /// Sampling parameters used when a request leaves them unset.
  public var defaultParameters: SamplingParameters
  /// The vendor API version to ask for (Anthropic's `anthropic-version`).
  public var apiVersion: String?
  /// For llama.cpp: launch this `llama-server` binary instead of attaching to a running server.
  public var launch: LlamaServerLaunch?
  /// For LangServe: the member of the chain's input object that gets the prompt (`nil`: the
  /// input is the conversation as LangChain messages).
  public var inputKey: String?

  /// Creates settings with the defaults of `config/ltb.toml`.
  public init(
    name: String, kind: ProviderKind, baseURL: String? = nil, apiKey: Secret? = nil,
    apiKeyOrigin: String? = nil,
    connectTimeout: Duration = .seconds(10), firstByteTimeout: Duration = .seconds(60),
    totalTimeout: Duration = .seconds(300), maxRetries: Int = 3,
    retryBaseDelay: Duration = .milliseconds(500),
    retryMaxDelay: Duration = .seconds(30), requestsPerMinute: Int = 0, tokensPerMinute: Int = 0,
    extraHeaders: [String: String] = [:], defaultModel: String? = nil,
    defaultParameters: SamplingParameters = SamplingParameters(), apiVersion: String? = nil,
    launch: LlamaServerLaunch? = nil, inputKey: String? = nil
  ) {
    self.name = name
    self.kind = kind
    self.baseURL = baseURL ?? kind.defaultBaseURL
    self.apiKey = apiKey
    self.apiKeyOrigin = apiKeyOrigin
    self.connectTimeout = connectTimeout
    self.firstByteTimeout = firstByteTimeout
    self.totalTimeout = totalTimeout
    self.maxRetries = maxRetries
    self.retryBaseDelay = retryBaseDelay
    self.retryMaxDelay = retryMaxDelay
    self.requestsPerMinute = requestsPerMinute
    self.tokensPerMinute = tokensPerMinute
    self.extraHeaders = extraHeaders
    self.defaultModel = defaultModel
    self.defaultParameters = defaultParameters
    self.apiVersion = apiVersion
    self.launch = launch
    self.inputKey = inputKey
  }

  /// The key to send now: the key file's current contents when the key comes from a file (the
  /// last value read while a changed file cannot be read), else ``apiKey``.
  public var currentAPIKey: Secret? { FileSecrets.current(apiKeyFile, else: apiKey) }
}

/// How to launch a `llama-server` process for the llama.cpp provider.
public struct LlamaServerLaunch: Sendable, Hashable {
  /// Path of the `llama-server` binary.
  public var binary: String
  /// Path of the GGUF model file.
  public var modelPath: String
  /// Port to listen on; 0 picks a free one.
  public var port: Int
  /// Further command-line arguments.
  public var extraArguments: [String]
  /// How long to wait for `/health` after launch.
  public var startupTimeout: Duration

  /// Creates launch settings.
  public init(
    binary: String, modelPath: String, port: Int = 0, extraArguments: [String] = [],
    startupTimeout: Duration = .seconds(60)
  ) {
    self.binary = binary
    self.modelPath = modelPath
    self.port = port
    self.extraArguments = extraArguments
    self.startupTimeout = startupTimeout
  }
}
