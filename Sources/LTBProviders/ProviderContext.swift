public import LTBCore

/// What every HTTP provider holds: its settings, the model catalogue, and its HTTP path.
public struct ProviderContext: Sendable {
  /// The resolved settings.
  public let settings: ProviderSettings
  /// The model catalogue (prices, context lengths).
  public let catalog: ModelCatalog
  /// The HTTP path, with the vendor's authentication headers.
  public let transport: HTTPTransport
  /// The base URL's host and port, for the provider call spans (read once, not per call).
  let server: (host: String, port: Int)?

  /// Creates the context and its transport.
  public init(
    settings: ProviderSettings, catalog: ModelCatalog,
    authentication: @escaping @Sendable (Secret?) -> [(String, String)]
  ) {
    self.settings = settings
    self.catalog = catalog
    self.transport = HTTPTransport(settings: settings, authentication: authentication)
    self.server = GenAISpan.server(settings.baseURL)
  }

  /// An `Authorization: Bearer` header when a key is set.
  public static func bearer(_ key: Secret?) -> [(String, String)] {
    guard let key, !key.value.isEmpty else { return [] }
    return [("Authorization", "Bearer \(key.value)")]
  }
}
