import Foundation
import LTBCore
import LTBPlugins
import LTBStorage

extension APIMapping {
  /// An installed plugin as the API shows it, with whether this server has it loaded.
  static func plugin(_ record: PluginRecord, registry: PluginRegistry) -> Plugin {
    let manifest = try? PluginRegistry.manifest(of: record)
    let kind: PluginKind =
      switch record.kind {
      case LTBPlugins.PluginKind.requestTransform.rawValue: .requestTransform
      case LTBPlugins.PluginKind.responseTransform.rawValue: .responseTransform
      default: .evaluator
      }
    let limits =
      manifest.flatMap { try? JSONValue.parse(Data(JSONEncoder().encode($0.limits))) } ?? .object([:])
    let loaded = registry.plugin(record.name)
    return Plugin(
      name: record.name, version: record.version, kind: kind, description: manifest?.description ?? "",
      author: manifest?.author ?? "", license: manifest?.license ?? "", sha256: record.sha256,
      abiVersion: record.abiVersion, enabled: record.enabled,
      loaded: record.enabled && loaded?.sha256 == record.sha256, disabledReason: record.disabledReason,
      problem: record.enabled ? registry.problem(record.name) : nil,
      requestedCapabilities: manifest?.capabilities.map(\.rawValue) ?? [],
      grantedCapabilities: record.granted,
      configuration: (try? JSONValue.parse(record.configuration)) ?? .object([:]),
      configSchema: manifest?.configSchema ?? .object([:]), limits: limits,
      installedAt: Date(timeIntervalSince1970: Double(record.installedMicros) / 1_000_000),
      updatedAt: Date(timeIntervalSince1970: Double(record.updatedMicros) / 1_000_000))
  }
}
