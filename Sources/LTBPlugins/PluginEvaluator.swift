public import LTBCore
public import LTBEvaluation

/// Scores assertions of type `plugin:NAME` with the installed evaluator plugin of that name.
/// Each verdict is produced by one loaded version (fetched when its evaluation starts) and
/// carries `plugin:NAME@VERSION`; verdicts are cached under the plugin's module hash and
/// configuration, so a new version or configuration scores afresh.
public struct PluginEvaluator: Evaluator {
  /// The registry plugins come from.
  public let registry: PluginRegistry

  /// An evaluator over `registry`.
  public init(registry: PluginRegistry) { self.registry = registry }

  /// `plugin` (each verdict carries the plugin and version that produced it).
  public var id: String { "plugin" }
  /// The evaluator's own version (a plugin's is in its label and cache key).
  public var version: Int { 1 }
  /// Every `plugin:NAME` type (the evaluation service routes a `PREFIX:NAME` type to `PREFIX:`).
  public var types: [String] { ["plugin:"] }
  /// Plugin verdicts are cached, under the module's hash and the configuration.
  public var cacheable: Bool { true }

  /// The loaded version's module hash and configuration.
  public func cacheKeyParts(_ assertion: AssertionSpec) -> [String] {
    guard let plugin = registry.plugin(Self.name(assertion)) else { return ["absent"] }
    return [plugin.sha256, plugin.configuration.serialized(sortedKeys: true)]
  }

  /// Calls the plugin named by the assertion type; every failure is an error verdict naming it.
  public func evaluate(_ assertion: AssertionSpec, _ input: EvaluationInput) async -> EvaluationOutcome {
    let name = Self.name(assertion)
    guard let plugin = registry.plugin(name) else {
      let reason = registry.problem(name).map { ": \($0)" } ?? ""
      return .error(
        "no enabled evaluator plugin named '\(name)'\(reason) (install it with `ltb plugins install`, or enable it)"
      )
    }
    guard plugin.manifest.kind == .evaluator else {
      return .error("plugin '\(name)' is a \(plugin.manifest.kind.rawValue), not an evaluator")
    }
    let request = PluginABI.evaluatorInput(assertion, input, configuration: plugin.configurationText)
    let result: Result<EvaluationOutcome, PluginCallError>
    do {
      let answer = try await plugin.call(request)
      result = PluginABI.outcome(answer, assertion, producedBy: plugin.label)
    } catch {
      result = .failure(error)
    }
    switch result {
    case .success(let outcome):
      await registry.record(plugin, failure: nil)
      return outcome
    case .failure(let error):
      await registry.record(plugin, failure: error)
      var outcome = EvaluationOutcome.error("\(plugin.label): \(error.message)")
      outcome.producedBy = plugin.label
      return outcome
    }
  }

  static func name(_ assertion: AssertionSpec) -> String { String(assertion.type.dropFirst("plugin:".count)) }
}
