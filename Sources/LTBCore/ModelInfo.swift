/// One model as the catalogue knows it.
public struct ModelInfo: Sendable, Hashable, Codable {
  /// The model's id as the vendor spells it.
  public var id: String
  /// The wire protocol it is served with.
  public var kind: ProviderKind
  /// The context window in tokens.
  public var contextLength: Int
  /// Prices; zero for local models.
  public var pricing: ModelPricing
  /// What the model can do.
  public var capabilities: Set<Capability>

  /// Creates a catalogue entry.
  public init(
    id: String, kind: ProviderKind, contextLength: Int, pricing: ModelPricing, capabilities: Set<Capability>
  ) {
    self.id = id
    self.kind = kind
    self.contextLength = contextLength
    self.pricing = pricing
    self.capabilities = capabilities
  }
}
