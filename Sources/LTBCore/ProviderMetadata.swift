/// What a vendor said about how it served one request (spec `ProviderMetadata`): where it was
/// sent, the API version asked for, the model version that answered, and the request id and
/// region from the response headers where the vendor sends them.
public struct ProviderMetadata: Sendable, Hashable, Codable {
  /// The base address the request went to.
  public var endpoint: String
  /// The vendor API version asked for, where one is sent (Anthropic's `anthropic-version`).
  public var apiVersion: String?
  /// The model version that answered, when the vendor reports a more specific one than asked.
  public var modelVersion: String?
  /// The vendor's id of the request (`x-request-id`, `request-id`, ...).
  public var requestID: String?
  /// The region or data centre that served it, where a header says.
  public var region: String?
  /// The vendor's own processing time in milliseconds (`openai-processing-ms`).
  public var processingMilliseconds: Double?

  /// The response headers that carry a request id, in the order they are looked for.
  public static let requestIDHeaders = ["x-request-id", "request-id", "x-goog-request-id", "cf-ray"]
  /// The response headers that carry a region.
  public static let regionHeaders = ["x-region", "x-ms-region", "x-served-region", "openai-region"]

  /// Metadata from the response headers (names lower-cased) of a request to `endpoint`.
  public init(
    endpoint: String, apiVersion: String? = nil, modelVersion: String? = nil, headers: [String: String] = [:]
  ) {
    self.endpoint = endpoint
    self.apiVersion = apiVersion
    self.modelVersion = modelVersion
    requestID = Self.requestIDHeaders.lazy.compactMap { headers[$0] }.first
    region = Self.regionHeaders.lazy.compactMap { headers[$0] }.first
    processingMilliseconds = headers["openai-processing-ms"].flatMap(Double.init)
  }
}
