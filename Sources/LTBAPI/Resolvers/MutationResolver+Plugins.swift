import Foundation
import LTBAuth
import LTBCore
import LTBPlugins
import LTBStorage

/// The plugin mutations (`MANAGE_PLUGINS`, each audited): install, enable, disable, configure,
/// remove. The registry checks everything; this layer decodes and records who did it.
extension MutationResolver {
  func installPlugin(_ arguments: MutationInstallPluginArguments, context: APIContext) async throws -> Plugin
  {
    let registry = try requirePlugins()
    let input = arguments.input
    guard let module = Data(base64Encoded: input.module, options: .ignoreUnknownCharacters), !module.isEmpty
    else {
      throw LTBError(
        .invalidInput, "input.module is not base64", fix: "send the module file's bytes base64-encoded")
    }
    var grant: Set<PluginCapability> = []
    for name in input.grant ?? [] {
      guard let capability = PluginCapability(rawValue: name) else {
        throw LTBError(
          .invalidInput, "input.grant names '\(name)'",
          fix: "grant only \(PluginCapability.allCases.map(\.rawValue).joined(separator: ", "))")
      }
      grant.insert(capability)
    }
    if let configuration = input.configuration, configuration.objectValue == nil {
      throw LTBError(.invalidInput, "input.configuration is not a JSON object", fix: "send an object")
    }
    let principal = try context.requirePrincipal()
    let record = try await registry.install(
      manifest: input.manifest, module: module, configuration: input.configuration, grant: grant,
      by: principal.userID)
    try await auditPlugin("plugin.install", record, context)
    return APIMapping.plugin(record, registry: registry)
  }

  func enablePlugin(_ arguments: MutationEnablePluginArguments, context: APIContext) async throws -> Plugin {
    let registry = try requirePlugins()
    let record = try await registry.setEnabled(arguments.name, true)
    try await auditPlugin("plugin.enable", record, context)
    return APIMapping.plugin(record, registry: registry)
  }

  func disablePlugin(_ arguments: MutationDisablePluginArguments, context: APIContext) async throws -> Plugin
  {
    let registry = try requirePlugins()
    let record = try await registry.setEnabled(arguments.name, false, reason: arguments.reason)
    try await auditPlugin("plugin.disable", record, context)
    return APIMapping.plugin(record, registry: registry)
  }

  func configurePlugin(_ arguments: MutationConfigurePluginArguments, context: APIContext) async throws
    -> Plugin
  {
    let registry = try requirePlugins()
    guard arguments.configuration.objectValue != nil else {
      throw LTBError(.invalidInput, "configuration is not a JSON object", fix: "send an object")
    }
    let record = try await registry.configure(arguments.name, arguments.configuration)
    try await auditPlugin("plugin.configure", record, context)
    return APIMapping.plugin(record, registry: registry)
  }

  func removePlugin(_ arguments: MutationRemovePluginArguments, context: APIContext) async throws -> Bool {
    let registry = try requirePlugins()
    let record = try await registry.require(arguments.name)
    try await registry.remove(arguments.name)
    try await auditPlugin("plugin.remove", record, context)
    return true
  }

  private func requirePlugins() throws -> PluginRegistry {
    guard let plugins = services.plugins else {
      throw LTBError(.unsupportedCapability, "this server runs without plugins", fix: "use `ltb serve`")
    }
    return plugins
  }

  private func auditPlugin(_ action: String, _ record: PluginRecord, _ context: APIContext) async throws {
    guard let auth = services.auth else { return }
    try await auth.audit(
      try context.requirePrincipal().userID, action, "plugin", nil,
      [
        "name": .string(record.name), "version": .string(record.version), "sha256": .string(record.sha256),
        "enabled": .bool(record.enabled),
      ],
      context.client)
  }
}
