/// The model catalogue: context lengths, prices and capabilities per provider kind and model.
public struct ModelCatalog: Sendable, Hashable {
  private var entries: [Key: ModelInfo]

  private struct Key: Hashable {
    var kind: ProviderKind
    var model: String
  }

  /// Creates a catalogue from entries; later entries replace earlier ones with the same kind and id.
  public init(_ models: [ModelInfo] = []) {
    entries = [:]
    for model in models { entries[Key(kind: model.kind, model: model.id)] = model }
  }

  /// Every entry, ordered by kind and id.
  public var models: [ModelInfo] {
    entries.values.sorted { ($0.kind.rawValue, $0.id) < ($1.kind.rawValue, $1.id) }
  }

  /// The entry for a model served with `kind`, if the catalogue has it.
  public func model(_ id: String, kind: ProviderKind) -> ModelInfo? {
    entries[Key(kind: kind, model: id)]
  }

  /// Every model served with `kind`.
  public func models(for kind: ProviderKind) -> [ModelInfo] {
    models.filter { $0.kind == kind }
  }

  /// This catalogue with `other`'s entries added, replacing any with the same kind and id.
  public func merging(_ other: ModelCatalog) -> ModelCatalog {
    ModelCatalog(models + other.models)
  }
}
